/**
 * One task of a chunked job: encode a chunk of the video (every rendition, decoded once) or the audio and
 * subtitles of the whole file, upload the segments to their final keys and then the task's manifest; a
 * task whose manifest is already in the bucket (a redelivery after its worker died between upload and
 * ack) is not encoded again. Whoever finds every manifest present finishes the job (finish-job.ts).
 * A task must match its run's plan (its token, a chunk the plan has, a media task only where the plan
 * has one) or it is refused; each task runs within --timeout and none past the job's --job-timeout.
 */
import { join } from 'node:path';
import { TimeoutError, throwIfAborted } from '../errors.js';
import type { PipelineListener } from '../core/events.js';
import { timeLimit } from '../core/time-limit.js';
import { checkChunkSegments, readChunkOutput } from '../core/chunks/chunk-manifest.js';
import { runChunkedEncode } from '../core/chunks/encode-chunks.js';
import { checkAudioSegments, readMediaOutput } from '../core/chunks/media-manifest.js';
import { mediaJob, runProcesses } from '../core/encode/run-encode.js';
import { createProgressTracker } from '../core/encode/progress-tracker.js';
import { parseMediaPlaylist } from '../core/playlist/media-playlist.js';
import { createWorkspace } from '../core/finish/workspace.js';
import { openConfinedInput } from '../core/input/confined-input.js';
import { planChunks } from '../core/plan/chunks.js';
import type { EncodePlan } from '../core/plan/encode-plan.js';
import { isRemoteLadderComplete } from '../core/upload/remote-ladder.js';
import { parseS3Url, type S3Location } from '../core/upload/s3-location.js';
import type { LocalFile } from '../core/upload/upload-plan.js';
import { uploadFiles } from '../core/upload/upload-ladder.js';
import { EncodeError, InputError } from '../errors.js';
import { jobFingerprint, parseStoredPlan, runFolder, type RunRecord, type StoredPlan } from './chunk-run.js';
import { checksFile, chunkFile, chunkStateFor, FAILED_FILE, listState, MEDIA_FILE, PLAN_FILE, readState, writeState, type ChunkState } from './chunk-state.js';
import type { SegmentCheck } from '../core/verify/stored-check.js';
import { finishJob, type FinishedJob } from './finish-job.js';
import type { JobInput } from './job-message.js';
import type { JobDependencies } from './run-job.js';
import { taskName, type TaskMessage } from './task-message.js';

export type TaskOutcome =
  | { status: 'skipped'; reason: string }
  /** The task does not match a run in the bucket (forged, or of an earlier run): dead-lettered, the job untouched. */
  | { status: 'refused'; reason: string }
  | { status: 'encoded' | 'already-encoded'; seconds: number; run: RunRecord; finished: FinishedJob | undefined };

export async function runTask(task: TaskMessage, input: JobInput, deps: JobDependencies, signal: AbortSignal, onEvent: PipelineListener): Promise<TaskOutcome> {
  const started = Date.now();
  const output = parseS3Url(task.job.output);
  const store = deps.storeFor(output.bucket);
  const chunkSeconds = task.job.chunkSeconds;
  if (chunkSeconds === undefined) return { status: 'refused', reason: `task of job ${task.job.id}: its job names no chunkSeconds` };
  const state = chunkStateFor(store, output, runFolder(task.job.id, jobFingerprint(task.job, chunkSeconds), task.run));
  const present = await listState(state, signal);
  if (present.has(FAILED_FILE)) return { status: 'skipped', reason: 'another task of the job failed for good' };
  const text = present.has(PLAN_FILE) ? await readState(state, PLAN_FILE, signal) : undefined;
  if (text === undefined) {
    if (await isRemoteLadderComplete(store, output, signal)) return { status: 'skipped', reason: 'the ladder is already complete' };
    return { status: 'refused', reason: `${taskName(task)} of job ${task.job.id}: no run ${task.run} of this job with these fields in the bucket (a task of an earlier run, or not published by a worker)` };
  }
  const stored = parseStoredPlan(text, `${task.job.id}/${PLAN_FILE}`);
  const problem = taskProblem(task, stored.run);
  if (problem) return { status: 'refused', reason: `${taskName(task)} of job ${task.job.id}: ${problem}` };
  if (Date.now() >= stored.run.deadline) throw new TimeoutError(`the job passed its time limit of ${jobLimitSeconds(stored.run)} s (--job-timeout) before ${taskName(task)} ran`);

  // Each task within --timeout, and none past the job's own deadline.
  const left = stored.run.deadline - Date.now();
  const limit =
    left < deps.timeoutSeconds * 1000
      ? timeLimit(signal, left, `the job passed its time limit of ${jobLimitSeconds(stored.run)} s (--job-timeout) during ${taskName(task)}`)
      : timeLimit(signal, deps.timeoutSeconds * 1000, `${taskName(task)} stopped after the ${deps.timeoutSeconds} s time limit (MAX_PROCESSING_TIME / --timeout)`);
  const limited = limit.signal;
  try {
    const own = task.task === 'chunk' ? chunkFile(task.chunk!) : MEDIA_FILE;
    let status: 'encoded' | 'already-encoded' = 'already-encoded';
    if (!present.has(own)) {
      if (await isRemoteLadderComplete(store, output, limited)) return { status: 'skipped', reason: 'the ladder is already complete' };
      await encodeTask(task, stored, input, deps, state, output, limited, onEvent);
      status = 'encoded';
    }
    throwIfAborted(limited);
    const finished = await finishJob(task, stored, deps, state, output, limited);
    return { status, seconds: (Date.now() - started) / 1000, run: stored.run, finished };
  } finally {
    limit.clear();
  }
}

