/** Retries with exponential backoff and full jitter, bounded in attempts and in total time. */
import { abortReason, TransientError } from '../../errors.js';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No new attempt starts after this long since the first one. */
  maxElapsedMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 10_000, maxElapsedMs: 120_000 };

/** Delay before attempt `attempt + 1` (attempt counts from 1): random in [0, min(max, base x 2^(attempt-1))]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** Waits `ms`; with a signal, rejects with its abort reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `task` until it succeeds, throws a non-transient error, or the policy is spent. Only
 * TransientError is retried; `onRetry` hears each retry before its delay.
 */
export async function withRetry<T>(
  task: (attempt: number) => Promise<T>,
  options: { policy?: RetryPolicy; signal?: AbortSignal | undefined; onRetry?: (error: TransientError, attempt: number, delayMs: number) => void },
): Promise<{ value: T; attempts: number }> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    try {
      return { value: await task(attempt), attempts: attempt };
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      const delay = backoffDelay(attempt, policy);
      if (attempt >= policy.attempts || Date.now() - started + delay > policy.maxElapsedMs) {
        throw new TransientError(`${error.message} (gave up after ${attempt} attempts)`, { cause: error, details: error.details });
      }
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
