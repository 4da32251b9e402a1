/**
 * Finishing a chunked job: once every task's manifest is in the bucket, one worker (the finish lock)
 * writes the playlists from the manifests (bit rates measured over all segments, windows across chunk
 * joins included), checks the ladder they make with the segments in the bucket (every HLS check of
 * `hlsify verify`, on the tasks' own checks of their segments: a failing MUST publishes no playlist),
 * uploads them with the master last, and removes the job's state. A finisher that finds the master
 * already up, or the job failed, does nothing: the job completes (or fails) once. The job's shape
 * (chunks, media, duration) is its run's, from plan.json; a ladder shorter or longer than the input's
 * packets is an input error, as for a transcode.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseChunkManifest, type ChunkManifest } from '../core/chunks/chunk-manifest.js';
import { finishLadder } from '../core/chunks/finish-ladder.js';
import { parseMediaManifest } from '../core/chunks/media-manifest.js';
import { verifyLadder } from '../core/finish/verify-ladder.js';
import { createWorkspace } from '../core/finish/workspace.js';
import type { RenditionResult } from '../core/playlist/measure-renditions.js';
import { checkReader } from '../core/verify/check-ladder.js';
import type { VerifySummary } from '../core/verify/report.js';
import { openStagedLadder } from '../core/verify/staged-reader.js';
import { readStoredChecks, storedChecks } from './stored-checks.js';
import { isRemoteLadderComplete } from '../core/upload/remote-ladder.js';
import { formatS3Url, objectKey, parseS3Url, type S3Location } from '../core/upload/s3-location.js';
import type { Logger } from './logger.js';
import type { LocalFile } from '../core/upload/upload-plan.js';
import { uploadFiles } from '../core/upload/upload-ladder.js';
import { EncodeError, TransientError } from '../errors.js';
import { jobFingerprint, runFolder, type StoredPlan } from './chunk-run.js';
import { chunkFile, chunkStateFor, FAILED_FILE, listState, MEDIA_FILE, readState, removeState, writeState, type ChunkState } from './chunk-state.js';
import { finishLockScope, type FinishLock } from './finish-lock.js';
import type { JobDependencies } from './run-job.js';
import { taskName, type TaskMessage } from './task-message.js';

export interface FinishedJob {
  master: string;
  renditions: RenditionResult[];
  /** Playlists and subtitle segments uploaded by the finisher. */
  uploaded: number;
  /** What the HLS checks found on the ladder before its playlists went up (every MUST held). */
  verify: VerifySummary;
}

async function required(state: ChunkState, name: string, signal: AbortSignal): Promise<string> {
  const text = await readState(state, name, signal);
  if (text === undefined) throw new EncodeError(`${state.prefix}${name} disappeared before the job was finished`);
  return text;
}

/** Finishes the job when every task is done and nobody else is finishing it; undefined otherwise. */
export async function finishJob(task: TaskMessage, stored: StoredPlan, deps: JobDependencies, state: ChunkState, output: S3Location, signal: AbortSignal): Promise<FinishedJob | undefined> {
  const { run } = stored;
  const present = await listState(state, signal);
  // Exactly the plan's manifests: a stray name in the folder is not a finished chunk.
  const expected = [...Array.from({ length: run.chunks }, (_, i) => chunkFile(i)), ...(run.media ? [MEDIA_FILE] : [])];
  if (!expected.every((name) => present.has(name))) return undefined;
  const held = await deps.lock!(
    finishLockScope(`${output.bucket}\n${state.prefix}`),
    async () => {
      const now = await listState(state, signal);
      if (now.has(FAILED_FILE) || (await isRemoteLadderComplete(state.store, output, signal))) return undefined;
      return writeLadder(task, stored, deps, state, output, now, signal);
    },
    signal,
  );
  if (held.locked) return held.value;
  if (await isRemoteLadderComplete(state.store, output, signal)) return undefined;
  // Someone holds the finish lock and has not finished: this task is retried later (with the backoff
  // and limit of any failure), so the job is finished, or failed with this reason, never left hanging.
  throw new TransientError(`job ${task.job.id}: could not take the finish lock (another finisher holds it and has not finished)`);
}

