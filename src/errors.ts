/**
 * The one errors module. Every failure hlsify reports is one of these; the CLI maps them to exit codes
 * and one-line messages, the worker (later) maps them to ack/retry/dead-letter decisions.
 */

export type ErrorKind = 'usage' | 'input' | 'encode' | 'environment' | 'timeout' | 'cancelled' | 'transient' | 'internal';

export abstract class HlsifyError extends Error {
  abstract readonly kind: ErrorKind;
  /** Exit code the CLI uses for this error. */
  abstract readonly exitCode: number;
  /** Extra lines shown only with --verbose (e.g. an ffmpeg stderr tail). */
  readonly details: string | undefined;

  constructor(message: string, options?: { cause?: unknown; details?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
}

/** A bad flag, a bad environment value, a missing or unusable ffmpeg: the user must change how hlsify is run. */
export class UsageError extends HlsifyError {
  readonly kind = 'usage';
  readonly exitCode = 2;
}

/** The input is not a usable video (missing, empty, corrupt, crafted, no video stream). Never retried. */
export class InputError extends HlsifyError {
  readonly kind = 'input';
  readonly exitCode = 1;
}

/** ffmpeg failed or produced an incomplete ladder. `details` keeps the stderr tail. */
export class EncodeError extends HlsifyError {
  readonly kind = 'encode';
  readonly exitCode = 1;
}

/** The machine cannot run the job as asked: not enough disk, output dir in the way, I/O failure. */
export class EnvironmentError extends HlsifyError {
  readonly kind = 'environment';
  readonly exitCode = 1;
}

/** The job ran longer than MAX_PROCESSING_TIME / --timeout and was stopped. */
export class TimeoutError extends HlsifyError {
  readonly kind = 'timeout';
  readonly exitCode = 1;
}

/** The run was interrupted (Ctrl-C, SIGTERM, an aborted signal). */
export class CancelledError extends HlsifyError {
  readonly kind = 'cancelled';
  readonly exitCode = 130;
}

/** A failure worth retrying later (network, 5xx, throttling). */
export class TransientError extends HlsifyError {
  readonly kind = 'transient';
  readonly exitCode = 1;
}

/** A bug in hlsify: anything that is not one of the above ends up here. */
export class InternalError extends HlsifyError {
  readonly kind = 'internal';
  readonly exitCode = 1;
}

/** Turns anything thrown into an HlsifyError, keeping the original as `cause`. */
export function toHlsifyError(error: unknown): HlsifyError {
  if (error instanceof HlsifyError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError(message, { cause: error, details: error instanceof Error ? error.stack : undefined });
}

/**
 * The error a run should fail with once `signal` is aborted: the signal's reason when it is one of ours
 * (TimeoutError, CancelledError), else a CancelledError.
 */
export function abortReason(signal: AbortSignal): HlsifyError {
  const reason: unknown = signal.reason;
  if (reason instanceof HlsifyError) return reason;
  return new CancelledError('interrupted', { cause: reason });
}

/** Throws the abort reason when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** Keeps the last `maxLines` non-empty lines of a stderr text for `details`. */
export function stderrTail(stderr: string, maxLines = 15): string {
  return stderr
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-maxLines)
    .join('\n');
}
