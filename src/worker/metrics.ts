/** Prometheus metrics of a worker (prom-client), plus process-tree memory sampled from /proc. */
import { readdir, readFile } from 'node:fs/promises';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    queueDepth: new Gauge({ name: 'hlsify_queue_depth', help: 'Messages ready in the work queue (last check)', registers: [registry] }),
    treeMemory: new Gauge({ name: 'hlsify_process_tree_rss_bytes', help: 'Resident memory of the worker and its ffmpeg children', labelNames: ['process'] as const, registers: [registry] }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** RSS in bytes of every child of `pid` (recursively, Linux /proc); 0 where /proc is not available. */
export async function childrenRss(pid: number = process.pid): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return 0;
  }
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        const status = await readFile(`/proc/${e}/status`, 'utf8').catch(() => '');
        const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
        const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
        parents.set(Number(e), ppid);
        rss.set(Number(e), kb * 1024);
      }),
  );
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const current = stack.pop()!;
    for (const [child, parent] of parents) {
      if (parent === current) {
        total += rss.get(child) ?? 0;
        stack.push(child);
      }
    }
  }
  return total;
}
