/**
 * The RabbitMQ worker: consumes transcode jobs, runs each through the same core pipeline as the CLI, and
 * acks only once the ladder is fully uploaded. Transient failures go to a delayed retry queue (attempt
 * count in a header), permanent ones and exhausted retries to the dead-letter queue with the reason.
 * Reconnects with backoff and re-declares its topology; a job whose channel dies is aborted and never
 * acked on another channel (the broker redelivers it). close() is graceful and idempotent.
 */
import { availableParallelism } from 'node:os';
import amqp, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { CancelledError, toHlsifyError, type HlsifyError } from '../errors.js';
import type { PipelineEvent } from '../core/events.js';
import { cleanupStaleWorkspaces } from '../core/finish/cleanup.js';
import { parseJobMessage, resolveJobInput, type JobInput, type JobMessage } from './job-message.js';
import type { Logger } from './logger.js';
import { childrenRss, type Metrics } from './metrics.js';
import { runJob, type JobDependencies } from './run-job.js';
import { sleep } from '../core/upload/retry.js';
import { declareTopology, retryQueueFor, type Topology } from './topology.js';
import { postWebhook } from './webhook.js';
import { redactUrl } from '../redact-url.js';

export interface WorkerOptions {
  amqpUrl: string;
  topology: Topology;
  /** Jobs at once = channel prefetch (WORKER_CONCURRENCY). */
  concurrency: number;
  /** Total attempts per job before it is dead-lettered. */
  maxAttempts: number;
  inputRoot: string | undefined;
  deps: Omit<JobDependencies, 'cores'>;
  logger: Logger;
  metrics: Metrics;
  progressIntervalMs?: number;
  queueDepthIntervalMs?: number;
  memorySampleMs?: number;
  memoryWarnBytes?: number;
  cleanup?: { root: string; intervalMs: number; retentionMs: number } | undefined;
}

interface Session {
  connection: ChannelModel;
  channel: ConfirmChannel;
  consumerTag: string | undefined;
  closed: boolean;
}

interface RunningJob {
  id: string;
  attempt: number;
  session: Session;
  controller: AbortController;
  startedAt: number;
  done: Promise<void>;
  progress: number;
}

const HEADER_ATTEMPT = 'x-hlsify-attempt';
const HEADER_REASON = 'x-hlsify-reason';

