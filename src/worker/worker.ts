/**
 * The RabbitMQ worker: takes transcode jobs from the work queue, runs each through the same core pipeline
 * as the CLI, and acks only once the ladder is fully uploaded. The parts: `connection.ts` (connect,
 * reconnect, topology), `decide-outcome.ts` (ack, retry, dead-letter or requeue: pure), `job-events.ts`
 * (typed events) and `listeners.ts` (logs, AMQP events, webhooks and metrics hear those events).
 * close() is graceful and idempotent.
 */
import { availableParallelism } from 'node:os';
import type { ConsumeMessage } from 'amqplib';
import { CancelledError, toHlsifyError, type HlsifyError } from '../errors.js';
import type { PipelineEvent } from '../core/events.js';
import { sleep } from '../core/upload/retry.js';
import { parseS3Url } from '../core/upload/s3-location.js';
import { redactUrl, runConnectionLoop, type Session } from './connection.js';
import {
  attemptNumber,
  decideBeforeRun,
  decideOutcome,
  deliveryCounts,
  HEADER_ATTEMPT,
  HEADER_REASON,
  HEADER_REDELIVERIES,
  type DeliveryCounts,
  type Outcome,
  type OutcomeLimits,
} from './decide-outcome.js';
import { JobEventBus, type JobEventInput } from './job-events.js';
import { parseJobJson, parseMessageJson, resolveJobInput, type JobInput, type JobMessage } from './job-message.js';
import { looksLikeTask, parseTaskJson, taskName, type TaskMessage } from './task-message.js';
import { runTask } from './run-task.js';
import { markChunkedJobFailed } from './finish-job.js';
import { createFinishLock, type FinishLock } from './finish-lock.js';
import { InputCache } from './input-cache.js';
import { taskOutcomeEvents } from './task-events.js';
import { hostname } from 'node:os';
import { amqpListener, logListener, metricsListener, webhookListener, type JobContext, type OutcomeCounts } from './listeners.js';
import { sampleMemory, sweepWorkDirs } from './chores.js';
import { CredentialPause } from './credential-pause.js';
import { deadLetter, publishTasks, republish } from './delivery.js';
import { completedEvent, runJob, type JobDependencies } from './run-job.js';
import { readableJobId, type RunningJob, type WorkerOptions } from './worker-options.js';
import { parseWebhookAllow } from './webhook-target.js';

export { redactUrl };
export type { WorkerOptions };

export class Worker {
  private session: Session | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  private loopDone: Promise<void> | undefined;
  private readonly stop = new AbortController();
  private readonly webhookStop = new AbortController();
  private readonly jobs = new Map<number, RunningJob>();
  private readonly timers: NodeJS.Timeout[] = [];
  private nextJobKey = 0;
  private readonly counts: OutcomeCounts = { completed: 0, alreadyComplete: 0, retried: 0, deadLettered: 0, requeued: 0 };
  private readonly deps: JobDependencies;
  private readonly limits: OutcomeLimits;
  private readonly events = new JobEventBus<JobContext>();
  private readonly webhooks: Set<Promise<unknown>>;
  /** Paused while the worker's S3 credentials fail: not consuming, not ready. */
  private readonly pause: CredentialPause;
  /** One finisher per chunked job across the workers (see finish-lock.ts). */
  private readonly finishLock: FinishLock;
  private readonly inputCache: InputCache;
  private readonly workerName = `${hostname()}/${process.pid}`;
  private taken = 0;
  private finishedJobs = 0;
  private exhaust: () => void = () => {};
  /** Resolves once `maxJobs` jobs are done (never without --max-jobs). */
  readonly exhausted: Promise<void>;
  /** Rejects when the worker cannot go on (no broker within --connect-timeout). */
  readonly fatal: Promise<never>;
  private fail: (error: Error) => void = () => {};

