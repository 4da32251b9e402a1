/**
 * One run of a chunked job: what the splitting worker decided once and every task must follow. A run is
 * named by the job's id, a fingerprint of the job's fields (input, output, ladder, options) and a random
 * token made at the split; its state lives in its own folder, so a resubmission with the same id but
 * other fields, or a new run after a failed one, never reads another run's plan or manifests. The shape
 * of the job (chunks, the media task, the time limit, the duration the ladder must have) is stored in
 * `plan.json` with the plan and never taken from a task message.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { encodePlanSchema, normalizePlan } from '../core/chunks/plan-schema.js';
import { parseJsonWith } from '../core/chunks/parse-json.js';
import type { EncodePlan } from '../core/plan/encode-plan.js';
import type { JobMessage } from './job-message.js';

/** Most tasks one job may be split into (chunks and the media task). */
export const MAX_TASKS_PER_JOB = 1000;

/** Hex digits of the fingerprint in a run's folder name. */
const FINGERPRINT_LENGTH = 16;

/** A hash of everything that decides what the ladder holds: two jobs with equal fingerprints make the same ladder. */
export function jobFingerprint(job: JobMessage, chunkSeconds: number): string {
  const fields = {
    input: job.input,
    output: job.output,
    ladder: job.ladder ?? null,
    preset: job.preset ?? null,
    crf: job.crf ?? null,
    segmentDuration: job.segmentDuration ?? null,
    segmentType: job.segmentType ?? null,
    chunkSeconds,
  };
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, FINGERPRINT_LENGTH);
}

/** A fresh run token (128 random bits, hex). */
export function newRunToken(): string {
  return randomBytes(16).toString('hex');
}

export const runTokenSchema = z.string().regex(/^[0-9a-f]{32}$/, 'expected a run token');

export const runRecordSchema = z
  .object({
    token: runTokenSchema,
    jobId: z.string().max(128),
    fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
    chunkSeconds: z.number().int().min(1).max(3600),
    chunks: z.number().int().min(2).max(MAX_TASKS_PER_JOB),
    media: z.boolean(),
    /** When the job was split and by when it must be finished (ms since the epoch). */
    splitAt: z.number().int().min(0),
    deadline: z.number().int().min(0),
    /** The duration the ladder must have: the input's, as its packets back it. */
    duration: z.number().min(0).max(1e6),
    /** The ETag of the S3 input the job was split from: every task encodes that version or none. */
    inputEtag: z.string().min(1).max(256).optional(),
  })
  .strict();

export type RunRecord = z.infer<typeof runRecordSchema>;

const storedPlanSchema = z.object({ run: runRecordSchema, plan: encodePlanSchema }).strict();

export interface StoredPlan {
  run: RunRecord;
  plan: EncodePlan;
}

/** plan.json as written: the run and the plan, without the splitting worker's local input path. */
export function storedPlanJson(run: RunRecord, plan: EncodePlan): unknown {
  return { run, plan: { ...plan, input: { ...plan.input, path: '' } } };
}

export function parseStoredPlan(text: string, label: string): StoredPlan {
  const stored = parseJsonWith(storedPlanSchema, text, label);
  return { run: stored.run, plan: normalizePlan(stored.plan) };
}

/** The folder name of a run under `.hlsify-chunks/`: `<job id>.<fingerprint>.<token>`. */
export function runFolder(jobId: string, fingerprint: string, token: string): string {
  return `${jobId}.${fingerprint}.${token}`;
}

/** The parts of a run folder's name; undefined for a name that is not one. */
export function parseRunFolder(name: string): { jobId: string; fingerprint: string; token: string } | undefined {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.([0-9a-f]{16})\.([0-9a-f]{32})$/.exec(name);
  return match ? { jobId: match[1]!, fingerprint: match[2]!, token: match[3]! } : undefined;
}
