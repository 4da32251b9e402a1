import { describe, expect, it } from 'vitest';
import { CancelledError, EncodeError, EnvironmentError, InputError, InternalError, TimeoutError, TransientError, UsageError } from '../../src/errors.js';
import { attemptNumber, decideBeforeRun, decideOutcome, deliveryCounts, isCredentialError, type OutcomeLimits } from '../../src/worker/decide-outcome.js';

const limits: OutcomeLimits = { maxAttempts: 3, maxRedeliveries: 2, retryTimeouts: false, retryDelaysMs: [5_000, 30_000, 120_000] };
const first = { failures: 0, redeliveries: 0 };

/** An S3 SDK error as the client throws it. */
function sdkError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('decideOutcome', () => {
  it('acks a job that succeeded', () => {
    expect(decideOutcome(undefined, first, limits)).toEqual({ action: 'ack' });
  });

  it('dead-letters bad input at once, whatever the attempt', () => {
    expect(decideOutcome(new InputError('not a video'), first, limits)).toEqual({ action: 'dead-letter', reason: 'not a video' });
  });

  it('retries transient, encode, environment and internal failures with the retry queue of the attempt', () => {
    for (const error of [new TransientError('503'), new EncodeError('ffmpeg exited 1'), new EnvironmentError('disk full'), new InternalError('bug')]) {
      expect(decideOutcome(error, first, limits)).toEqual({ action: 'retry', delayMs: 5_000, retryIndex: 0, reason: error.message });
      expect(decideOutcome(error, { failures: 1, redeliveries: 0 }, limits)).toMatchObject({ action: 'retry', delayMs: 30_000, retryIndex: 1 });
    }
  });

  it('dead-letters after maxAttempts failures, saying how many', () => {
    expect(decideOutcome(new TransientError('503'), { failures: 2, redeliveries: 0 }, limits)).toEqual({ action: 'dead-letter', reason: '503 (after 3 attempts)' });
  });

  it('reuses the longest delay when there are more attempts than retry queues', () => {
    expect(decideOutcome(new TransientError('503'), { failures: 4, redeliveries: 0 }, { ...limits, maxAttempts: 10 })).toMatchObject({ action: 'retry', delayMs: 120_000, retryIndex: 2 });
  });

  it('treats the time limit as permanent unless retryTimeouts, and says so', () => {
    const timeout = new TimeoutError('stopped after 25m (MAX_PROCESSING_TIME)');
    const decided = decideOutcome(timeout, first, limits);
    expect(decided).toMatchObject({ action: 'dead-letter' });
    expect(decided.action === 'dead-letter' && decided.reason).toMatch(/time limit: not retried.*--retry-timeouts/);
    expect(decideOutcome(timeout, first, { ...limits, retryTimeouts: true })).toMatchObject({ action: 'retry', delayMs: 5_000 });
  });

  it('requeues a cancelled job untouched, without pausing the worker', () => {
    expect(decideOutcome(new CancelledError('worker shutting down'), { failures: 2, redeliveries: 0 }, limits)).toEqual({ action: 'requeue', reason: 'worker shutting down', pauseWorker: false });
  });

  it('requeues and pauses the worker on rejected S3 credentials, whichever way the SDK says it', () => {
    for (const cause of [sdkError('InvalidAccessKeyId', 403), sdkError('SignatureDoesNotMatch', 403), sdkError('AccessDenied', 403), sdkError('Forbidden', 403)]) {
      const error = new EnvironmentError(`GET s3://b/k: access denied (403 ${cause.name})`, { cause });
      expect(decideOutcome(error, first, limits)).toEqual({ action: 'requeue', reason: error.message, pauseWorker: true });
    }
    // Wrapped once more (a retry wrapper keeps the original as cause), or no credentials at all.
    const wrapped = new TransientError('gave up', { cause: new EnvironmentError('denied', { cause: sdkError('SignatureDoesNotMatch', 403) }) });
    expect(decideOutcome(wrapped, first, limits)).toMatchObject({ action: 'requeue', pauseWorker: true });
    const missing = new UsageError('no AWS credentials found', { cause: Object.assign(new Error('x'), { name: 'CredentialsProviderError' }) });
    expect(decideOutcome(missing, first, limits)).toMatchObject({ action: 'requeue', pauseWorker: true });
  });

  it('does not take other S3 failures for credential problems', () => {
    expect(isCredentialError(new TransientError('503', { cause: sdkError('ServiceUnavailable', 503) }))).toBe(false);
    expect(isCredentialError(new EnvironmentError('no bucket', { cause: sdkError('NoSuchBucket', 404) }))).toBe(false);
    expect(isCredentialError(new InputError('no such object'))).toBe(false);
  });
});

describe('crash redeliveries', () => {
  it('counts the broker redelivered flag on top of the header', () => {
    expect(deliveryCounts(undefined, false)).toEqual({ failures: 0, redeliveries: 0 });
    expect(deliveryCounts(undefined, true)).toEqual({ failures: 0, redeliveries: 1 });
    expect(deliveryCounts({ 'x-hlsify-attempt': 1, 'x-hlsify-redeliveries': 2 }, true)).toEqual({ failures: 1, redeliveries: 3 });
    expect(deliveryCounts({ 'x-hlsify-attempt': 'junk', 'x-hlsify-redeliveries': -4 }, false)).toEqual({ failures: 0, redeliveries: 0 });
  });

  it('numbers attempts across failures and redeliveries (never attempt 1 again)', () => {
    expect(attemptNumber({ failures: 0, redeliveries: 0 })).toBe(1);
    expect(attemptNumber({ failures: 0, redeliveries: 2 })).toBe(3);
    expect(attemptNumber({ failures: 1, redeliveries: 1 })).toBe(3);
  });

  it('dead-letters a job redelivered more often than the limit, naming the reason', () => {
    expect(decideBeforeRun({ failures: 0, redeliveries: 2 }, limits)).toBeUndefined();
    const decided = decideBeforeRun({ failures: 0, redeliveries: 3 }, limits);
    expect(decided).toMatchObject({ action: 'dead-letter' });
    expect(decided?.action === 'dead-letter' && decided.reason).toMatch(/stopped mid-job 3 times.*limit 2/);
  });
});
