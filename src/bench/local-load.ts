/**
 * N jobs through the core pipeline at once (p-limit), as a worker with that concurrency would run them:
 * per job and overall wall time, speed x realtime, CPU seconds, peak memory of the whole process tree
 * (sampled from /proc every 250 ms) and the success rate.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { BenchListener } from './bench-events.js';
import { errorMessage } from './bench-util.js';
import { selfAndChildrenCpuSeconds, type ProcConstants } from '../core/tools/proc-stats.js';
import { startTreeSampler } from './tree-sampler.js';
import { median } from './upload-throughput.js';
import { transcode, type TranscodeOptions } from '../core/transcode.js';
import { throwIfAborted } from '../errors.js';

export interface LoadJobResult {
  job: number;
  ok: boolean;
  error: string | undefined;
  wallSeconds: number;
  /** Input seconds per wall second of this job (undefined when it failed). */
  speed: number | undefined;
  /** utime+stime of this job's ffmpeg processes as last sampled (a lower bound: the last < 250 ms are missed). */
  cpuSeconds: number | undefined;
  /** Peak RSS of this job's ffmpeg processes together. */
  peakRssBytes: number | undefined;
  /** What one job needs on its own: its ffmpeg peak plus the hlsify process's peak. */
  peakJobTreeRssBytes: number | undefined;
  ffmpegProcesses: number;
}

export interface LocalLoadResult {
  jobs: number;
  concurrency: number;
  coresPerJob: number;
  inputDuration: number;
  succeeded: number;
  successRate: number;
  wallSeconds: number;
  /** Input seconds encoded per wall second over the whole load (all jobs). */
  throughput: number;
  medianJobSpeed: number | undefined;
  minJobSpeed: number | undefined;
  medianJobWallSeconds: number | undefined;
  /** hlsify + every waited-for child (utime+stime+cutime+cstime of /proc/self/stat), exact. */
  cpuSeconds: number | undefined;
  /** Peak RSS of hlsify and all its ffmpeg children together. */
  peakTreeRssBytes: number | undefined;
  /** Peak RSS of the hlsify (Node) process alone. */
  peakSelfRssBytes: number | undefined;
  /** Largest per-job figure: that job's ffmpeg peak + the hlsify process's peak. */
  maxJobMemoryBytes: number | undefined;
  memorySamples: number;
  perJob: LoadJobResult[];
}

export interface LocalLoadOptions {
  input: string;
  inputDuration: number;
  jobs: number;
  concurrency: number;
  machineCores: number;
  transcode: Omit<TranscodeOptions, 'input' | 'outputDir' | 'signal' | 'onEvent'>;
  workDir: string;
  constants: ProcConstants;
  signal?: AbortSignal | undefined;
  onEvent?: BenchListener | undefined;
}

export async function runLocalLoad(options: LocalLoadOptions): Promise<LocalLoadResult> {
  // Each job plans for its share of the machine, as a worker with this concurrency does.
  const coresPerJob = Math.max(1, Math.floor(options.machineCores / options.concurrency));
  const limit = pLimit(options.concurrency);
  const sampler = startTreeSampler(options.constants);
  const cpuBefore = await selfAndChildrenCpuSeconds(options.constants);
  const started = performance.now();
  const raw: Omit<LoadJobResult, 'cpuSeconds' | 'peakRssBytes' | 'peakJobTreeRssBytes'>[] = [];
  let done = 0;
  try {
    await Promise.all(
      Array.from({ length: options.jobs }, (_, job) =>
        limit(async () => {
          throwIfAborted(options.signal);
          const outputDir = await mkdtemp(join(options.workDir, `load-${job}-`));
          const jobStarted = performance.now();
          let ffmpegProcesses = 0;
          try {
            const result = await transcode({
              ...options.transcode,
              input: options.input,
              outputDir,
              force: true,
              plan: { ...options.transcode.plan, cores: coresPerJob },
              signal: options.signal,
              onEvent: (event) => {
                if (event.type === 'process-started' && event.pid !== undefined) {
                  ffmpegProcesses++;
                  sampler.track(job, event.pid);
                }
              },
            });
            const wallSeconds = (performance.now() - jobStarted) / 1000;
            raw.push({ job, ok: true, error: undefined, wallSeconds, speed: result.input.duration / wallSeconds, ffmpegProcesses });
          } catch (error) {
            throwIfAborted(options.signal);
            raw.push({ job, ok: false, error: errorMessage(error), wallSeconds: (performance.now() - jobStarted) / 1000, speed: undefined, ffmpegProcesses });
          } finally {
            await rm(outputDir, { recursive: true, force: true });
          }
          const last = raw.at(-1)!;
          options.onEvent?.({ type: 'load-job', job, jobs: options.jobs, done: ++done, ok: last.ok, wallSeconds: last.wallSeconds, speed: last.speed, error: last.error });
        }),
      ),
    );
  } finally {
    limit.clearQueue();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuAfter = await selfAndChildrenCpuSeconds(options.constants);
  const samples = await sampler.stop();
  const perJob: LoadJobResult[] = raw
    .sort((a, b) => a.job - b.job)
    .map((r) => {
      const stats = samples.available ? samples.jobs.get(r.job) : undefined;
      return {
        ...r,
        cpuSeconds: stats?.cpuSeconds,
        peakRssBytes: stats?.peakRss,
        peakJobTreeRssBytes: stats && samples.peakSelfRss !== undefined ? stats.peakRss + samples.peakSelfRss : undefined,
      };
    });
  const ok = perJob.filter((j) => j.ok);
  const speeds = ok.map((j) => j.speed!);
  const jobMemory = perJob.map((j) => j.peakJobTreeRssBytes).filter((b): b is number => b !== undefined);
  return {
    jobs: options.jobs,
    concurrency: options.concurrency,
    coresPerJob,
    inputDuration: options.inputDuration,
    succeeded: ok.length,
    successRate: options.jobs > 0 ? ok.length / options.jobs : 0,
    wallSeconds,
    throughput: (ok.length * options.inputDuration) / wallSeconds,
    medianJobSpeed: speeds.length ? median(speeds) : undefined,
    minJobSpeed: speeds.length ? Math.min(...speeds) : undefined,
    medianJobWallSeconds: ok.length ? median(ok.map((j) => j.wallSeconds)) : undefined,
    cpuSeconds: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    peakTreeRssBytes: samples.peakTreeRss,
    peakSelfRssBytes: samples.peakSelfRss,
    maxJobMemoryBytes: jobMemory.length ? Math.max(...jobMemory) : undefined,
    memorySamples: samples.samples,
    perJob,
  };
}
