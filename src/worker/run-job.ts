/**
 * One job through the same core as the CLI: (already complete? done) → fetch the input → transcode →
 * upload → remove the job's work dir. Throws hlsify errors; the worker decides ack, retry or dead-letter.
 */
import { extname, join } from 'node:path';
import { InputError, throwIfAborted } from '../errors.js';
import type { PipelineListener } from '../core/events.js';
import { timeLimit } from '../core/time-limit.js';
import { checkDiskSpace } from '../core/finish/disk-space.js';
import { createWorkspace } from '../core/finish/workspace.js';
import { openConfinedInput, type ConfinedInput } from '../core/input/confined-input.js';
import type { Binaries } from '../core/tools/binaries.js';
import { transcode, type TranscodeResult } from '../core/transcode.js';
import type { ObjectStore } from '../core/upload/object-store.js';
import { isRemoteLadderComplete } from '../core/upload/remote-ladder.js';
import { parseS3Url } from '../core/upload/s3-location.js';
import { uploadLadder, type UploadResult } from '../core/upload/upload-ladder.js';
import type { JobInput, JobMessage } from './job-message.js';
import { renditionsEventField, verifyEventField, type JobEventInput } from './job-events.js';
import type { FinishLock } from './finish-lock.js';
import type { InputCache } from './input-cache.js';
import { refuseOutputInUse, splitJob, type PublishTasks, type SplitResult } from './split-job.js';

export interface JobDependencies {
  binaries: Pick<Binaries, 'ffmpeg' | 'ffprobe' | 'launcher'>;
  /** A store per bucket (input and output may live in different buckets). */
  storeFor(bucket: string): ObjectStore;
  tmpRoot: string | undefined;
  maxVideoSize: number;
  /** Longest input accepted, seconds (--max-duration). */
  maxDurationSeconds: number;
  minDiskSpace: number;
  /** Limit of one delivery: a whole job, or one task of a chunked job (--timeout). */
  timeoutSeconds: number;
  /** Limit of a chunked job from its split to its finish (--job-timeout). */
  jobTimeoutSeconds: number;
  cores: number;
  uploadConcurrency: number;
  threads: number | undefined;
  /** The worker's chunking default: jobs at least `minDuration` s long are split into `seconds` s chunks. */
  chunking?: { seconds: number; minDuration: number } | undefined;
  /** Copies of S3 inputs shared by the chunk tasks this worker takes. */
  inputCache?: InputCache | undefined;
  /** One holder at a time across the fleet: a chunked job's split and its finish (finish-lock.ts). */
  lock?: FinishLock | undefined;
}

export type JobOutcome =
  | { status: 'already-complete'; master: string }
  | { status: 'split'; master: string; split: SplitResult }
  | { status: 'completed'; master: string; transcode: TranscodeResult; upload: UploadResult };

export async function runJob(job: JobMessage, input: JobInput, deps: JobDependencies, signal: AbortSignal, onEvent: PipelineListener, publishTasks?: PublishTasks): Promise<JobOutcome> {
  const output = parseS3Url(job.output);
  const outputStore = deps.storeFor(output.bucket);
  const master = `s3://${output.bucket}/${output.prefix ? `${output.prefix}/` : ''}master.m3u8`;
  // Redelivery of a job that finished (e.g. the worker died between upload and ack) must not re-encode.
  if (await isRemoteLadderComplete(outputStore, output, signal)) return { status: 'already-complete', master };
  await refuseOutputInUse(job, deps, signal);

  const workspace = await createWorkspace(deps.tmpRoot);
  let confined: ConfinedInput | undefined;
  try {
    let inputPath: string;
    let inputEtag: string | undefined;
    if (input.kind === 's3') {
      const source = parseS3Url(input.url);
      if (!source.prefix) throw new InputError(`input ${input.url}: no object key`);
      await checkDiskSpace(workspace.dir, 0, deps.minDiskSpace);
      inputPath = join(workspace.dir, `input${extname(source.prefix).slice(0, 8) || '.bin'}`);
      ({ etag: inputEtag } = await deps.storeFor(source.bucket).download(source.prefix, inputPath, deps.maxVideoSize, signal));
    } else {
      confined = await openConfinedInput(input.root, job.input);
      inputPath = confined.path;
    }
    throwIfAborted(signal);
    // Splitting (probe, plan, publishing the tasks) is this delivery's work too, within --timeout.
    const limit = timeLimit(signal, deps.timeoutSeconds * 1000, `stopped after the ${deps.timeoutSeconds} s time limit (MAX_PROCESSING_TIME / --timeout) while splitting the job`);
    const split = publishTasks ? await splitJob(job, { path: inputPath, etag: inputEtag }, deps, limit.signal, onEvent, publishTasks).finally(() => limit.clear()) : undefined;
    if (split) return { status: 'split', master, split };
    const ladderDir = join(workspace.dir, 'ladder-out');
    const transcoded = await transcode({
      input: inputPath,
      outputDir: ladderDir,
      binaries: deps.binaries,
      plan: {
        ladder: job.ladder,
        preset: job.preset,
        crf: job.crf,
        segmentDuration: job.segmentDuration,
        segmentType: job.segmentType,
        cores: deps.cores,
        threads: deps.threads,
      },
      tmpRoot: workspace.dir,
      maxVideoSize: deps.maxVideoSize,
      maxDurationSeconds: deps.maxDurationSeconds,
      minDiskSpace: deps.minDiskSpace,
      timeoutSeconds: deps.timeoutSeconds,
      signal,
      onEvent,
    });
    const uploaded = await uploadLadder({ dir: ladderDir, location: output, store: outputStore, concurrency: deps.uploadConcurrency, signal, onEvent });
    return { status: 'completed', master, transcode: transcoded, upload: uploaded };
  } catch (error) {
    throw confined ? confined.named(error) : error;
  } finally {
    await confined?.close();
    await workspace.remove();
  }
}

/** The `completed` event of a job: where the master playlist is and, when it was encoded now, its renditions. */
export function completedEvent(jobId: string, attempt: number, outcome: JobOutcome, seconds: number): JobEventInput {
  const base = { type: 'completed' as const, jobId, attempt, master: outcome.master, seconds: Number(seconds.toFixed(3)) };
  if (outcome.status === 'already-complete') return { ...base, status: 'already-complete' };
  if (outcome.status === 'split') throw new Error('a split job completes when its last task does');
  return {
    ...base,
    status: 'completed',
    speed: Number(outcome.transcode.speed.toFixed(3)),
    renditions: renditionsEventField(outcome.transcode.renditions),
    uploaded: outcome.upload.uploaded,
    // What the HLS checks found on the ladder before it was uploaded (every MUST held, or it would have failed).
    ...(outcome.transcode.verify ? { verify: verifyEventField(outcome.transcode.verify) } : {}),
    skipped: outcome.upload.skipped,
    // Where the job's time went: the pipeline's stages, then the upload.
    phases: { ...outcome.transcode.phases, upload: Number(outcome.upload.seconds.toFixed(3)) },
  };
}
