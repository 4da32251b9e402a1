/**
 * The first worker to take a chunked job: probes and plans it once, stores the run and the plan in the
 * bucket, and publishes one task per chunk plus one for the audio and subtitles, with the job's priority.
 * Any worker then takes any task. A job is split when it asks for chunks (`chunkSeconds`) or, with the
 * worker's --chunk-seconds, when it is at least --chunk-min-duration long; a job too short for two chunks
 * is encoded whole.
 *
 * What a run may be (chunk-run.ts): a redelivered or repeated job with the same id and fields keeps the
 * run in progress; one whose earlier run failed or ran out of time starts a clean run (the state of runs
 * that failed or ran out of time under the output is removed); a job, chunked or whole, whose output
 * another job's run is writing is refused, since both would write the same segment keys. Planned from a duration the file's packets back, within --max-duration and
 * MAX_TASKS_PER_JOB, before any task is published.
 */
import { InputError, TransientError } from '../errors.js';
import type { PipelineListener } from '../core/events.js';
import { durationTolerance } from '../core/finish/verify-ladder.js';
import { chunkingProblem, planChunks } from '../core/plan/chunks.js';
import type { EncodePlan } from '../core/plan/encode-plan.js';
import { probeAndPlan } from '../core/probe-and-plan.js';
import { videoPacketEnd } from '../core/probe/packet-end.js';
import type { ObjectStore } from '../core/upload/object-store.js';
import { parseS3Url, type S3Location } from '../core/upload/s3-location.js';
import { jobFingerprint, MAX_TASKS_PER_JOB, newRunToken, parseStoredPlan, runFolder, storedPlanJson, type RunRecord, type StoredPlan } from './chunk-run.js';
import { chunkStateFor, FAILED_FILE, listRuns, PLAN_FILE, readState, removeState, runsPrefix, writeState, type RunFolder } from './chunk-state.js';
import { finishLockScope } from './finish-lock.js';
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

interface KnownRun extends RunFolder {
  stored: StoredPlan | undefined;
}

/** Splits `job` when it is to be chunked; undefined when it is encoded whole. */
export async function splitJob(job: JobMessage, input: { path: string; etag: string | undefined }, deps: JobDependencies, signal: AbortSignal, onEvent: PipelineListener, publish: PublishTasks): Promise<SplitResult | undefined> {
  const chunkSeconds = job.chunkSeconds ?? deps.chunking?.seconds;
  if (chunkSeconds === undefined) return undefined;
  const output = parseS3Url(job.output);
  const store = deps.storeFor(output.bucket);
  const fingerprint = jobFingerprint(job, chunkSeconds);
  const ours = (run: KnownRun) => run.jobId === job.id && run.fingerprint === fingerprint;

  // A job redelivered after it was split (or submitted again meanwhile) keeps the run its tasks follow.
  const before = await knownRuns(store, output, signal);
  const running = before.find((run) => ours(run) && isActive(run));
  if (running) return publishRun(job, running.stored!, publish);
  refuseIfInUse(job, before.find((run) => !ours(run) && isActive(run)));

  const { plan } = await probeAndPlan(
    {
      input: input.path,
      binaries: deps.binaries,
      plan: { ladder: job.ladder, preset: job.preset, crf: job.crf, segmentDuration: job.segmentDuration, segmentType: job.segmentType, cores: deps.cores, threads: deps.threads },
      maxVideoSize: deps.maxVideoSize,
      maxDurationSeconds: deps.maxDurationSeconds,
    },
    signal,
    onEvent,
  );
  if (job.chunkSeconds === undefined && plan.input.duration < (deps.chunking?.minDuration ?? 0)) return undefined;
  const problem = chunkingProblem(plan, chunkSeconds);
  if (problem) {
    if (job.chunkSeconds !== undefined) throw new InputError(`chunkSeconds ${chunkSeconds}: ${problem}`);
    return undefined;
  }
  await checkBackedDuration(plan, input.path, deps, signal);
  const chunks = planChunks(plan, chunkSeconds);
  if (chunks.length < 2) return undefined;
  const media = plan.audioRenditions.length + plan.subtitleRenditions.length > 0;
  const tasks = chunks.length + (media ? 1 : 0);
  if (tasks > MAX_TASKS_PER_JOB) {
    throw new InputError(`chunkSeconds ${chunkSeconds}: ${plan.input.duration.toFixed(1)} s would make ${tasks} tasks, above the limit of ${MAX_TASKS_PER_JOB} per job: use longer chunks`);
  }

  // Deciding and writing the run is one step across the fleet: two jobs split at once must not both
  // decide the output is free.
  const held = await deps.lock!(
    finishLockScope(`split\n${output.bucket}\n${runsPrefix(output)}`),
    async () => {
      const now = await knownRuns(store, output, signal);
      const again = now.find((run) => ours(run) && isActive(run));
      if (again) return again.stored!;
      refuseIfInUse(job, now.find((run) => !ours(run) && isActive(run)));
      // Runs here that failed or ran out of time (this job's earlier runs or others'): none can finish,
      // and a resubmission starts clean.
      for (const dead of now.filter((run) => !isActive(run))) await removeState(chunkStateFor(store, output, dead.folder), dead.names, signal);
      const splitAt = Date.now();
      const run: RunRecord = {
        token: newRunToken(),
        jobId: job.id,
        fingerprint,
        chunkSeconds,
        chunks: chunks.length,
        media,
        splitAt,
        deadline: splitAt + deps.jobTimeoutSeconds * 1000,
        duration: plan.input.duration,
        ...(input.etag === undefined ? {} : { inputEtag: input.etag }),
      };
      await writeState(chunkStateFor(store, output, runFolder(job.id, fingerprint, run.token)), PLAN_FILE, storedPlanJson(run, plan), signal);
      return { run, plan };
    },
    signal,
  );
  if (!held.locked) throw new TransientError(`job ${job.id}: another worker is splitting a job for ${job.output}; trying again later`);
  return publishRun(job, held.value, publish);
}

