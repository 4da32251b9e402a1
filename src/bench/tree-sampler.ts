/**
 * Samples the memory of the whole process tree (hlsify + every ffmpeg child) every `intervalMs`, and
 * per job (the ffmpeg processes a job started, by pid from its `process-started` events).
 */
import { descendantsOf, readProcTable, type ProcConstants } from '../core/tools/proc-stats.js';

export interface TreeSampler {
  /** Attributes `pid` (and its children) to `job` from now on. */
  track(job: number, pid: number): void;
  stop(): Promise<TreeSamples>;
}

export interface TreeSamples {
  /** False where /proc could not be read: the figures below are then undefined. */
  available: boolean;
  samples: number;
  /** Peak RSS of this process plus all its descendants, bytes. */
  peakTreeRss: number | undefined;
  /** Peak RSS of this (Node) process alone, bytes. */
  peakSelfRss: number | undefined;
  /** Per job: peak RSS of its ffmpeg processes together, and their CPU seconds as last sampled. */
  jobs: Map<number, { peakRss: number; cpuSeconds: number }>;
}

export function startTreeSampler(constants: ProcConstants, intervalMs = 250): TreeSampler {
  const pidsByJob = new Map<number, Set<number>>();
  const jobs = new Map<number, { peakRss: number; cpuSeconds: number }>();
  // Last CPU seconds seen per pid: a process that has exited keeps its last reading.
  const cpuByPid = new Map<number, number>();
  let peakTreeRss: number | undefined;
  let peakSelfRss: number | undefined;
  let available = true;
  let samples = 0;
  let running: Promise<void> = Promise.resolve();

  const sample = async () => {
    const table = await readProcTable(constants);
    const selfRss = process.memoryUsage().rss;
    peakSelfRss = Math.max(peakSelfRss ?? 0, table?.get(process.pid)?.rssBytes ?? selfRss);
    if (!table) {
      available = false;
      return;
    }
    samples++;
    const tree = descendantsOf(table, [process.pid]);
    peakTreeRss = Math.max(peakTreeRss ?? 0, tree.reduce((sum, p) => sum + p.rssBytes, 0));
    for (const [job, pids] of pidsByJob) {
      const procs = descendantsOf(table, pids);
      for (const p of procs) cpuByPid.set(p.pid, Math.max(cpuByPid.get(p.pid) ?? 0, p.cpuSeconds));
      const stats = jobs.get(job) ?? { peakRss: 0, cpuSeconds: 0 };
      stats.peakRss = Math.max(stats.peakRss, procs.reduce((sum, p) => sum + p.rssBytes, 0));
      stats.cpuSeconds = [...pids].reduce((sum, pid) => sum + (cpuByPid.get(pid) ?? 0), 0);
      jobs.set(job, stats);
    }
  };
  const timer = setInterval(() => {
    running = running.then(sample).catch(() => {});
  }, intervalMs);
  running = sample().catch(() => {});

  return {
    track(job, pid) {
      const set = pidsByJob.get(job) ?? new Set<number>();
      set.add(pid);
      pidsByJob.set(job, set);
    },
    async stop() {
      clearInterval(timer);
      await running;
      return { available, samples, peakTreeRss: available ? peakTreeRss : undefined, peakSelfRss, jobs };
    },
  };
}