/** Why `task` does not belong to `run`, or undefined when it does: the plan decides the job's shape, never the message. */
function taskProblem(task: TaskMessage, run: RunRecord): string | undefined {
  if (task.run !== run.token || task.job.id !== run.jobId) return 'its run does not match the plan in the bucket';
  if (task.task === 'chunk' && task.chunk! >= run.chunks) return `the job has ${run.chunks} chunks (0-${run.chunks - 1}), the task names chunk ${task.chunk}`;
  if (task.task === 'media' && !run.media) return 'the job has no audio or subtitles, so no media task';
  return undefined;
}

function jobLimitSeconds(run: RunRecord): number {
  return Math.round((run.deadline - run.splitAt) / 1000);
}

/** The task's input as a local path: the worker's shared copy of an S3 object, or the confined local file. */
async function openInput(task: TaskMessage, record: RunRecord, input: JobInput, deps: JobDependencies, signal: AbortSignal): Promise<{ path: string; close(): Promise<void>; named(error: unknown): unknown }> {
  if (input.kind === 'local') return openConfinedInput(input.root, task.job.input);
  if (!deps.inputCache) throw new Error('chunk tasks of S3 inputs need the worker input cache');
  const cached = await deps.inputCache.acquire(input.url, deps.storeFor(parseS3Url(input.url).bucket), signal, record.inputEtag);
  return { path: cached.path, close: async () => cached.release(), named: (error) => error };
}

async function encodeTask(task: TaskMessage, { run: record, plan: stored }: StoredPlan, input: JobInput, deps: JobDependencies, state: ChunkState, output: S3Location, signal: AbortSignal, onEvent: PipelineListener): Promise<void> {
  const workspace = await createWorkspace(deps.tmpRoot);
  const source = await openInput(task, record, input, deps, signal).catch(async (error: unknown) => {
    await workspace.remove();
    throw error;
  });
  try {
    const plan: EncodePlan = { ...stored, input: { ...stored.input, path: source.path } };
    const run = { ffmpeg: deps.binaries.ffmpeg, launcher: deps.binaries.launcher, workDir: workspace.ladderDir, signal, onEvent };
    let files: LocalFile[];
    let manifest: unknown;
    // verify's check of the task's segments, made while they are here (see stored-check.ts).
    let checks: Record<string, SegmentCheck>;
    if (task.task === 'chunk') {
      const chunks = planChunks(plan, record.chunkSeconds);
      const chunk = chunks[task.chunk!];
      if (!chunk || chunks.length !== record.chunks) throw new InputError(`task ${task.job.id} chunk ${task.chunk}: the plan has ${chunks.length} chunks, its run says ${record.chunks}`);
      await runChunkedEncode(plan, [chunk], { ...run, parallel: 1, withMedia: false });
      const read = await readChunkOutput(plan, chunk, workspace.ladderDir);
      checks = await checkChunkSegments(read, workspace.ladderDir, { ...deps.binaries, concurrency: deps.cores, signal });
      files = read.renditions.flatMap((r) => r.segments.map((s) => ({ relativePath: `${r.name}/${s.uri}`, absolutePath: join(workspace.ladderDir, r.name, s.uri), size: s.bytes })));
      manifest = read;
    } else {
      // The plan's own audio process (index processes.length), with its progress as a whole encode reports it.
      const job = mediaJob(plan, workspace.ladderDir, plan.processes.length);
      if (!job) throw new EncodeError(`task ${task.job.id}: the plan has no audio or subtitles`);
      const tracker = createProgressTracker(plan);
      await runProcesses([job], { parallel: 1, limited: () => true, progress: (index, seconds) => tracker.update(index, seconds) }, run);
      const read = await readMediaOutput(plan, workspace.ladderDir);
      checks = await checkAudioSegments(read, workspace.ladderDir, { ...deps.binaries, concurrency: deps.cores, signal });
      files = read.audio.flatMap((a) =>
        parseMediaPlaylist(a.playlist).segments.map((s, i) => ({ relativePath: `${a.name}/${s.uri}`, absolutePath: join(workspace.ladderDir, a.name, s.uri), size: a.bytes[i]! })),
      );
      manifest = read;
    }
    throwIfAborted(signal);
    // Segments first, then their checks, the manifest last: a manifest in the bucket means its segments are complete.
    await uploadFiles(files, { location: output, store: state.store, concurrency: deps.uploadConcurrency, signal, onEvent });
    const own = task.task === 'chunk' ? chunkFile(task.chunk!) : MEDIA_FILE;
    await writeState(state, checksFile(own), { version: 1, segments: checks }, signal);
    await writeState(state, own, manifest, signal);
  } catch (error) {
    throw source.named(error);
  } finally {
    await source.close();
    await workspace.remove();
  }
}
