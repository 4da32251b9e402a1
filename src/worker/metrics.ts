/** Prometheus metrics of a worker (prom-client), plus process-tree memory sampled from /proc. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { descendantsOf, procConstants, readProcTable, type ProcConstants } from '../core/tools/proc-stats.js';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hlsify_' });
  const metrics = {
    registry,
    jobs: new Counter({ name: 'hlsify_jobs_total', help: 'Jobs by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
    jobDuration: new Histogram({
      name: 'hlsify_job_duration_seconds',
      help: 'Wall time of finished jobs',
      labelNames: ['outcome'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers: [registry],
    }),
    encodeSpeed: new Gauge({ name: 'hlsify_encode_speed_ratio', help: 'Input seconds per wall second of the last finished transcode', registers: [registry] }),
    uploadedBytes: new Counter({ name: 'hlsify_uploaded_bytes_total', help: 'Bytes uploaded to object storage', registers: [registry] }),
    inFlight: new Gauge({ name: 'hlsify_jobs_in_flight', help: 'Jobs being processed now', registers: [registry] }),
    queueDepth: new Gauge({ name: 'hlsify_queue_depth', help: 'Messages ready in the work queue, not counting jobs in progress (last check)', registers: [registry] }),
    queueConsumers: new Gauge({ name: 'hlsify_queue_consumers', help: 'Consumers of the work queue across all workers (last check)', registers: [registry] }),
    treeMemory: new Gauge({ name: 'hlsify_process_tree_rss_bytes', help: 'Resident memory of the worker and its ffmpeg children', labelNames: ['process'] as const, registers: [registry] }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

let constants: Promise<ProcConstants> | undefined;

/** RSS in bytes of every descendant of `pid` (Linux /proc); 0 where /proc is not available. */
export async function childrenRss(pid: number = process.pid): Promise<number> {
  constants ??= procConstants();
  const table = await readProcTable(await constants);
  if (!table) return 0;
  return descendantsOf(table, [pid])
    .filter((entry) => entry.pid !== pid)
    .reduce((sum, entry) => sum + entry.rssBytes, 0);
}
