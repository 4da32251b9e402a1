/** What a Worker is built from (flags resolved by `hlsify consume`), and its record of a job in flight. */
import type { Session } from './connection.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { JobDependencies } from './run-job.js';
import type { Topology } from './topology.js';
import type { WebhookPolicy } from './webhook-target.js';

export interface WorkerOptions {
  amqpUrl: string;
  topology: Topology;
  /** Jobs at once = channel prefetch (WORKER_CONCURRENCY). */
  concurrency: number;
  /** Total attempts per job before it is dead-lettered. */
  maxAttempts: number;
  /** Redeliveries after a worker vanished mid-job before the job is dead-lettered. */
  maxRedeliveries?: number;
  retryTimeouts?: boolean;
  /** Exit (resolve `exhausted`) after this many jobs. */
  maxJobs?: number | undefined;
  connectTimeoutMs?: number;
  /** How long a finisher waits for a chunked job's finish lock before its task is retried later. */
  finishLockWaitMs?: number | undefined;
  webhookPolicy?: WebhookPolicy;
  inputRoot: string | undefined;
  deps: Omit<JobDependencies, 'cores'>;
  /** A cheap request proving the S3 credentials work for `bucket` (throws while they do not). */
  probeCredentials?: (bucket: string, signal: AbortSignal) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  progressIntervalMs?: number;
  queueDepthIntervalMs?: number;
  memorySampleMs?: number;
  memoryWarnBytes?: number;
  cleanup?: { root: string; intervalMs: number; retentionMs: number } | undefined;
}

export interface RunningJob {
  id: string;
  attempt: number;
  session: Session;
  controller: AbortController;
  startedAt: number;
  done: Promise<void>;
  progress: number;
}

/** The `id` of a message that failed validation, when it is still a plausible string (for the failed event). */
export function readableJobId(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' && /^[\w.-]{1,128}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
