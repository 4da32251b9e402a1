/**
 * The first worker to take a chunked job: probes and plans it once, stores the plan in the bucket, and
 * publishes one task per chunk plus one for the audio and subtitles, with the job's priority. Any worker
 * then takes any task. A job is split when it asks for chunks (`chunkSeconds`) or, with the worker's
 * --chunk-seconds, when it is at least --chunk-min-duration long; a job too short for two chunks is
 * encoded whole.
 */
import { InputError } from '../errors.js';
import type { PipelineListener } from '../core/events.js';
import { chunkingProblem, planChunks } from '../core/plan/chunks.js';
import type { EncodePlan } from '../core/plan/encode-plan.js';
import { parseEncodePlan } from '../core/chunks/plan-schema.js';
import { probeAndPlan } from '../core/probe-and-plan.js';
import { parseS3Url } from '../core/upload/s3-location.js';
import { chunkStateFor, PLAN_FILE, readState, writeState } from './chunk-state.js';
import type { JobMessage } from './job-message.js';
import type { JobDependencies } from './run-job.js';
import type { TaskMessage } from './task-message.js';

export interface SplitResult {
  chunks: number;
  tasks: number;
  chunkSeconds: number;
}

/** Publishes tasks on the work queue (confirmed) before the job is acked. */
export type PublishTasks = (tasks: TaskMessage[], priority: number | undefined) => Promise<void>;

/** Splits `job` when it is to be chunked; undefined when it is encoded whole. */
export async function splitJob(job: JobMessage, inputPath: string, deps: JobDependencies, signal: AbortSignal, onEvent: PipelineListener, publish: PublishTasks): Promise<SplitResult | undefined> {
  const chunkSeconds = job.chunkSeconds ?? deps.chunking?.seconds;
  if (chunkSeconds === undefined) return undefined;
  const output = parseS3Url(job.output);
  const state = chunkStateFor(deps.storeFor(output.bucket), output, job.id);
  // A job redelivered after it was split keeps the plan its tasks already follow.
  const stored = await readState(state, PLAN_FILE, signal);
  let plan: EncodePlan;
  if (stored !== undefined) plan = parseEncodePlan(stored, `${job.id}/${PLAN_FILE}`);
  else {
    ({ plan } = await probeAndPlan(
      {
        input: inputPath,
        binaries: deps.binaries,
        plan: { ladder: job.ladder, preset: job.preset, crf: job.crf, segmentDuration: job.segmentDuration, segmentType: job.segmentType, cores: deps.cores, threads: deps.threads },
        maxVideoSize: deps.maxVideoSize,
      },
      signal,
      onEvent,
    ));
    if (job.chunkSeconds === undefined && plan.input.duration < (deps.chunking?.minDuration ?? 0)) return undefined;
  }
  const problem = chunkingProblem(plan, chunkSeconds);
  if (problem) {
    if (job.chunkSeconds !== undefined) throw new InputError(`chunkSeconds ${chunkSeconds}: ${problem}`);
    return undefined;
  }
  const chunks = planChunks(plan, chunkSeconds);
  if (chunks.length < 2) return undefined;
  if (stored === undefined) await writeState(state, PLAN_FILE, { ...plan, input: { ...plan.input, path: '' } }, signal);
  const media = plan.audioRenditions.length + plan.subtitleRenditions.length > 0;
  const common = { job: { ...job, chunkSeconds }, chunkSeconds, chunks: chunks.length, media, splitAt: Date.now() };
  const tasks: TaskMessage[] = [...chunks.map((c) => ({ task: 'chunk' as const, chunk: c.index, ...common })), ...(media ? [{ task: 'media' as const, ...common }] : [])];
  await publish(tasks, job.priority);
  return { chunks: chunks.length, tasks: tasks.length, chunkSeconds };
}
