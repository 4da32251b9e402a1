/**
 * Carries out an EncodePlan: one ffmpeg per plan process, at most `plan.parallel` at once (p-limit), all
 * under one AbortSignal. The first failure stops the others; the call returns only once every ffmpeg it
 * started has exited, so no process outlives it.
 */
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import pLimit from 'p-limit';
import { EncodeError, abortReason, stderrTail } from '../../errors.js';
import type { PipelineEvent, PipelineListener } from '../events.js';
import type { EncodePlan } from '../plan/encode-plan.js';
import { audioPaths, buildFfmpegArgs, buildMediaArgs, renditionPaths, subtitlePaths } from './ffmpeg-args.js';
import { createProgressReader } from './progress-parser.js';
import { createProgressTracker } from './progress-tracker.js';

export interface EncodeRunOptions {
  ffmpeg: string;
  /** Prefix command ffmpeg is started through (see Binaries.launcher). */
  launcher?: readonly string[] | undefined;
  workDir: string;
  signal: AbortSignal;
  onEvent?: PipelineListener | undefined;
  /** SIGTERM first, SIGKILL after this many ms. */
  killGraceMs?: number | undefined;
}

export interface ProcessResult {
  renditions: string[];
  wallSeconds: number;
}

const STDERR_KEEP = 64 * 1024;

/** One ffmpeg process to run: its arguments, the renditions it writes and their directories. */
export interface ProcessJob {
  index: number;
  names: string[];
  dirs: string[];
  args: string[];
}

/** The jobs of `plan`: its video processes, then (index = processes.length) the audio and subtitle process. */
export function processJobs(plan: EncodePlan, workDir: string): ProcessJob[] {
  const jobs: ProcessJob[] = plan.processes.map((members, index) => ({
    index,
    names: members.map((i) => plan.renditions[i]!.name),
    dirs: members.map((i) => renditionPaths(workDir, plan, plan.renditions[i]!).dir),
    args: buildFfmpegArgs(plan, members, workDir),
  }));
  const media = mediaJob(plan, workDir, plan.processes.length);
  return media ? [...jobs, media] : jobs;
}

/** The one process that encodes every audio rendition and extracts every subtitle track; undefined when there are none. */
export function mediaJob(plan: EncodePlan, workDir: string, index: number): ProcessJob | undefined {
  const args = buildMediaArgs(plan, workDir);
  if (!args) return undefined;
  return {
    index,
    names: [...plan.audioRenditions.map((r) => r.name), ...plan.subtitleRenditions.map((r) => r.name)],
    dirs: [...plan.audioRenditions.map((r) => audioPaths(workDir, plan, r).dir), ...plan.subtitleRenditions.map((r) => subtitlePaths(workDir, r).dir)],
    args,
  };
}

export async function runProcess(job: ProcessJob, options: EncodeRunOptions, signal: AbortSignal, onProgress: (seconds: number) => void): Promise<ProcessResult> {
  const { index, names } = job;
  await Promise.all(job.dirs.map((dir) => mkdir(dir, { recursive: true })));
  const started = Date.now();
  const [command, ...prefix] = [...(options.launcher ?? []), options.ffmpeg];
  const child = execa(command!, [...prefix, ...job.args], {
    cancelSignal: signal,
    forceKillAfterDelay: options.killGraceMs ?? 3000,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: true,
  });
  options.onEvent?.({ type: 'process-started', process: index, renditions: names, pid: child.pid });

  // Keep only the tail of stderr: a corrupt input can make ffmpeg print one error per frame.
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
  });
  const readProgress = async () => {
    if (!child.stdout) return;
    const next = createProgressReader();
    for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      const block = next(line);
      if (block?.outTimeSeconds !== undefined) onProgress(block.outTimeSeconds);
    }
  };
  const [result] = await Promise.all([child, readProgress()]);
  const wallSeconds = (Date.now() - started) / 1000;
  if (result.isCanceled || signal.aborted) throw abortReason(signal);
  if (result.failed) {
    const tail = stderrTail(stderr);
    const lastLine = tail.split('\n').at(-1) ?? '';
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    throw new EncodeError(`ffmpeg ${how} while encoding ${names.join(', ')}${lastLine ? `: ${lastLine}` : ''}`, { details: tail, cause: result });
  }
  options.onEvent?.({ type: 'process-finished', process: index, renditions: names, wallSeconds });
  return { renditions: names, wallSeconds };
}

/** Runs every ffmpeg process of `plan`. */
export async function runEncodePlan(plan: EncodePlan, options: EncodeRunOptions): Promise<ProcessResult[]> {
  const tracker = createProgressTracker(plan);
  const jobs = processJobs(plan, options.workDir);
  // The audio and subtitle process is light (no video decode): it runs beside the video processes, outside the limit.
  return runProcesses(jobs, { parallel: plan.parallel, limited: (job) => job.index < plan.processes.length, progress: (index, seconds) => tracker.update(index, seconds) }, options);
}

export interface ProcessSchedule {
  /** How many limited processes run at once. */
  parallel: number;
  /** Whether a job counts against `parallel` (the light audio process does not). */
  limited(job: ProcessJob): boolean;
  /** Turns a process's `-progress` output time into the event to emit. */
  progress(jobIndex: number, outTimeSeconds: number): Extract<PipelineEvent, { type: 'encode-progress' }>;
}

/**
 * Runs `jobs` (p-limit), all under one AbortSignal: the first failure stops the others, and the call
 * returns only once every ffmpeg it started has exited.
 */
export async function runProcesses(jobs: readonly ProcessJob[], schedule: ProcessSchedule, options: EncodeRunOptions): Promise<ProcessResult[]> {
  const local = new AbortController();
  const signal = AbortSignal.any([options.signal, local.signal]);
  let lastEmit = 0;
  const onProgress = (index: number) => (seconds: number) => {
    const event = schedule.progress(index, seconds);
    const now = Date.now();
    if (now - lastEmit >= 250 || event.fraction >= 1) {
      lastEmit = now;
      options.onEvent?.(event);
    }
  };
  const limit = pLimit(Math.max(1, schedule.parallel));
  const tasks = jobs.map((job) =>
    (schedule.limited(job) ? limit : (run: () => Promise<ProcessResult>) => run())(async () => {
      if (signal.aborted) throw abortReason(signal);
      try {
        return await runProcess(job, options, signal, onProgress(job.index));
      } catch (error) {
        // Stop the sibling processes: the ladder cannot complete anyway.
        if (!local.signal.aborted) local.abort(error);
        throw error;
      }
    }),
  );
  const settled = await Promise.allSettled(tasks);
  if (options.signal.aborted) throw abortReason(options.signal);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<ProcessResult>).value);
}
