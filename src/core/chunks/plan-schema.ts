/**
 * The encode plan of a chunked job as it travels through the bucket (`plan.json`, written once by the
 * worker that split the job, read by every chunk and by the finisher). Every field that reaches an ffmpeg
 * argument, a filter graph, a path or a playlist is checked here: names and tags by pattern, options by
 * enum, numbers by range. A plan that fails is an InputError (the job fails, nothing runs).
 */
import { z } from 'zod';
import { presetSchema } from '../../config.js';
import { parseJsonWith } from './parse-json.js';
import type { EncodePlan } from '../plan/encode-plan.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
const language = z.string().regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$/);
/** A NAME attribute: no quote, backslash or control character. */
const title = z.string().min(1).max(200).regex(/^[^"\\\p{Cc}]+$/u);
const colourName = z.string().regex(/^[a-z0-9_-]{1,32}$/);
const seconds = z.number().min(0).max(1e6);
const count = (max: number) => z.number().int().min(0).max(max);

const renditionSchema = z.object({ name, width: count(8192), height: count(8192), videoBitrate: count(1e9), maxrate: count(1e9), bufsize: count(2e9), level: z.string().regex(/^\d\.\d$/).optional() }).strict();

const audioSchema = z.object({ name, inputStream: count(64), language, title, isDefault: z.boolean(), channels: z.union([z.literal(2), z.literal(6)]), bitrate: count(1e7), sampleRate: count(192_000) }).strict();

const subtitleSchema = z.object({ name, inputStream: count(64), language, title, isDefault: z.boolean(), forced: z.boolean() }).strict();

export const encodePlanSchema = z
  .object({
    input: z.object({ path: z.string().max(4096), duration: seconds, fps: z.number().min(0).max(1000), videoStream: z.number().int().min(-1).max(64), audioStream: count(64).optional(), videoStartTime: seconds }).strict(),
    renditions: z.array(renditionSchema).max(16),
    treatment: z
      .object({
        deinterlace: z.object({ rate: z.enum(['field', 'frame']), parity: z.enum(['tff', 'bff']), reason: z.string().max(500) }).strict().optional(),
        toneMap: z.object({ transfer: z.enum(['smpte2084', 'arib-std-b67']), primaries: colourName, matrix: colourName, fullRange: z.boolean() }).strict().optional(),
        input: z.object({ matrix: z.enum(['bt709', 'bt601', 'bt2020', 'smpte240m', 'fcc']), fullRange: z.boolean() }).strict(),
        decodedFps: z.number().min(0).max(1000),
        variableFrameRate: z.boolean(),
      })
      .strict(),
    video: z
      .object({ preset: presetSchema, crf: count(51).optional(), profile: z.literal('high'), fps: z.number().min(0).max(1000), keyframeInterval: z.number().positive().max(60), gop: count(100_000), threads: count(256) })
      .strict(),
    audio: z.object({ bitrate: count(1e7), channels: z.literal(2), sampleRate: count(192_000) }).strict().optional(),
    audioLayout: z.enum(['separate', 'muxed']),
    audioRenditions: z.array(audioSchema).max(32),
    subtitleRenditions: z.array(subtitleSchema).max(32),
    skipped: z.array(z.string().max(500)).max(64),
    segment: z.object({ duration: z.number().int().min(1).max(60), type: z.enum(['ts', 'fmp4']) }).strict(),
    processes: z.array(z.array(count(15)).max(16)).max(16),
    parallel: z.number().int().min(1).max(64),
    maxInputSeconds: seconds,
    presetChoice: z
      .object({
        preset: presetSchema,
        source: z.enum(['flag', 'size-rule', 'speed-floor']),
        reason: z.string().max(500),
        predictedSpeed: z.number().optional(),
        minSpeed: z.number(),
        costModel: z.enum(['built-in', 'calibration']).optional(),
      })
      .strict(),
  })
  .strict();

/** Parses an encode plan stored as JSON on its own; the local input path is the reader's own to fill in. */
export function parseEncodePlan(text: string, label: string): EncodePlan {
  return normalizePlan(parseJsonWith(encodePlanSchema, text, label));
}

/** A plan as its schema parsed it, with the optional fields JSON dropped spelled as EncodePlan spells them. */
export function normalizePlan(plan: z.infer<typeof encodePlanSchema>): EncodePlan {
  return {
    ...plan,
    input: { ...plan.input, audioStream: plan.input.audioStream },
    renditions: plan.renditions.map((r) => ({ ...r, level: r.level })),
    treatment: { ...plan.treatment, deinterlace: plan.treatment.deinterlace, toneMap: plan.treatment.toneMap },
    video: { ...plan.video, crf: plan.video.crf },
    audio: plan.audio,
    presetChoice: { ...plan.presetChoice, predictedSpeed: plan.presetChoice.predictedSpeed, costModel: plan.presetChoice.costModel },
  } satisfies EncodePlan;
}
