/**
 * What happens to a delivery once its job ran (or could not run): pure, so every error kind is tested in
 * memory. Jobs fail for good on bad input, on the time limit (unless retried on purpose) and after
 * `maxAttempts`; a worker-level problem (its S3 credentials) hands the job back untouched.
 */
import { CancelledError, type HlsifyError } from '../errors.js';

export interface OutcomeLimits {
  /** Total attempts per job (failures that count) before it is dead-lettered. */
  maxAttempts: number;
  /** Times a job may come back after its worker vanished mid-job (kill -9, OOM, lost connection). */
  maxRedeliveries: number;
  /** Treat a time-limit failure like a transient one (--retry-timeouts). */
  retryTimeouts: boolean;
  /** Delays of the retry queues; later failures reuse the last. */
  retryDelaysMs: readonly number[];
}

/** How often a job has been tried, from the headers hlsify keeps on the message. */
export interface DeliveryCounts {
  /** Failed attempts so far (retry-queue round trips). */
  failures: number;
  /** Redeliveries after a worker vanished mid-job, this one included. */
  redeliveries: number;
}

export type Outcome =
  | { action: 'ack' }
  | { action: 'retry'; delayMs: number; retryIndex: number; reason: string }
  | { action: 'dead-letter'; reason: string }
  /** Back to the work queue untouched; `pauseWorker` when the fault is the worker's, not the job's. */
  | { action: 'requeue'; reason: string; pauseWorker: boolean };

export const HEADER_ATTEMPT = 'x-hlsify-attempt';
export const HEADER_REDELIVERIES = 'x-hlsify-redeliveries';
export const HEADER_REASON = 'x-hlsify-reason';

const whole = (value: unknown) => {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
};

/**
 * The counts of a delivery. The broker's `redelivered` flag means the previous holder never acked or
 * rejected it (its process or connection died): that is one more redelivery than the header records.
 */
export function deliveryCounts(headers: Record<string, unknown> | undefined, redelivered: boolean): DeliveryCounts {
  return { failures: whole(headers?.[HEADER_ATTEMPT]), redeliveries: whole(headers?.[HEADER_REDELIVERIES]) + (redelivered ? 1 : 0) };
}

/** The attempt number users see: every try, whether it failed or its worker vanished. */
export function attemptNumber(counts: DeliveryCounts): number {
  return counts.failures + counts.redeliveries + 1;
}

/** Before running: a job redelivered more often than allowed is dead-lettered instead of run again. */
export function decideBeforeRun(counts: DeliveryCounts, limits: OutcomeLimits): Outcome | undefined {
  if (counts.redeliveries > limits.maxRedeliveries) {
    return {
      action: 'dead-letter',
      reason: `its worker stopped mid-job ${counts.redeliveries} times (killed, out of memory or disconnected); redelivery limit ${limits.maxRedeliveries} (--max-redeliveries)`,
    };
  }
  return undefined;
}

const CREDENTIAL_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'CredentialsProviderError']);

/**
 * Whether `error` says the worker's S3 credentials are wrong (403 InvalidAccessKeyId, SignatureDoesNotMatch,
 * AccessDenied, a bodiless 403 from a HEAD, no credentials at all): a fault of the worker, not of the job.
 */
export function isCredentialError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const e = current as { name?: unknown; Code?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
    if (e.$metadata?.httpStatusCode === 403) return true;
    for (const code of [e.name, e.Code, e.code]) if (typeof code === 'string' && CREDENTIAL_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The decision for a job that ended with `error` (undefined: it succeeded). */
export function decideOutcome(error: HlsifyError | undefined, counts: DeliveryCounts, limits: OutcomeLimits): Outcome {
  if (error === undefined) return { action: 'ack' };
  if (error instanceof CancelledError || error.kind === 'cancelled') return { action: 'requeue', reason: error.message, pauseWorker: false };
  if (isCredentialError(error)) return { action: 'requeue', reason: error.message, pauseWorker: true };
  if (error.kind === 'input') return { action: 'dead-letter', reason: error.message };
  if (error.kind === 'timeout' && !limits.retryTimeouts) {
    return { action: 'dead-letter', reason: `${error.message} (time limit: not retried; start the worker with --retry-timeouts to retry)` };
  }
  const attempt = counts.failures + 1;
  if (attempt < limits.maxAttempts && limits.retryDelaysMs.length > 0) {
    const retryIndex = Math.min(attempt, limits.retryDelaysMs.length) - 1;
    return { action: 'retry', delayMs: limits.retryDelaysMs[retryIndex]!, retryIndex, reason: error.message };
  }
  return { action: 'dead-letter', reason: `${error.message} (after ${attempt} attempts)` };
}
