import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelledError, InputError, TimeoutError, TransientError } from '../../src/errors.js';
import { DEFAULT_RETRY, backoffDelay, withRetry, type RetryPolicy } from '../../src/core/upload/retry.js';

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({ attempts: 4, baseDelayMs: 2, maxDelayMs: 5, maxElapsedMs: 10_000, ...overrides });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('backoffDelay', () => {
  const p = { attempts: 10, baseDelayMs: 200, maxDelayMs: 10_000, maxElapsedMs: 120_000 };

  it('doubles the ceiling with each attempt, starting at the base delay', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, p, () => 1))).toEqual([200, 400, 800, 1600, 3200]);
  });

  it('never exceeds the maximum delay', () => {
    expect(backoffDelay(6, p, () => 1)).toBe(6400);
    expect(backoffDelay(7, p, () => 1)).toBe(10_000);
    expect(backoffDelay(30, p, () => 1)).toBe(10_000);
  });

  it('picks a random delay anywhere from 0 up to the ceiling (full jitter)', () => {
    expect(backoffDelay(3, p, () => 0)).toBe(0);
    expect(backoffDelay(3, p, () => 0.5)).toBe(400);
    expect(backoffDelay(3, p, () => 0.25)).toBe(200);
    expect(backoffDelay(30, p, () => 0.5)).toBe(5000);
  });

  it('returns whole milliseconds', () => {
    expect(backoffDelay(1, { ...p, baseDelayMs: 3 }, () => 0.5)).toBe(2);
  });

  it('stays within [0, ceiling] with the default Math.random', () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(2, DEFAULT_RETRY);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });
});

describe('withRetry', () => {
  it('returns the value and 1 attempt when the task succeeds at once', async () => {
    const task = vi.fn(async () => 'etag-1');
    await expect(withRetry(task, { policy: policy() })).resolves.toEqual({ value: 'etag-1', attempts: 1 });
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('retries transient failures and reports how many attempts it took', async () => {
    const seen: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw new TransientError('PUT s3://b/k: 503 SlowDown');
        return 'etag-3';
      },
      { policy: policy() },
    );
    expect(result).toEqual({ value: 'etag-3', attempts: 3 });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('throws a non-transient error at once, without retrying or waiting', async () => {
    const error = new InputError('not a video');
    const task = vi.fn(async () => {
      throw error;
    });
    const onRetry = vi.fn();
    await expect(withRetry(task, { policy: policy({ baseDelayMs: 60_000, maxDelayMs: 60_000 }), onRetry })).rejects.toBe(error);
    expect(task).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('does not retry plain errors (bugs are not network trouble)', async () => {
    const error = new TypeError('cannot read properties of undefined');
    const task = vi.fn(async () => {
      throw error;
    });
    await expect(withRetry(task, { policy: policy() })).rejects.toBe(error);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('stops after `attempts` tries with a TransientError that says it gave up and keeps the last failure', async () => {
    const task = vi.fn(async (attempt: number) => {
      throw new TransientError(`PUT s3://b/k: 503 ServiceUnavailable (try ${attempt})`, { details: 'request id 42' });
    });
    const error = await withRetry(task, { policy: policy({ attempts: 3 }) }).catch((e: unknown) => e);
    expect(task).toHaveBeenCalledTimes(3);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toBe('PUT s3://b/k: 503 ServiceUnavailable (try 3) (gave up after 3 attempts)');
    expect((error as TransientError).cause).toBeInstanceOf(TransientError);
    expect(((error as TransientError).cause as Error).message).toContain('(try 3)');
    expect((error as TransientError).details).toBe('request id 42');
  });

  it('with attempts 1, never retries', async () => {
    const task = vi.fn(async () => {
      throw new TransientError('503');
    });
    await expect(withRetry(task, { policy: policy({ attempts: 1 }) })).rejects.toThrow(/gave up after 1 attempts/);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('tells onRetry the error, the failed attempt and the delay before each retry, but not after the last attempt', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const errors = [new TransientError('a'), new TransientError('b'), new TransientError('c'), new TransientError('d')];
    const onRetry = vi.fn();
    await expect(
      withRetry(
        async (attempt) => {
          throw errors[attempt - 1];
        },
        { policy: policy({ attempts: 4, baseDelayMs: 2, maxDelayMs: 5 }), onRetry },
      ),
    ).rejects.toThrow(/gave up after 4 attempts/);
    // Math.random() = 1: the delay is the ceiling, 2, 4, then capped at 5.
    expect(onRetry.mock.calls).toEqual([
      [errors[0], 1, 2],
      [errors[1], 2, 4],
      [errors[2], 3, 5],
    ]);
  });

  it('actually waits the delay it reported before the next attempt', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const starts: number[] = [];
    await withRetry(
      async (attempt) => {
        starts.push(performance.now());
        if (attempt === 1) throw new TransientError('503');
        return 'ok';
      },
      { policy: policy({ baseDelayMs: 40, maxDelayMs: 40 }) },
    );
    expect(starts).toHaveLength(2);
    // setTimeout may fire a hair early by the clock; allow 2 ms.
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(38);
  });

  it('starts no new attempt once maxElapsedMs has passed, even with attempts left', async () => {
    const maxElapsedMs = 50;
    const starts: number[] = [];
    const first = Date.now();
    const error = await withRetry(
      async () => {
        starts.push(Date.now() - first);
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new TransientError('connection reset');
      },
      { policy: policy({ attempts: 20, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs }) },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/gave up after \d+ attempts/);
    // Each attempt takes >= 20 ms, so at most 3 start inside 50 ms; without the bound it would be 20.
    expect(starts.length).toBeGreaterThanOrEqual(1);
    expect(starts.length).toBeLessThanOrEqual(3);
  });

  it('stops waiting as soon as the signal aborts during a delay, with a CancelledError', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const controller = new AbortController();
    const task = vi.fn(async () => {
      throw new TransientError('503');
    });
    const started = Date.now();
    const result = withRetry(task, {
      policy: policy({ baseDelayMs: 30_000, maxDelayMs: 30_000, maxElapsedMs: 300_000 }),
      signal: controller.signal,
      onRetry: () => {
        setTimeout(() => controller.abort(), 10);
      },
    });
    await expect(result).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('fails with the signal’s own reason when it is one of hlsify’s errors (a --timeout)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const controller = new AbortController();
    const timeout = new TimeoutError('upload took longer than 10m');
    const result = withRetry(
      async () => {
        throw new TransientError('503');
      },
      {
        policy: policy({ baseDelayMs: 30_000, maxDelayMs: 30_000, maxElapsedMs: 300_000 }),
        signal: controller.signal,
        onRetry: () => {
          setTimeout(() => controller.abort(timeout), 10);
        },
      },
    );
    await expect(result).rejects.toBe(timeout);
  });

  it('does not start at all when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const task = vi.fn(async () => 'never');
    await expect(withRetry(task, { policy: policy(), signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(task).not.toHaveBeenCalled();
  });

  it('does not start another attempt when the signal aborted while the task was failing', async () => {
    const controller = new AbortController();
    const task = vi.fn(async () => {
      controller.abort();
      throw new TransientError('socket closed');
    });
    await expect(withRetry(task, { policy: policy(), signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(task).toHaveBeenCalledTimes(1);
  });
});
