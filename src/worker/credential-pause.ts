/**
 * The worker's S3 credentials are rejected: a fault of the worker, not of its jobs. While paused the worker
 * does not consume and /ready says why; a cheap probe retries the credentials with backoff (1 s doubling
 * to 1 min) until they work, then `resume` runs.
 */
import { toHlsifyError } from '../errors.js';
import { sleep } from '../core/upload/retry.js';
import type { Logger } from './logger.js';

export class CredentialPause {
  private state: { reason: string; since: number } | undefined;

  constructor(
    private readonly probe: ((bucket: string, signal: AbortSignal) => Promise<void>) | undefined,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
  ) {}

  get paused(): { reason: string; since: number } | undefined {
    return this.state;
  }

  /** Enters the paused state (once) and starts probing `bucket`; `resume` runs when the probe succeeds. */
  start(reason: string, bucket: string, resume: () => Promise<void>): boolean {
    if (this.state) return false;
    this.state = { reason, since: Date.now() };
    this.logger.error({ op: 'credentials', bucket, reason }, 'S3 credentials rejected: stopped consuming until they work');
    void this.probeUntilAccepted(bucket).then(async (accepted) => {
      if (!accepted) return;
      this.state = undefined;
      this.logger.info({ op: 'credentials', bucket }, 'S3 credentials work again: consuming');
      await resume().catch(() => {});
    });
    return true;
  }

  private async probeUntilAccepted(bucket: string): Promise<boolean> {
    let delay = 1_000;
    for (;;) {
      await sleep(delay, this.signal).catch(() => {});
      if (this.signal.aborted) return false;
      try {
        if (!this.probe) throw new Error('no credential probe');
        await this.probe(bucket, this.signal);
        return true;
      } catch (error) {
        if (this.signal.aborted) return false;
        this.state = { reason: toHlsifyError(error).message, since: this.state?.since ?? Date.now() };
        this.logger.warn({ op: 'credentials', bucket, reason: this.state.reason, retryInMs: delay }, 'S3 credentials still rejected');
        delay = Math.min(delay * 2, 60_000);
      }
    }
  }
}