  constructor(private readonly options: WorkerOptions) {
    this.inputCache = new InputCache({ tmpRoot: options.deps.tmpRoot, minDiskSpace: options.deps.minDiskSpace, maxBytes: options.deps.maxVideoSize });
    this.finishLock = createFinishLock(() => (this.session && !this.session.closed ? this.session.connection : undefined), options.finishLockWaitMs);
    this.deps = { ...options.deps, cores: Math.max(1, Math.floor(availableParallelism() / options.concurrency)), inputCache: this.inputCache, lock: this.finishLock };
    this.limits = {
      maxAttempts: options.maxAttempts,
      maxRedeliveries: options.maxRedeliveries ?? 3,
      retryTimeouts: options.retryTimeouts ?? false,
      retryDelaysMs: options.topology.retryQueues.map((q) => q.delayMs),
    };
    this.pause = new CredentialPause(options.probeCredentials, options.logger, this.stop.signal);
    this.exhausted = new Promise((resolve) => (this.exhaust = resolve));
    this.fatal = new Promise<never>((_, reject) => (this.fail = reject));
    this.fatal.catch(() => {});
    const webhooks = webhookListener(this.webhookStop.signal, options.webhookPolicy ?? parseWebhookAllow(undefined));
    this.webhooks = webhooks.pending;
    this.events
      .on(logListener())
      .on(metricsListener(options.metrics, this.counts))
      .on(amqpListener(() => this.session, options.topology.eventsExchange, options.logger))
      .on(webhooks.listener);
  }

  /** Starts the connection loop and the periodic chores; resolves once the first connect was tried. */
  async start(): Promise<void> {
    const { logger, cleanup } = this.options;
    if (cleanup) {
      await sweepWorkDirs(cleanup, logger);
      this.timers.push(setInterval(() => void sweepWorkDirs(cleanup, logger), cleanup.intervalMs).unref());
    }
    const sample = () => void sampleMemory(this.options.metrics, logger, this.options.memoryWarnBytes ?? 2 * 1024 ** 3);
    sample();
    this.timers.push(setInterval(sample, this.options.memorySampleMs ?? 30_000).unref());
    this.timers.push(setInterval(() => void this.checkQueue(), this.options.queueDepthIntervalMs ?? 10_000).unref());
    logger.info({ op: 'start', amqp: redactUrl(this.options.amqpUrl), queue: this.options.topology.queue, concurrency: this.options.concurrency, maxJobs: this.options.maxJobs }, 'worker starting');
    let firstAttempt!: () => void;
    const tried = new Promise<void>((resolve) => (firstAttempt = resolve));
    this.loopDone = runConnectionLoop(
      {
        url: this.options.amqpUrl,
        topology: this.options.topology,
        prefetch: this.options.concurrency,
        logger,
        signal: this.stop.signal,
        connectTimeoutMs: this.options.connectTimeoutMs ?? 60_000,
        onSession: (session) => this.onSession(session),
        onLost: (session) => this.onLost(session),
      },
      firstAttempt,
    ).catch((error: Error) => {
      logger.error({ op: 'amqp', err: error.message }, 'giving up on the broker');
      this.fail(error);
    });
    await tried;
  }

  ready(): boolean {
    return this.session !== undefined && !this.session.closed && this.session.consumerTag !== undefined && !this.closing && !this.pause.paused;
  }

  /** Why /ready says no, in words. */
  notReadyReason(): string | undefined {
    if (this.closing) return 'shutting down';
    if (this.pause.paused) return `paused: ${this.pause.paused.reason}`;
    if (!this.session || this.session.closed) return 'not connected to the broker';
    if (this.session.consumerTag === undefined) return this.maxJobsReached() ? `took its --max-jobs ${this.options.maxJobs} jobs` : 'not consuming';
    return undefined;
  }

