/**
 * The transcode job as it arrives on the queue, validated with zod. Anything that fails here is a poison
 * message: dead-lettered at once with the reason, never retried.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { formatIssues, presetSchema } from '../config.js';
import { InputError } from '../errors.js';
import { parseS3Url } from '../core/upload/s3-location.js';
import { chunkSecondsProblem } from '../core/plan/chunks.js';

const s3Url = z.string().refine(
  (url) => {
    try {
      parseS3Url(url);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected s3://bucket/key' },
);

export const jobMessageSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected 1-128 letters, digits, dot, underscore or hyphen'),
    input: z.string().min(1).max(2048),
    output: s3Url,
    ladder: z
      .array(z.object({ size: z.number().int().min(64).max(4320), bitrate: z.number().int().min(50_000).max(100_000_000).optional() }).strict())
      .min(1)
      .max(8)
      .optional(),
    preset: presetSchema.optional(),
    crf: z.number().int().min(0).max(51).optional(),
    segmentDuration: z.number().int().min(1).max(60).optional(),
    segmentType: z.enum(['ts', 'fmp4']).optional(),
    priority: z.number().int().min(0).max(9).optional(),
    /** Encode in chunks of this many seconds, spread over the workers (a whole number of segments). */
    chunkSeconds: z.number().int().min(1).max(3600).optional(),
    webhook: z
      .string()
      .url()
      .refine((url) => /^https?:\/\//.test(url), { message: 'expected an http(s) URL' })
      .refine((url) => URL.canParse(url) && !new URL(url).username && !new URL(url).password, { message: 'user:password in a webhook URL is refused' })
      .optional(),
    /** Set by `hlsify submit --wait`: the worker signs the job's events with it (event-signature.ts). */
    eventKey: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits').optional(),
  })
  .strict()
  .superRefine((job, ctx) => {
    const problem = job.chunkSeconds === undefined ? undefined : chunkSecondsProblem(job.chunkSeconds, job.segmentDuration ?? 6);
    if (problem) ctx.addIssue({ code: 'custom', path: ['chunkSeconds'], message: problem });
  });

export type JobMessage = z.infer<typeof jobMessageSchema>;

export type JobInput = { kind: 's3'; url: string } | { kind: 'local'; path: string; root: string };

/** A delivery's JSON body; throws InputError when it is not JSON. */
export function parseMessageJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new InputError('message is not valid JSON');
  }
}

/** Validates a delivery's JSON as a job; throws InputError naming every problem. */
export function parseJobJson(json: unknown): JobMessage {
  const result = jobMessageSchema.safeParse(json);
  if (!result.success) throw new InputError(`invalid job: ${formatIssues(result.error.issues)}`);
  return result.data;
}

/**
 * Where the job's input is: an s3:// URL, or a local path that must resolve inside `inputRoot` (only when
 * the worker was started with --input-root). Traversal out of the root is a poison message.
 */
export function resolveJobInput(input: string, inputRoot: string | undefined): JobInput {
  if (input.startsWith('s3://')) {
    parseS3Url(input);
    return { kind: 's3', url: input };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) throw new InputError(`input "${input}": only s3:// URLs or paths under the worker's --input-root are accepted`);
  if (!inputRoot) throw new InputError(`input "${input}": local paths are refused (the worker was started without --input-root)`);
  const root = resolve(inputRoot);
  const path = resolve(root, input);
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new InputError(`input "${input}": resolves outside the worker's --input-root`);
  // Symlinks are judged when the file is opened (openConfinedInput), by where they really lead.
  return { kind: 'local', path, root };
}
