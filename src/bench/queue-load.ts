/**
 * N jobs published to a RabbitMQ work queue that running `hlsify consume` workers take: queue wait
 * (publish → the worker's job.started event), processing time (started → completed) and success rate,
 * all from the workers' events on the events exchange. Times are taken when this process receives the
 * events, so the workers' clocks do not matter.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import amqp from 'amqplib';
import type { BenchListener } from './bench-events.js';
import { errorMessage } from './bench-util.js';
import { median } from './upload-throughput.js';
import { createS3Client } from '../core/upload/s3-client.js';
import { abortReason } from '../errors.js';
import { redactUrl } from '../redact-url.js';

export interface QueueJobResult {
  id: string;
  outcome: 'completed' | 'failed' | 'unfinished';
  retries: number;
  queueWaitSeconds: number | undefined;
  processingSeconds: number | undefined;
  reason: string | undefined;
}

export type QueueLoadResult =
  | {
      measured: true;
      queue: string;
      consumers: number;
      jobs: number;
      succeeded: number;
      failed: number;
      unfinished: number;
      retries: number;
      successRate: number;
      wallSeconds: number;
      queueWaitSeconds: { median: number; p95: number; max: number } | undefined;
      processingSeconds: { median: number; max: number } | undefined;
      outputPrefix: string;
      perJob: QueueJobResult[];
    }
  | { measured: false; reason: string };

export interface QueueLoadOptions {
  amqpUrl: string;
  queue: string;
  eventsExchange: string;
  jobs: number;
  input: string;
  /** Where the input goes and the ladders are written: a bucket the workers can reach. */
  bucket: string;
  endpoint: string | undefined;
  env: NodeJS.ProcessEnv;
  ladder?: { size: number; bitrate?: number | undefined }[] | undefined;
  preset?: string | undefined;
  /** How long to wait for a consuming worker. */
  consumerWaitMs?: number | undefined;
  /** How long to wait for every job to finish. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  onEvent?: BenchListener | undefined;
}

/** The nearest-rank percentile of `values` (0 < p ≤ 1). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

async function consumerCount(connection: amqp.ChannelModel, queue: string): Promise<number> {
  // A failed checkQueue closes its channel: use a throwaway one.
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  try {
    return (await channel.checkQueue(queue)).consumerCount;
  } catch {
    return 0;
  } finally {
    await channel.close().catch(() => {});
  }
}

export async function runQueueLoad(options: QueueLoadOptions): Promise<QueueLoadResult> {
  const redactedUrl = redactUrl(options.amqpUrl);
  let connection: amqp.ChannelModel;
  try {
    connection = await amqp.connect(options.amqpUrl);
  } catch (error) {
    return { measured: false, reason: `cannot connect to ${redactedUrl}: ${errorMessage(error)}` };
  }
  connection.on('error', () => {});
  try {
    let consumers = 0;
    const deadline = Date.now() + (options.consumerWaitMs ?? 10_000);
    while ((consumers = await consumerCount(connection, options.queue)) === 0 && Date.now() < deadline) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      await new Promise((r) => setTimeout(r, 500));
    }
    if (consumers === 0) return { measured: false, reason: `no worker consuming "${options.queue}" within ${Math.round((options.consumerWaitMs ?? 10_000) / 1000)} s` };

    const stamp = `bench-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const s3 = createS3Client({ endpoint: options.endpoint }, options.env);
    const inputKey = `${stamp}/${basename(options.input)}`;
    try {
      const { size } = await stat(options.input);
      await s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: inputKey, Body: createReadStream(options.input), ContentLength: size }), { abortSignal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      return { measured: false, reason: `cannot put the input into s3://${options.bucket}: ${errorMessage(error)}` };
    } finally {
      s3.destroy();
    }

    // The same job schema, publisher and event union as `hlsify submit` and the workers.
    const [{ buildJob, openPublisher }, { topologyFor }] = await Promise.all([import('../worker/publisher.js'), import('../worker/topology.js')]);
    const publisher = await openPublisher(options.amqpUrl, topologyFor(options.queue, { eventsExchange: options.eventsExchange }), options.signal ?? new AbortController().signal);
    const published = new Map<string, number>();
    const started = new Map<string, number>();
    const finished = new Map<string, { outcome: 'completed' | 'failed'; at: number; reason: string | undefined }>();
    const retries = new Map<string, number>();
    const progress = () => options.onEvent?.({ type: 'queue-progress', published: published.size, started: started.size, finished: finished.size, jobs: options.jobs });
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const jobs = Array.from({ length: options.jobs }, (_, i) =>
      buildJob({ id: `${stamp}-${i}`, input: `s3://${options.bucket}/${inputKey}`, output: `s3://${options.bucket}/${stamp}/out/${i}`, ladder: options.ladder?.map((r) => ({ size: r.size, ...(r.bitrate === undefined ? {} : { bitrate: r.bitrate }) })), preset: options.preset }),
    );
    const watch = await publisher.watch(
      jobs.map((job) => job.id),
      (event) => {
        const now = performance.now();
        const id = event.jobId;
        if (!published.has(id)) return;
        if (event.type === 'started' && !started.has(id)) {
          started.set(id, now);
          progress();
        } else if (event.type === 'retrying') {
          retries.set(id, (retries.get(id) ?? 0) + 1);
        } else if ((event.type === 'completed' || event.type === 'failed') && !finished.has(id)) {
          finished.set(id, { outcome: event.type, at: now, reason: event.type === 'failed' ? event.reason : undefined });
          progress();
        }
        if (finished.size === options.jobs) resolveDone();
      },
    );

    const t0 = performance.now();
    try {
      for (const job of jobs) {
        published.set(job.id, performance.now());
        await publisher.publish(job);
      }
    } catch (error) {
      await publisher.close();
      throw error;
    }
    progress();

    let timer: NodeJS.Timeout | undefined;
    const aborted = new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([done, aborted, new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeoutMs)))]);
    clearTimeout(timer);
    if (options.signal?.aborted) {
      await publisher.close();
      throw abortReason(options.signal);
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    await watch.close();
    await publisher.close();

    const perJob: QueueJobResult[] = [...published].map(([id, at]) => {
      const s = started.get(id);
      const f = finished.get(id);
      return {
        id,
        outcome: f?.outcome ?? 'unfinished',
        retries: retries.get(id) ?? 0,
        queueWaitSeconds: s === undefined ? undefined : (s - at) / 1000,
        processingSeconds: s !== undefined && f?.outcome === 'completed' ? (f.at - s) / 1000 : undefined,
        reason: f?.reason,
      };
    });
    const waits = perJob.map((j) => j.queueWaitSeconds).filter((w): w is number => w !== undefined);
    const processing = perJob.map((j) => j.processingSeconds).filter((p): p is number => p !== undefined);
    const succeeded = perJob.filter((j) => j.outcome === 'completed').length;
    const failed = perJob.filter((j) => j.outcome === 'failed').length;
    return {
      measured: true,
      queue: options.queue,
      consumers,
      jobs: options.jobs,
      succeeded,
      failed,
      unfinished: options.jobs - succeeded - failed,
      retries: [...retries.values()].reduce((a, b) => a + b, 0),
      successRate: succeeded / options.jobs,
      wallSeconds,
      queueWaitSeconds: waits.length ? { median: median(waits), p95: percentile(waits, 0.95), max: Math.max(...waits) } : undefined,
      processingSeconds: processing.length ? { median: median(processing), max: Math.max(...processing) } : undefined,
      outputPrefix: `s3://${options.bucket}/${stamp}/`,
      perJob,
    };
  } finally {
    await connection.close().catch(() => {});
  }
}