/**
 * Refuses a job, chunked or whole, whose output a run of another job (another id, input or options) is
 * writing now: both would write the same segment keys, and the ladder would mix the two.
 */
export async function refuseOutputInUse(job: JobMessage, deps: JobDependencies, signal: AbortSignal): Promise<void> {
  const output = parseS3Url(job.output);
  const fingerprint = jobFingerprint(job, job.chunkSeconds ?? deps.chunking?.seconds ?? 0);
  const runs = await knownRuns(deps.storeFor(output.bucket), output, signal);
  refuseIfInUse(job, runs.find((run) => !(run.jobId === job.id && run.fingerprint === fingerprint) && isActive(run)));
}

function refuseIfInUse(job: JobMessage, other: KnownRun | undefined): void {
  if (!other) return;
  throw new InputError(
    `output ${job.output} is being written by job ${other.jobId} (split at ${new Date(other.stored!.run.splitAt).toISOString()}, other input or options): both would write the same segments; wait until it completes or fails, or choose another output`,
  );
}

async function publishRun(job: JobMessage, stored: StoredPlan, publish: PublishTasks): Promise<SplitResult> {
  const { run } = stored;
  // The chunk length the run was planned with travels in the job, so every task finds the run's folder.
  const taskJob = { ...job, chunkSeconds: run.chunkSeconds };
  const tasks: TaskMessage[] = [
    ...Array.from({ length: run.chunks }, (_, chunk) => ({ task: 'chunk' as const, chunk, job: taskJob, run: run.token })),
    ...(run.media ? [{ task: 'media' as const, job: taskJob, run: run.token }] : []),
  ];
  await publish(tasks, job.priority);
  return { chunks: run.chunks, tasks: tasks.length, chunkSeconds: run.chunkSeconds };
}

/** The run folders under the output, each with its plan when it has one that parses. */
async function knownRuns(store: ObjectStore, output: S3Location, signal: AbortSignal): Promise<KnownRun[]> {
  const runs = await listRuns(store, output, signal);
  return Promise.all(
    runs.map(async (run) => {
      if (!run.names.has(PLAN_FILE)) return { ...run, stored: undefined };
      const text = await readState(chunkStateFor(store, output, run.folder), PLAN_FILE, signal).catch(() => undefined);
      let stored: StoredPlan | undefined;
      try {
        stored = text === undefined ? undefined : parseStoredPlan(text, `${run.folder}/${PLAN_FILE}`);
      } catch {
        stored = undefined;
      }
      // A plan whose run does not match its folder's name was not written by a worker for this folder.
      if (stored && (stored.run.token !== run.token || stored.run.jobId !== run.jobId || stored.run.fingerprint !== run.fingerprint)) stored = undefined;
      return { ...run, stored };
    }),
  );
}

/** A run still in progress: planned, not failed, within its time limit. */
function isActive(run: KnownRun, now = Date.now()): boolean {
  return run.stored !== undefined && !run.names.has(FAILED_FILE) && run.stored.run.deadline > now;
}

/** Refuses an input whose video packets end well before the duration its header claims (truncated or crafted). */
async function checkBackedDuration(plan: EncodePlan, inputPath: string, deps: JobDependencies, signal: AbortSignal): Promise<void> {
  const claimed = plan.input.duration;
  const end = await videoPacketEnd(deps.binaries.ffprobe, inputPath, { videoStream: plan.input.videoStream, claimedEnd: plan.input.videoStartTime + claimed, signal });
  const backed = end === undefined ? 0 : end - plan.input.videoStartTime;
  if (backed < claimed - durationTolerance(claimed)) {
    throw new InputError(`the input looks truncated or corrupt: its header claims ${claimed.toFixed(2)} s, but its video packets end at ${backed.toFixed(2)} s`);
  }
}
