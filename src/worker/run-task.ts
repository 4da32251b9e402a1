/**
 * One task of a chunked job: encode a chunk of the video (every rendition, decoded once) or the audio and
 * subtitles of the whole file, upload the segments to their final keys and then the task's manifest; a
 * task whose manifest is already in the bucket (a redelivery after its worker died between upload and
 * ack) is not encoded again. Whoever finds every manifest present finishes the job (finish-job.ts).
 */
import { join } from 'node:path';
import { throwIfAborted } from '../errors.js';
import type { PipelineListener } from '../core/events.js';
import { readChunkOutput } from '../core/chunks/chunk-manifest.js';
import { runChunkedEncode } from '../core/chunks/encode-chunks.js';
import { readMediaOutput } from '../core/chunks/media-manifest.js';
import { parseEncodePlan } from '../core/chunks/plan-schema.js';
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
import { chunkFile, chunkStateFor, FAILED_FILE, listState, MEDIA_FILE, PLAN_FILE, readState, writeState, type ChunkState } from './chunk-state.js';
import { finishJob, type FinishedJob } from './finish-job.js';
import type { FinishLock } from './finish-lock.js';
import type { JobInput } from './job-message.js';
import type { JobDependencies } from './run-job.js';
import type { TaskMessage } from './task-message.js';

export type TaskOutcome =
  | { status: 'skipped'; reason: string }
  | { status: 'encoded' | 'already-encoded'; seconds: number; finished: FinishedJob | undefined };

export async function runTask(task: TaskMessage, input: JobInput, deps: JobDependencies, signal: AbortSignal, onEvent: PipelineListener, lock: FinishLock): Promise<TaskOutcome> {
  const started = Date.now();
  const output = parseS3Url(task.job.output);
  const store = deps.storeFor(output.bucket);
  const state = chunkStateFor(store, output, task.job.id);
  const present = await listState(state, signal);
  if (present.has(FAILED_FILE)) return { status: 'skipped', reason: 'another task of the job failed for good' };
  const own = task.task === 'chunk' ? chunkFile(task.chunk!) : MEDIA_FILE;
  let status: 'encoded' | 'already-encoded' = 'already-encoded';
  if (!present.has(own)) {
    if (await isRemoteLadderComplete(store, output, signal)) return { status: 'skipped', reason: 'the ladder is already complete' };
    const text = await readState(state, PLAN_FILE, signal);
    if (text === undefined) throw new InputError(`task ${task.job.id}: no ${PLAN_FILE} in ${state.prefix} (the job was not split by a worker, or it was cleaned up)`);
    await encodeTask(task, parseEncodePlan(text, `${task.job.id}/${PLAN_FILE}`), input, deps, state, output, signal, onEvent);
    status = 'encoded';
  }
  throwIfAborted(signal);
  const finished = await finishJob(task, deps, state, output, signal, lock);
  return { status, seconds: (Date.now() - started) / 1000, finished };
}

/** The task's input as a local path: the worker's shared copy of an S3 object, or the confined local file. */
async function openInput(task: TaskMessage, input: JobInput, deps: JobDependencies, signal: AbortSignal): Promise<{ path: string; close(): Promise<void>; named(error: unknown): unknown }> {
  if (input.kind === 'local') return openConfinedInput(input.root, task.job.input);
  if (!deps.inputCache) throw new Error('chunk tasks of S3 inputs need the worker input cache');
  const cached = await deps.inputCache.acquire(input.url, deps.storeFor(parseS3Url(input.url).bucket), signal);
  return { path: cached.path, close: async () => cached.release(), named: (error) => error };
}

async function encodeTask(task: TaskMessage, stored: EncodePlan, input: JobInput, deps: JobDependencies, state: ChunkState, output: S3Location, signal: AbortSignal, onEvent: PipelineListener): Promise<void> {
  const workspace = await createWorkspace(deps.tmpRoot);
  const source = await openInput(task, input, deps, signal).catch(async (error: unknown) => {
    await workspace.remove();
    throw error;
  });
  try {
    const plan: EncodePlan = { ...stored, input: { ...stored.input, path: source.path } };
    const run = { ffmpeg: deps.binaries.ffmpeg, launcher: deps.binaries.launcher, workDir: workspace.ladderDir, signal, onEvent };
    let files: LocalFile[];
    let manifest: unknown;
    if (task.task === 'chunk') {
      const chunks = planChunks(plan, task.chunkSeconds);
      const chunk = chunks[task.chunk!];
      if (!chunk || chunks.length !== task.chunks) throw new InputError(`task ${task.job.id} chunk ${task.chunk}: the plan has ${chunks.length} chunks, the task says ${task.chunks}`);
      await runChunkedEncode(plan, [chunk], { ...run, parallel: 1, withMedia: false });
      const read = await readChunkOutput(plan, chunk, workspace.ladderDir);
      files = read.renditions.flatMap((r) => r.segments.map((s) => ({ relativePath: `${r.name}/${s.uri}`, absolutePath: join(workspace.ladderDir, r.name, s.uri), size: s.bytes })));
      manifest = read;
    } else {
      // The plan's own audio process (index processes.length), with its progress as a whole encode reports it.
      const job = mediaJob(plan, workspace.ladderDir, plan.processes.length);
      if (!job) throw new EncodeError(`task ${task.job.id}: the plan has no audio or subtitles`);
      const tracker = createProgressTracker(plan);
      await runProcesses([job], { parallel: 1, limited: () => true, progress: (index, seconds) => tracker.update(index, seconds) }, run);
      const read = await readMediaOutput(plan, workspace.ladderDir);
      files = read.audio.flatMap((a) =>
        parseMediaPlaylist(a.playlist).segments.map((s, i) => ({ relativePath: `${a.name}/${s.uri}`, absolutePath: join(workspace.ladderDir, a.name, s.uri), size: a.bytes[i]! })),
      );
      manifest = read;
    }
    throwIfAborted(signal);
    // Segments first, the manifest after them: a manifest in the bucket means its segments are complete.
    await uploadFiles(files, { location: output, store: state.store, concurrency: deps.uploadConcurrency, signal, onEvent });
    await writeState(state, task.task === 'chunk' ? chunkFile(task.chunk!) : MEDIA_FILE, manifest, signal);
  } catch (error) {
    throw source.named(error);
  } finally {
    await source.close();
    await workspace.remove();
  }
}
