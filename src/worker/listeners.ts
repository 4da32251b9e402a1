/**
 * The worker's presenters of job events: JSON logs, the events exchange, webhooks, Prometheus metrics
 * and the /status counters. Each is a listener on the worker's JobEventBus.
 */
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { JobEvent } from './job-events.js';
import type { Session } from './connection.js';
import { SIGNATURE_HEADER, signEvent } from './event-signature.js';
import { postWebhook } from './webhook.js';
import type { WebhookPolicy } from './webhook-target.js';

/** What a listener knows about the job besides the event. */
export interface JobContext {
  log: Logger;
  webhook: string | undefined;
  /** The job's key for signing its events on the exchange (event-signature.ts), when its submitter set one. */
  eventKey?: string;
  /** A message that is not a valid job (never retried). */
  poison?: boolean;
  /** Bytes uploaded by a completed job. */
  bytesUploaded?: number;
}

export type WorkerListener = (event: JobEvent, context: JobContext) => void | Promise<void>;

/** One log line per event, in the words operators grep for. */
export function logListener(): WorkerListener {
  return (event, { log, poison }) => {
    const { type: _type, jobId: _jobId, attempt: _attempt, at: _at, ...details } = event;
    switch (event.type) {
      case 'started':
        log.info({ op: 'job', ...details, redelivered: (event.redeliveries ?? 0) > 0 }, 'job started');
        break;
      case 'completed':
        log.info({ op: 'job', ...details }, 'job completed');
        break;
      case 'retrying':
        log.warn({ op: 'job', reason: event.reason, retryInMs: event.retryInMs }, 'job failed; retry scheduled');
        break;
      case 'requeued':
        log.warn({ op: 'job', reason: event.reason }, 'job aborted and requeued');
        break;
      case 'failed':
        if (poison) log.warn({ op: 'job', reason: event.reason }, 'poison message dead-lettered');
        else log.error({ op: 'job', reason: event.reason, kind: event.kind }, 'job failed; dead-lettered');
        break;
      case 'progress':
        log.debug({ op: 'progress', fraction: event.fraction }, 'progress');
        break;
      case 'split':
        log.info({ op: 'job', chunks: event.chunks, tasks: event.tasks, chunkSeconds: event.chunkSeconds }, 'job split into chunk tasks');
        break;
      case 'task':
        log.info({ op: 'task', task: event.task, status: event.status, seconds: event.seconds, reason: event.reason }, `task ${event.status}`);
        break;
    }
  };
}

/** Publishes each event on the topic exchange as `job.<type>`; confirmed, except progress. */
export function amqpListener(session: () => Session | undefined, exchange: string, logger: Logger): WorkerListener {
  return async (event, { poison, eventKey }) => {
    // A message too broken to name its job has nobody listening for it.
    if (poison && event.jobId === '?') return;
    const current = session();
    if (!current || current.closed) return;
    try {
      const body = Buffer.from(JSON.stringify(event));
      const headers = eventKey ? { [SIGNATURE_HEADER]: signEvent(eventKey, body) } : undefined;
      current.channel.publish(exchange, `job.${event.type}`, body, { persistent: true, contentType: 'application/json', headers });
      if (event.type !== 'progress') await current.channel.waitForConfirms();
    } catch (error) {
      logger.warn({ op: 'event', type: event.type, err: (error as Error).message }, 'could not publish event');
    }
  };
}

/** POSTs final events to the job's webhook; the returned `pending` set lets shutdown wait for (or abort) them. */
export function webhookListener(signal: AbortSignal, policy: WebhookPolicy) {
  const pending = new Set<Promise<unknown>>();
  const listener: WorkerListener = (event, { webhook, log }) => {
    if (!webhook || (event.type !== 'completed' && event.type !== 'failed')) return;
    const { type, ...rest } = event;
    const sent = postWebhook(webhook, { event: type, ...rest }, { signal, policy }).then((result) => {
      if (result.ok) log.info({ op: 'webhook', attempts: result.attempts }, 'webhook delivered');
      else log.warn({ op: 'webhook', attempts: result.attempts, err: result.error }, 'webhook failed');
    });
    pending.add(sent);
    void sent.finally(() => pending.delete(sent));
  };
  return { listener, pending };
}

export interface OutcomeCounts {
  completed: number;
  alreadyComplete: number;
  retried: number;
  deadLettered: number;
  requeued: number;
}

/** Job counters by outcome, for Prometheus and /status: a job found complete is not counted as completed. */
export function metricsListener(metrics: Metrics, counts: OutcomeCounts): WorkerListener {
  return (event, { bytesUploaded }) => {
    switch (event.type) {
      case 'completed':
        if (event.status === 'completed') counts.completed++;
        else counts.alreadyComplete++;
        metrics.jobs.inc({ outcome: event.status });
        metrics.jobDuration.observe({ outcome: event.status }, event.seconds);
        if (event.speed !== undefined) metrics.encodeSpeed.set(event.speed);
        if (bytesUploaded) metrics.uploadedBytes.inc(bytesUploaded);
        break;
      case 'retrying':
        counts.retried++;
        metrics.jobs.inc({ outcome: 'retried' });
        break;
      case 'requeued':
        counts.requeued++;
        metrics.jobs.inc({ outcome: 'requeued' });
        break;
      case 'failed':
        counts.deadLettered++;
        metrics.jobs.inc({ outcome: 'dead-lettered' });
        if (typeof event.seconds === 'number') metrics.jobDuration.observe({ outcome: 'failed' }, event.seconds);
        break;
      default:
        break;
    }
  };
}