/** The `id` of a message that failed validation, when it is still a plausible string (for the failed event). */
function readableJobId(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' && /^[\w.-]{1,128}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

export class Worker {
  private session: Session | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  private loopDone: Promise<void> | undefined;
  private readonly jobs = new Map<number, RunningJob>();
  private readonly webhooks = new Set<Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private nextJobKey = 0;
  private readonly counts = { completed: 0, alreadyComplete: 0, retried: 0, deadLettered: 0, requeued: 0 };
  private readonly deps: JobDependencies;

  constructor(private readonly options: WorkerOptions) {
    this.deps = { ...options.deps, cores: Math.max(1, Math.floor(availableParallelism() / options.concurrency)) };
  }

  /** Starts the connection loop and the periodic chores; resolves once the first connect was tried. */
  async start(): Promise<void> {
    const { logger, cleanup } = this.options;
    if (cleanup) {
      await this.sweep();
      this.timers.push(setInterval(() => void this.sweep(), cleanup.intervalMs).unref());
    }
    void this.sampleMemory();
    this.timers.push(setInterval(() => void this.sampleMemory(), this.options.memorySampleMs ?? 30_000).unref());
    this.timers.push(setInterval(() => void this.checkQueueDepth(), this.options.queueDepthIntervalMs ?? 10_000).unref());
    logger.info({ op: 'start', amqp: redactUrl(this.options.amqpUrl), queue: this.options.topology.queue, concurrency: this.options.concurrency }, 'worker starting');
    let firstAttempt!: () => void;
    const tried = new Promise<void>((resolve) => (firstAttempt = resolve));
    this.loopDone = this.loop(firstAttempt);
    await tried;
  }

  ready(): boolean {
    return this.session !== undefined && !this.session.closed && this.session.consumerTag !== undefined && !this.closing;
  }

  status(): Record<string, unknown> {
    return {
      ready: this.ready(),
      closing: this.closing,
      queue: this.options.topology.queue,
      concurrency: this.options.concurrency,
      inFlight: [...this.jobs.values()].map((j) => ({ id: j.id, attempt: j.attempt, seconds: (Date.now() - j.startedAt) / 1000, progress: j.progress })),
      counts: this.counts,
    };
  }

  /** Stops taking jobs, lets running ones finish within `graceMs`, aborts the rest (requeued), disconnects. */
  close(graceMs = 30_000): Promise<void> {
    this.closed ??= this.doClose(graceMs);
    return this.closed;
  }

  private async doClose(graceMs: number): Promise<void> {
    const { logger } = this.options;
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    const session = this.session;
    if (session?.consumerTag && !session.closed) await session.channel.cancel(session.consumerTag).catch(() => {});
    logger.info({ op: 'shutdown', inFlight: this.jobs.size, graceMs }, 'stopped consuming; waiting for jobs in flight');
    const allDone = () => Promise.allSettled([...this.jobs.values()].map((j) => j.done));
    const finished = await Promise.race([allDone().then(() => true), sleep(graceMs).then(() => false)]);
    if (!finished) {
      logger.warn({ op: 'shutdown', inFlight: this.jobs.size }, 'grace period over: aborting jobs in flight (they are requeued)');
      for (const job of this.jobs.values()) job.controller.abort(new CancelledError('worker shutting down'));
      await allDone();
    }
    await Promise.race([Promise.allSettled([...this.webhooks]), sleep(5_000)]);
    if (session && !session.closed) {
      await session.channel.close().catch(() => {});
      await session.connection.close().catch(() => {});
    }
    await this.loopDone;
    logger.info({ op: 'shutdown' }, 'worker stopped');
  }

  private async loop(firstAttempt: () => void): Promise<void> {
    const { logger, topology } = this.options;
    let delay = 500;
    while (!this.closing) {
      let session: Session | undefined;
      try {
        const connection = await amqp.connect(this.options.amqpUrl, { clientProperties: { connection_name: `hlsify-worker-${process.pid}` } });
        const channel = await connection.createConfirmChannel();
        session = { connection, channel, consumerTag: undefined, closed: false };
        const current = session;
        const lost = new Promise<void>((resolve) => {
          connection.once('close', () => resolve());
          channel.once('close', () => resolve());
        });
        connection.on('error', (error: Error) => logger.warn({ op: 'amqp', err: error.message }, 'connection error'));
        channel.on('error', (error: Error) => logger.warn({ op: 'amqp', err: error.message }, 'channel error'));
        await declareTopology(channel, topology);
        await channel.prefetch(this.options.concurrency);
        this.session = session;
        const { consumerTag } = await channel.consume(topology.queue, (message) => this.onDelivery(current, message), { noAck: false });
        session.consumerTag = consumerTag;
        delay = 500;
        logger.info({ op: 'consume', queue: topology.queue }, 'connected and consuming');
        firstAttempt();
        if (this.closing) await channel.cancel(consumerTag).catch(() => {});
        await lost;
      } catch (error) {
        logger.warn({ op: 'amqp', err: (error as Error).message }, 'broker connection failed');
      }
      firstAttempt();
      if (session) {
        session.closed = true;
        // Deliveries of a dead channel can never be acked: stop their jobs; the broker redelivers them.
        const orphaned = [...this.jobs.values()].filter((job) => job.session === session);
        for (const job of orphaned) job.controller.abort(new CancelledError('broker connection lost'));
        await session.connection.close().catch(() => {});
        // Their ffmpeg must be gone and temp removed before this worker takes the redelivered copies.
        await Promise.allSettled(orphaned.map((job) => job.done));
      }
      if (this.session === session) this.session = undefined;
      if (this.closing) break;
      const wait = Math.round(delay * (0.5 + Math.random() / 2));
      logger.info({ op: 'reconnect', inMs: wait }, 'reconnecting to the broker');
      await sleep(wait);
      delay = Math.min(delay * 2, 15_000);
    }
  }

  private onDelivery(session: Session, message: ConsumeMessage | null): void {
    if (message === null) {
      // Server-side cancel (queue deleted, node going away): reconnect and re-declare.
      this.options.logger.warn({ op: 'consume' }, 'consumer cancelled by the broker');
      void session.channel.close().catch(() => {});
      return;
    }
    const key = this.nextJobKey++;
    const controller = new AbortController();
    const job: RunningJob = { id: '?', attempt: 0, session, controller, startedAt: Date.now(), done: Promise.resolve(), progress: 0 };
    this.jobs.set(key, job);
    this.options.metrics.inFlight.set(this.jobs.size);
    job.done = this.handle(job, message)
      .catch((error: unknown) => this.options.logger.error({ op: 'job', err: (error as Error).message }, 'unexpected error handling a delivery'))
      .finally(() => {
        this.jobs.delete(key);
        this.options.metrics.inFlight.set(this.jobs.size);
      });
  }

  private async handle(running: RunningJob, message: ConsumeMessage): Promise<void> {
    const { logger, metrics } = this.options;
    const session = running.session;
    const previous = Number(message.properties.headers?.[HEADER_ATTEMPT] ?? 0);
    running.attempt = (Number.isFinite(previous) ? previous : 0) + 1;
    let job: JobMessage;
    let input: JobInput;
    try {
      job = parseJobMessage(message.content);
      running.id = job.id;
      input = resolveJobInput(job.input, this.options.inputRoot);
    } catch (error) {
      const reason = toHlsifyError(error).message;
      if (running.id === '?') running.id = readableJobId(message.content) ?? '?';
      logger.warn({ op: 'job', jobId: running.id, reason }, 'poison message dead-lettered');
      await this.deadLetter(session, message, reason, running.attempt);
      metrics.jobs.inc({ outcome: 'dead-lettered' });
      if (running.id !== '?') await this.publishEvent(session, 'failed', { jobId: running.id, attempt: running.attempt, reason, final: true });
      return;
    }
    const log = logger.child({ jobId: job.id, attempt: running.attempt });
    log.info({ op: 'job', input: job.input, output: job.output, redelivered: message.fields.redelivered }, 'job started');
    await this.publishEvent(session, 'started', { jobId: job.id, attempt: running.attempt, input: job.input, output: job.output });
    let lastProgress = 0;
    const onEvent = (event: PipelineEvent) => {
      if (event.type === 'encode-progress') {
        running.progress = event.fraction;
        if (Date.now() - lastProgress >= (this.options.progressIntervalMs ?? 5_000)) {
          lastProgress = Date.now();
          void this.publishEvent(session, 'progress', { jobId: job.id, stage: 'encode', fraction: Number(event.fraction.toFixed(3)), speed: Number(event.speed.toFixed(3)), etaSeconds: event.etaSeconds }, false);
        }
      } else if (event.type === 'stage') log.debug({ op: event.stage }, 'stage');
      else if (event.type === 'upload-retry') log.warn({ op: 'upload', key: event.key, reason: event.reason }, 'upload retry');
    };
    try {
      const outcome = await runJob(job, input, this.deps, running.controller.signal, onEvent);
      if (session.closed) throw new CancelledError('broker connection lost before the ack');
      session.channel.ack(message);
      const seconds = (Date.now() - running.startedAt) / 1000;
      metrics.jobDuration.observe({ outcome: 'completed' }, seconds);
      let stats: Record<string, unknown> = {};
      if (outcome.status === 'completed') {
        this.counts.completed++;
        metrics.jobs.inc({ outcome: 'completed' });
        metrics.encodeSpeed.set(outcome.transcode.speed);
        metrics.uploadedBytes.inc(outcome.upload.bytesUploaded);
        stats = {
          speed: Number(outcome.transcode.speed.toFixed(3)),
          renditions: outcome.transcode.renditions.map((r) => ({ name: r.name, width: r.width, height: r.height, bandwidth: r.bandwidth, averageBandwidth: r.averageBandwidth, codecs: r.codecs.join(',') })),
          uploaded: outcome.upload.uploaded,
          skipped: outcome.upload.skipped,
        };
      } else {
        this.counts.alreadyComplete++;
        metrics.jobs.inc({ outcome: 'already-complete' });
      }
      const payload = { jobId: job.id, attempt: running.attempt, status: outcome.status, master: outcome.master, seconds: Number(seconds.toFixed(3)), ...stats };
      const { jobId: _id, attempt: _attempt, ...details } = payload;
      log.info({ op: 'job', ...details }, 'job completed');
      await this.publishEvent(session, 'completed', payload);
      if (job.webhook) this.webhook(job.webhook, { event: 'completed', ...payload }, log);
    } catch (error) {
      await this.onJobFailure(session, message, job, running, toHlsifyError(error), log);
    }
  }

  private async onJobFailure(session: Session, message: ConsumeMessage, job: JobMessage, running: RunningJob, error: HlsifyError, log: Logger): Promise<void> {
    const { metrics, maxAttempts, topology } = this.options;
    const seconds = (Date.now() - running.startedAt) / 1000;
    if (error instanceof CancelledError) {
      // Shutdown or a lost channel: the job goes back to the queue untouched.
      if (!session.closed) session.channel.nack(message, false, true);
      this.counts.requeued++;
      metrics.jobs.inc({ outcome: 'requeued' });
      log.warn({ op: 'job', reason: error.message }, 'job aborted and requeued');
      return;
    }
    if (session.closed) {
      log.warn({ op: 'job', reason: error.message }, 'job failed after its channel closed; the broker redelivers it');
      return;
    }
    const permanent = error.kind === 'input';
    if (!permanent && running.attempt < maxAttempts) {
      const retry = retryQueueFor(topology, running.attempt);
      await this.republish(session, message, retry.name, { [HEADER_ATTEMPT]: running.attempt, [HEADER_REASON]: error.message });
      this.counts.retried++;
      metrics.jobs.inc({ outcome: 'retried' });
      log.warn({ op: 'job', reason: error.message, retryInMs: retry.delayMs }, 'job failed; retry scheduled');
      await this.publishEvent(session, 'retrying', { jobId: job.id, attempt: running.attempt, reason: error.message, retryInMs: retry.delayMs });
      return;
    }
    const reason = permanent ? error.message : `${error.message} (after ${running.attempt} attempts)`;
    await this.deadLetter(session, message, reason, running.attempt);
    metrics.jobs.inc({ outcome: 'dead-lettered' });
    metrics.jobDuration.observe({ outcome: 'failed' }, seconds);
    log.error({ op: 'job', reason }, 'job failed; dead-lettered');
    const payload = { jobId: job.id, attempt: running.attempt, reason, kind: error.kind, final: true };
    await this.publishEvent(session, 'failed', payload);
    if (job.webhook) this.webhook(job.webhook, { event: 'failed', ...payload }, log);
  }

  /** Publishes a copy to `queue` (confirmed), then acks the original. */
  private async republish(session: Session, message: ConsumeMessage, queue: string, headers: Record<string, unknown>): Promise<void> {
    const { properties } = message;
    session.channel.sendToQueue(queue, message.content, {
      persistent: true,
      contentType: properties.contentType ?? 'application/json',
      priority: properties.priority,
      messageId: properties.messageId,
      headers: { ...properties.headers, ...headers },
    });
    await session.channel.waitForConfirms();
    session.channel.ack(message);
  }

  private async deadLetter(session: Session, message: ConsumeMessage, reason: string, attempt: number): Promise<void> {
    if (session.closed) return;
    this.counts.deadLettered++;
    await this.republish(session, message, this.options.topology.deadLetterQueue, {
      [HEADER_REASON]: reason.slice(0, 1000),
      [HEADER_ATTEMPT]: attempt,
      'x-hlsify-failed-at': new Date().toISOString(),
    });
  }

  private async publishEvent(session: Session, type: string, payload: Record<string, unknown>, confirm = true): Promise<void> {
    if (session.closed) return;
    try {
      session.channel.publish(this.options.topology.eventsExchange, `job.${type}`, Buffer.from(JSON.stringify({ type, at: new Date().toISOString(), ...payload })), {
        persistent: true,
        contentType: 'application/json',
      });
      if (confirm) await session.channel.waitForConfirms();
    } catch (error) {
      this.options.logger.warn({ op: 'event', type, err: (error as Error).message }, 'could not publish event');
    }
  }

  private webhook(url: string, body: Record<string, unknown>, log: Logger): void {
    const sent = postWebhook(url, body).then((result) => {
      if (result.ok) log.info({ op: 'webhook', attempts: result.attempts }, 'webhook delivered');
      else log.warn({ op: 'webhook', attempts: result.attempts, err: result.error }, 'webhook failed');
    });
    this.webhooks.add(sent);
    void sent.finally(() => this.webhooks.delete(sent));
  }

  private async sweep(): Promise<void> {
    const cleanup = this.options.cleanup;
    if (!cleanup) return;
    const outcomes = await cleanupStaleWorkspaces({ root: cleanup.root, olderThanMs: cleanup.retentionMs }).catch(() => []);
    const removed = outcomes.filter((o) => o.action === 'removed');
    if (removed.length) this.options.logger.info({ op: 'cleanup', removed: removed.length, bytes: removed.reduce((s, o) => s + o.bytes, 0) }, 'removed stale work dirs');
  }

  private async sampleMemory(): Promise<void> {
    const own = process.memoryUsage().rss;
    const children = await childrenRss();
    this.options.metrics.treeMemory.set({ process: 'worker' }, own);
    this.options.metrics.treeMemory.set({ process: 'ffmpeg' }, children);
    const limit = this.options.memoryWarnBytes ?? 2 * 1024 ** 3;
    if (own + children > limit) this.options.logger.warn({ op: 'memory', rss: own, ffmpegRss: children, limit }, 'process tree memory above the warning threshold');
  }

  private async checkQueueDepth(): Promise<void> {
    const session = this.session;
    if (!session || session.closed) return;
    try {
      const { messageCount } = await session.channel.checkQueue(this.options.topology.queue);
      this.options.metrics.queueDepth.set(messageCount);
    } catch {
      // The channel closing under us is handled by the connection loop.
    }
  }
}