async function writeLadder(task: TaskMessage, { run, plan }: StoredPlan, deps: JobDependencies, state: ChunkState, output: S3Location, present: Set<string>, signal: AbortSignal): Promise<FinishedJob> {
  const manifests: ChunkManifest[] = [];
  for (let i = 0; i < run.chunks; i++) manifests.push(parseChunkManifest(await required(state, chunkFile(i), signal), `${task.job.id}/${chunkFile(i)}`));
  const media = run.media ? parseMediaManifest(await required(state, MEDIA_FILE, signal), `${task.job.id}/${MEDIA_FILE}`) : undefined;
  const workspace = await createWorkspace(deps.tmpRoot);
  try {
    const ladder = await finishLadder(plan, manifests, media, workspace.ladderDir, deps.binaries.ffprobe, signal);
    // The ladder must be as long as the input its plan was made from, as a whole transcode checks.
    verifyLadder(ladder.renditions, run.duration);
    // The whole check, as a local transcode makes it: every segment decoded. The chunk tasks decoded
    // theirs before uploading them (in parallel, on their own workers); a segment whose object still has
    // the size and SHA-256 they checked is taken from their checks file, and any other is read back here.
    const known = await storedChecks(await readStoredChecks(state, present, task.job.id, signal), state.store, output, deps.uploadConcurrency, signal);
    const reader = await openStagedLadder(workspace.ladderDir, state.store, output, signal);
    const report = await checkReader(reader, { ffprobe: deps.binaries.ffprobe, ffmpeg: deps.binaries.ffmpeg, known, concurrency: deps.cores, signal });
    const files = await playlistFiles(workspace.ladderDir);
    const uploaded = await uploadFiles(files, { location: output, store: state.store, concurrency: deps.uploadConcurrency, signal });
    await removeState(state, [...present].filter((name) => name !== FAILED_FILE), signal);
    return { master: formatS3Url(output, objectKey(output, 'master.m3u8')), renditions: ladder.renditions, uploaded: uploaded.uploaded, verify: report.summary };
  } finally {
    await workspace.remove();
  }
}

/** Everything the finisher wrote (playlists, WebVTT segments), without the whole-track WebVTT it cut them from. */
async function playlistFiles(root: string): Promise<LocalFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((e) => e.isFile() && e.name !== 'source.vtt')
      .map(async (e) => {
        const absolutePath = join(e.parentPath, e.name);
        return { relativePath: relative(root, absolutePath).split(sep).join('/'), absolutePath, size: (await stat(absolutePath)).size };
      }),
  );
}

/**
 * Marks the job failed for good (a task was dead-lettered), once: true when this call did it, false when
 * the job had already failed or completed. Without the lock (a finisher holds it past the wait) the mark
 * is written all the same: a job reported failed twice beats one never reported.
 */
export async function failJob(task: TaskMessage, reason: string, state: ChunkState, output: S3Location, signal: AbortSignal, lock: FinishLock): Promise<boolean> {
  const mark = async () => {
    const present = await listState(state, signal);
    if (present.has(FAILED_FILE) || (await isRemoteLadderComplete(state.store, output, signal))) return false;
    await writeState(state, FAILED_FILE, { reason, task: taskName(task), at: new Date().toISOString() }, signal);
    return true;
  };
  const held = await lock(finishLockScope(`${output.bucket}\n${state.prefix}`), mark, signal);
  return held.locked ? held.value : mark();
}

/**
 * failJob for the worker's dead-letter path: true when the job's `failed` event is to be sent (this call
 * marked the job failed, or the bucket could not be reached: better reported twice than never).
 */
export async function markChunkedJobFailed(task: TaskMessage, reason: string, deps: Pick<JobDependencies, 'storeFor'>, signal: AbortSignal, lock: FinishLock, log: Logger): Promise<boolean> {
  try {
    const output = parseS3Url(task.job.output);
    const folder = runFolder(task.job.id, jobFingerprint(task.job, task.job.chunkSeconds ?? 0), task.run);
    return await failJob(task, reason, chunkStateFor(deps.storeFor(output.bucket), output, folder), output, signal, lock);
  } catch (error) {
    log.warn({ op: 'task', err: (error as Error).message }, 'could not mark the job failed in the bucket');
    return true;
  }
}