  status(): Record<string, unknown> {
    return {
      ready: this.ready(),
      reason: this.notReadyReason(),
      closing: this.closing,
      paused: this.pause.paused,
      queue: this.options.topology.queue,
      concurrency: this.options.concurrency,
      maxJobs: this.options.maxJobs,
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
    // Ends a reconnect wait or a connect in progress at once.
    this.stop.abort(new CancelledError('worker shutting down'));
    for (const timer of this.timers) clearInterval(timer);
    const session = this.session;
    await this.stopConsuming(session);
    logger.info({ op: 'shutdown', inFlight: this.jobs.size, graceMs }, 'stopped consuming; waiting for jobs in flight');
    const allDone = () => Promise.allSettled([...this.jobs.values()].map((j) => j.done));
    const finished = await Promise.race([allDone().then(() => true), sleep(graceMs).then(() => false)]);
    if (!finished) {
      logger.warn({ op: 'shutdown', inFlight: this.jobs.size }, 'grace period over: aborting jobs in flight (they are requeued)');
      for (const job of this.jobs.values()) job.controller.abort(new CancelledError('worker shutting down'));
      await allDone();
    }
    await this.inputCache.clear();
    await Promise.race([Promise.allSettled([...this.webhooks]), sleep(5_000)]);
    this.webhookStop.abort(new CancelledError('worker shutting down'));
    await Promise.allSettled([...this.webhooks]);
    if (session && !session.closed) {
      await session.channel.close().catch(() => {});
      await session.connection.close().catch(() => {});
    }
    await this.loopDone;
    logger.info({ op: 'shutdown' }, 'worker stopped');
  }

  private maxJobsReached(): boolean {
    return this.options.maxJobs !== undefined && this.taken >= this.options.maxJobs;
  }

  private async onSession(session: Session): Promise<void> {
    this.session = session;
    if (this.pause.paused) {
      this.options.logger.warn({ op: 'consume', reason: this.pause.paused.reason }, 'connected; not consuming until the S3 credentials work');
      return;
    }
    await this.startConsuming(session);
  }

  private async startConsuming(session: Session): Promise<void> {
    if (this.closing || session.closed || session.consumerTag !== undefined || this.pause.paused || this.maxJobsReached()) return;
    const { consumerTag } = await session.channel.consume(this.options.topology.queue, (message) => this.onDelivery(session, message), { noAck: false });
    session.consumerTag = consumerTag;
    this.options.logger.info({ op: 'consume', queue: this.options.topology.queue }, 'connected and consuming');
    if (this.closing || this.pause.paused || this.maxJobsReached()) await this.stopConsuming(session);
  }

  private async resumeConsuming(): Promise<void> {
    if (this.session) await this.startConsuming(this.session);
  }

  private async stopConsuming(session: Session | undefined): Promise<void> {
    if (!session || session.closed || session.consumerTag === undefined) return;
    const tag = session.consumerTag;
    session.consumerTag = undefined;
    await session.channel.cancel(tag).catch(() => {});
  }

  private async onLost(session: Session): Promise<void> {
    // Deliveries of a dead channel can never be acked: stop their jobs; the broker redelivers them.
    const orphaned = [...this.jobs.values()].filter((job) => job.session === session);
    for (const job of orphaned) job.controller.abort(new CancelledError('broker connection lost'));
    await session.connection.close().catch(() => {});
    // Their ffmpeg must be gone and temp removed before this worker takes the redelivered copies.
    await Promise.allSettled(orphaned.map((job) => job.done));
    if (this.session === session) this.session = undefined;
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
        if (this.options.maxJobs !== undefined && this.finishedJobs >= this.options.maxJobs && this.jobs.size === 0) this.exhaust();
      });
  }

  /** Where the job's input is: an s3:// URL, or a local file under --input-root. */
  private resolveInput(job: JobMessage): JobInput {
    return resolveJobInput(job.input, this.options.inputRoot);
  }

  private async handle(running: RunningJob, message: ConsumeMessage): Promise<void> {
    const { logger } = this.options;
    const session = running.session;
    const counts = deliveryCounts(message.properties.headers, message.fields.redelivered);
    running.attempt = attemptNumber(counts);
    if (this.maxJobsReached() || this.closing || this.pause.paused) {
      // Prefetched beyond --max-jobs, or arrived while stopping or paused: back to the queue for another worker.
      if (!session.closed) await republish(session, message, this.options.topology.queue, {});
      return;
    }
    this.taken++;
    if (this.maxJobsReached()) void this.stopConsuming(session);
    let job: JobMessage;
    let task: TaskMessage | undefined;
    let input: JobInput;
    // A job that parsed but cannot run (its input refused) still signs its failure for its submitter.
    let eventKey: string | undefined;
    try {
      const json = parseMessageJson(message.content);
      if (looksLikeTask(json)) {
        task = parseTaskJson(json);
        job = task.job;
      } else job = parseJobJson(json);
      running.id = job.id;
      eventKey = job.eventKey;
      input = this.resolveInput(job);
    } catch (error) {
      const reason = toHlsifyError(error).message;
      if (running.id === '?') running.id = readableJobId(message.content) ?? '?';
      await deadLetter(session, message, this.options.topology.deadLetterQueue, reason, running.attempt);
      this.finishedJobs++;
      await this.emit({ type: 'failed', jobId: running.id, attempt: running.attempt, reason, kind: 'input', final: true }, { log: logger.child({ jobId: running.id }), webhook: undefined, poison: true, eventKey });
      return;
    }
    const log = logger.child({ jobId: job.id, attempt: running.attempt, ...(task ? { task: taskName(task) } : {}) });
    const context: JobContext = { log, webhook: job.webhook, eventKey: job.eventKey };
    if (message.fields.redelivered) {
      // Its previous worker vanished mid-job. The count must live on the message, so a copy carrying it
      // goes back to the queue (the original is acked); past the limit the job is dead-lettered instead.
      const limit = decideBeforeRun(counts, this.limits);
      if (limit) return this.finish(session, message, job, task, running, counts, limit, context);
      this.taken--;
      await republish(session, message, this.options.topology.queue, { [HEADER_REDELIVERIES]: counts.redeliveries });
      log.warn({ op: 'job', redeliveries: counts.redeliveries, limit: this.limits.maxRedeliveries }, 'redelivered after its worker stopped mid-job; requeued with the count');
      if (!this.maxJobsReached()) void this.startConsuming(session);
      return;
    }
    // A task is part of a job that already started: its own events say which task and which worker.
    if (!task) await this.emit({ type: 'started', jobId: job.id, attempt: running.attempt, input: job.input, output: job.output, redeliveries: counts.redeliveries }, context);
    let lastProgress = 0;
    const onEvent = (event: PipelineEvent) => {
      if (event.type === 'encode-progress') {
        running.progress = event.fraction;
        if (Date.now() - lastProgress >= (this.options.progressIntervalMs ?? 5_000)) {
          lastProgress = Date.now();
          void this.emit({ type: 'progress', jobId: job.id, attempt: running.attempt, stage: 'encode', fraction: Number(event.fraction.toFixed(3)), speed: Number(event.speed.toFixed(3)), etaSeconds: event.etaSeconds, ...(task ? { task: taskName(task) } : {}) }, context);
        }
      } else if (event.type === 'stage') log.debug({ op: event.stage }, 'stage');
      else if (event.type === 'upload-retry') log.warn({ op: 'upload', key: event.key, reason: event.reason }, 'upload retry');
    };
    let error: HlsifyError | undefined;
    try {
      if (task) {
        const outcome = await runTask(task, input, this.deps, running.controller.signal, onEvent);
        if (session.closed) throw new CancelledError('broker connection lost before the ack');
        this.finishedJobs++;
        if (outcome.status === 'refused') {
          // Not the job's failure: a forged task, or one of an earlier run. The job's own tasks go on.
          await deadLetter(session, message, this.options.topology.deadLetterQueue, outcome.reason, running.attempt);
          log.warn({ op: 'task', reason: outcome.reason }, 'task refused and dead-lettered');
          return;
        }
        session.channel.ack(message);
        for (const event of taskOutcomeEvents(task, running, outcome, this.workerName)) await this.emit(event, context);
        return;
      }
      const outcome = await runJob(job, input, this.deps, running.controller.signal, onEvent, (tasks, priority) => publishTasks(session, this.options.topology.queue, tasks, priority));
      if (session.closed) throw new CancelledError('broker connection lost before the ack');
      session.channel.ack(message);
      const seconds = (Date.now() - running.startedAt) / 1000;
      this.finishedJobs++;
      if (outcome.status === 'split') {
        await this.emit({ type: 'split', jobId: job.id, attempt: running.attempt, ...outcome.split }, context);
        return;
      }
      if (outcome.status === 'completed') context.bytesUploaded = outcome.upload.bytesUploaded;
      await this.emit(completedEvent(job.id, running.attempt, outcome, seconds), context);
      return;
    } catch (thrown) {
      error = toHlsifyError(thrown);
    }
    if (session.closed) {
      log.warn({ op: 'job', reason: error.message }, 'job stopped after its channel closed; the broker redelivers it');
      return;
    }
    await this.finish(session, message, job, task, running, counts, decideOutcome(error, counts, this.limits), context, error);
  }

  /** Carries out a decision for a job that did not complete. */
  private async finish(session: Session, message: ConsumeMessage, job: JobMessage, task: TaskMessage | undefined, running: RunningJob, counts: DeliveryCounts, outcome: Outcome, context: JobContext, error?: HlsifyError): Promise<void> {
    const { topology } = this.options;
    const seconds = Number(((Date.now() - running.startedAt) / 1000).toFixed(3));
    switch (outcome.action) {
      case 'ack':
        session.channel.ack(message);
        return;
      case 'requeue':
        // Stop consuming first, or the copy comes straight back to this worker.
        if (outcome.pauseWorker && this.pause.start(outcome.reason, parseS3Url(job.output).bucket, () => this.resumeConsuming())) await this.stopConsuming(this.session);
        if (!session.closed) await republish(session, message, topology.queue, {});
        this.taken--;
        await this.emit({ type: 'requeued', jobId: job.id, attempt: running.attempt, reason: outcome.reason }, context);
        if (!outcome.pauseWorker && !this.closing) void this.startConsuming(session);
        return;
      case 'retry': {
        const retry = topology.retryQueues[outcome.retryIndex]!;
        await republish(session, message, retry.name, { [HEADER_ATTEMPT]: counts.failures + 1, [HEADER_REASON]: outcome.reason });
        this.finishedJobs++;
        await this.emit({ type: 'retrying', jobId: job.id, attempt: running.attempt, reason: outcome.reason, retryInMs: retry.delayMs }, context);
        return;
      }
      case 'dead-letter': {
        await deadLetter(session, message, topology.deadLetterQueue, outcome.reason, running.attempt);
        this.finishedJobs++;
        // A task failing for good fails its whole job, once (the first such task marks it in the bucket).
        const reason = task ? `${taskName(task)}: ${outcome.reason}` : outcome.reason;
        if (task && !(await markChunkedJobFailed(task, reason, this.deps, this.stop.signal, this.finishLock, context.log))) return;
        await this.emit({ type: 'failed', jobId: job.id, attempt: running.attempt, reason, kind: error?.kind ?? 'redelivered', final: true, seconds }, context);
        return;
      }
    }
  }

  private emit(event: JobEventInput, context: JobContext): Promise<unknown> {
    return this.events.emit(event, context);
  }

  beforeScrape(): Promise<void> {
    return this.checkQueue();
  }

  /** Ready messages and consumers of the work queue, as a queue-length autoscaler reads them. */
  async checkQueue(): Promise<void> {
    const session = this.session;
    if (!session || session.closed) return;
    try {
      const { messageCount, consumerCount } = await session.channel.checkQueue(this.options.topology.queue);
      this.options.metrics.queueDepth.set(messageCount);
      this.options.metrics.queueConsumers.set(consumerCount);
    } catch {
      // The channel closing under us is handled by the connection loop.
    }
  }
}
