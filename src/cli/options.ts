/** zod schemas for CLI flags (commander hands us strings); every problem is reported at once. */
import { z } from 'zod';
import { durationSchema, formatIssues, minSpeedSchema, parseSize, presetSchema, wholeNumberSchema } from '../config.js';
import { UsageError } from '../errors.js';
import type { RungSpec } from '../core/plan/rungs.js';
import { chunkSecondsProblem } from '../core/plan/chunks.js';
import { dividesSegment } from '../core/plan/keyframes.js';

const wholeNumber = wholeNumberSchema;

/** Parses a bit rate such as "2800k", "5M" or "800000" into b/s. */
function parseBitrate(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) return undefined;
  const multiplier = { '': 1, k: 1e3, m: 1e6 }[match[2]!.toLowerCase()] ?? 1;
  return Math.round(Number(match[1]) * multiplier);
}

/** `--ladder 1080,720,480` or with bit rates `1080:5000k,720:2800k`. */
export const ladderSchema = z.string().transform((text, ctx): RungSpec[] => {
  const rungs: RungSpec[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\d+)p?(?::(.+))?$/i.exec(part);
    const size = match ? Number(match[1]) : NaN;
    const bitrate = match?.[2] === undefined ? undefined : parseBitrate(match[2]);
    if (!match || size < 64 || size > 4320 || (match[2] !== undefined && (bitrate === undefined || bitrate < 50_000 || bitrate > 100_000_000))) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a rung: expected HEIGHT or HEIGHT:BITRATE such as 720 or 720:2800k (height 64-4320, bit rate 50k-100M)` });
      return z.NEVER;
    }
    rungs.push({ size, bitrate });
  }
  if (rungs.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'expected at least one rung, e.g. 1080,720,480,360' });
    return z.NEVER;
  }
  return rungs;
});

/** `--audio-tracks all` or language tags `eng,fra` (as tagged in the source, or RFC 5646 such as `en`). */
export const audioTracksSchema = z.string().transform((text, ctx): 'all' | string[] => {
  const tags = text.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length === 1 && tags[0]!.toLowerCase() === 'all') return 'all';
  const bad = tags.find((t) => !/^[a-z]{2,8}(-[a-z0-9]{1,8})*$/i.test(t));
  if (tags.length === 0 || bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `${bad === undefined ? 'expected' : `"${bad}" is not a language tag: expected`} all or language tags such as eng,fra` });
    return z.NEVER;
  }
  return tags;
});

/** Flags shared by `upload` and `transcode --upload`. */
export const uploadFlagsShape = {
  endpoint: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  concurrency: wholeNumber(1, 64).optional(),
  segmentCacheControl: z.string().min(1).optional(),
  playlistCacheControl: z.string().min(1).optional(),
  contentType: z.array(z.string().regex(/^\.[a-z0-9]+=[\w.+-]+\/[\w.+-]+$/i, 'expected EXT=TYPE such as .ts=video/mp2t')).optional(),
  multipartThreshold: z.string().transform((text, ctx) => {
    const bytes = parseSize(text);
    if (bytes === undefined || bytes < 5 * 1024 * 1024) {
      ctx.addIssue({ code: 'custom', message: 'expected a size of at least 5MiB, such as 16MiB' });
      return z.NEVER;
    }
    return bytes;
  }).optional(),
};

/** `--keyframe-interval 2` or `0.5`: seconds between IDR frames. */
const keyframeIntervalSchema = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'expected seconds such as 2 or 0.5')
  .transform(Number)
  .pipe(z.number().min(0.1, 'expected at least 0.1 s').max(60, 'expected at most 60 s'));

export const transcodeFlagsSchema = z
  .object({
    output: z.string().min(1).optional(),
    ladder: ladderSchema.optional(),
    preset: presetSchema.optional(),
    speed: minSpeedSchema.optional(),
    crf: wholeNumber(0, 51).optional(),
    segmentDuration: wholeNumber(1, 60).optional(),
    segmentType: z.enum(['ts', 'fmp4'], { error: 'expected ts or fmp4' }).optional(),
    keyframeInterval: keyframeIntervalSchema.optional(),
    deinterlace: z.enum(['auto', 'off', 'frame', 'field'], { error: 'expected auto, off, frame or field' }).optional(),
    processes: wholeNumber(1, 32).optional(),
    parallel: wholeNumber(1, 32).optional(),
    chunkSeconds: wholeNumber(1, 3600).optional(),
    threads: wholeNumber(0, 64).optional(),
    timeout: durationSchema.optional(),
    tmpDir: z.string().min(1).optional(),
    keepTemp: z.boolean().optional(),
    force: z.boolean().optional(),
    ffmpeg: z.string().min(1).optional(),
    ffprobe: z.string().min(1).optional(),
    quiet: z.boolean().optional(),
    json: z.boolean().optional(),
    verbose: z.boolean().optional(),
    upload: z.string().min(1).optional(),
    preview: z.boolean().optional(),
    verify: z.boolean().optional(),
    audio: z.enum(['separate', 'muxed'], { error: 'expected separate or muxed' }).optional(),
    audioTracks: audioTracksSchema.optional(),
    surround: z.enum(['on', 'off'], { error: 'expected on or off' }).optional(),
    allowAudioOnly: z.boolean().optional(),
    ...uploadFlagsShape,
  })
  .strict()
  .superRefine((flags, ctx) => {
    // Segments are whole GOPs (every segment starts with an IDR): an interval that does not divide the
    // segment duration is a usage error rather than silently moved keyframes.
    const segment = flags.segmentDuration ?? 6;
    if (flags.keyframeInterval !== undefined && !dividesSegment(segment, flags.keyframeInterval)) {
      ctx.addIssue({ code: 'custom', path: ['keyframeInterval'], message: `${flags.keyframeInterval} s does not divide the ${segment} s segment duration evenly (try ${[1, 2, 3].filter((k) => dividesSegment(segment, k)).join(' or ') || segment})` });
    }
    if (flags.chunkSeconds !== undefined) {
      const problem = chunkSecondsProblem(flags.chunkSeconds, segment);
      if (problem) ctx.addIssue({ code: 'custom', path: ['chunkSeconds'], message: `${problem} (try ${segment * Math.max(1, Math.round(flags.chunkSeconds / segment))})` });
      if (flags.segmentType === 'fmp4') ctx.addIssue({ code: 'custom', path: ['chunkSeconds'], message: 'chunked encoding writes MPEG-TS segments: not with --segment-type fmp4' });
      if (flags.audio === 'muxed') ctx.addIssue({ code: 'custom', path: ['chunkSeconds'], message: 'chunked encoding encodes audio once, in its own renditions: not with --audio muxed' });
    }
  });

export type TranscodeFlags = z.infer<typeof transcodeFlagsSchema>;

export const uploadFlagsSchema = z
  .object({
    ...uploadFlagsShape,
    dryRun: z.boolean().optional(),
    quiet: z.boolean().optional(),
    json: z.boolean().optional(),
    verbose: z.boolean().optional(),
  })
  .strict();

/** `--content-type .ts=video/mp2t` flags → { '.ts': 'video/mp2t' }. */
export function contentTypeOverrides(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs) return undefined;
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')).toLowerCase(), pair.slice(pair.indexOf('=') + 1)]));
}

/** Validates commander's option object; flag names in messages are given as --kebab-case. */
export function parseFlags<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      ...issue,
      path: issue.path.map((key) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`),
    }));
    throw new UsageError(`invalid option: ${formatIssues(issues)}`);
  }
  return result.data;
}

/** `--endpoint`, else the AWS CLI's own variables for a custom S3 endpoint. */
export function endpointFrom(flag: unknown, env: NodeJS.ProcessEnv): string | undefined {
  return typeof flag === 'string' ? flag : (env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
}
