/**
 * A segment's check made where the segment was written (a chunk task, before its upload) and stored
 * beside it: the SHA-256 and size of its bytes, what probing and decoding it found, and the same for
 * each of its keyframes' byte ranges. verify, run later where the segment is only in the bucket, uses
 * it in place of reading and decoding the segment when the object's recorded hash and size are these.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import pLimit from 'p-limit';
import { avcCodecFromAnnexB } from '../playlist/codecs.js';
import { MAX_BATCH, inBatches } from './batch-decode.js';
import { probeSegments, type ProbeRequest } from './probe-segments.js';
import type { SegmentProbe } from './segment-probe.js';

const time = z.number().nullable().transform((v) => v ?? Number.NaN);
const text = (max: number) => z.string().max(max).optional();

const probeSchema = z
  .object({
    container: z.enum(['mpegts', 'mov', 'aac', 'webvtt', 'unknown']),
    streams: z
      .array(
        z
          .object({ type: z.string().max(16), codec: z.string().max(32), profile: text(64), width: z.number().int().optional(), height: z.number().int().optional(), fieldOrder: text(16), colorTransfer: text(32) })
          .strict()
          .transform((s) => ({ type: s.type, codec: s.codec, profile: s.profile, width: s.width, height: s.height, fieldOrder: s.fieldOrder, colorTransfer: s.colorTransfer })),
      )
      .max(16),
    videoPackets: z.array(z.object({ pts: time, key: z.boolean() }).strict()).max(100_000),
    audio: z.object({ start: time, end: time }).strict().optional(),
    videoFrames: z
      .array(
        z
          .object({ pts: time, key: z.boolean(), pictType: text(4), interlaced: z.boolean(), width: z.number().int().optional(), height: z.number().int().optional() })
          .strict()
          .transform((f) => ({ pts: f.pts, key: f.key, pictType: f.pictType, interlaced: f.interlaced, width: f.width, height: f.height })),
      )
      .max(64)
      .optional(),
    errors: z.array(z.string().max(2000)).max(16),
  })
  .strict()
  .transform((p): SegmentProbe => ({ container: p.container, streams: p.streams, videoPackets: p.videoPackets, audio: p.audio, videoFrames: p.videoFrames, errors: p.errors }));

export const segmentCheckSchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().positive(),
    /** `avc1.PPCCLL` from the segment's SPS, when it carries H.264 (CODECS is checked against it). */
    avcCodec: z.string().regex(/^avc1\.[0-9A-Fa-f]{6}$/).optional(),
    probe: probeSchema,
    /** Each keyframe's byte range (as the I-frame playlist names it) and its probe. */
    ranges: z.array(z.object({ offset: z.number().int().min(0), length: z.number().int().positive(), probe: probeSchema }).strict()).max(10_000),
  })
  .strict();

export type SegmentCheck = z.infer<typeof segmentCheckSchema>;

/** A task's checks file: its segments' checks by ladder key (`360p/segment_00012.ts`). */
export const storedChecksSchema = z
  .object({
    version: z.literal(1),
    segments: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\/segment_\d{5,9}\.(ts|m4s|aac)$/), segmentCheckSchema),
  })
  .strict();

/**
 * A probe as small as the rules allow: every packet (times and keyframes), and of the decoded frames the
 * first one plus one of each frame size and scan type seen, which is all a rule reads of them.
 */
export function summarizeProbe(probe: SegmentProbe): SegmentProbe {
  if (!probe.videoFrames) return { ...probe, errors: probe.errors.slice(0, 16) };
  const kinds = new Set<string>();
  const frames = probe.videoFrames.filter((f, i) => {
    const kind = `${f.width}x${f.height}:${f.interlaced}`;
    if (i > 0 && kinds.has(kind)) return false;
    kinds.add(kind);
    return true;
  });
  return { ...probe, videoFrames: frames.slice(0, 64), errors: probe.errors.slice(0, 16) };
}

export interface CheckOptions {
  ffmpeg: string;
  ffprobe: string;
  /** Decode processes at once. */
  concurrency: number;
  signal?: AbortSignal | undefined;
}

export interface SegmentBytes {
  bytes: Uint8Array;
  /** Its keyframes' byte ranges, each self-contained (PAT/PMT included). */
  ranges: readonly { offset: number; length: number }[];
}

/** Probes and decodes every segment and every keyframe range as verify would, in batches. */
export async function checkSegments(segments: readonly SegmentBytes[], options: CheckOptions): Promise<SegmentCheck[]> {
  const limit = pLimit(options.concurrency);
  const inGroups = (requests: ProbeRequest[], size: number) => Promise.all(inBatches(requests, size).map((g) => limit(() => probeSegments(g, options)))).then((p) => p.flat());
  const ranges = segments.flatMap((s) => s.ranges.map((r) => ({ bytes: s.bytes.subarray(r.offset, r.offset + r.length), decode: true })));
  // Ranges are single frames: many to a process.
  const [probes, rangeProbes] = await Promise.all([inGroups(segments.map((s) => ({ bytes: s.bytes, decode: true })), MAX_BATCH), inGroups(ranges, 4 * MAX_BATCH)]);
  let next = 0;
  return segments.map((s, i) => ({
    sha256: createHash('sha256').update(s.bytes).digest('hex'),
    bytes: s.bytes.length,
    ...(probes[i]!.container === 'mpegts' && probes[i]!.streams.some((st) => st.codec === 'h264') ? { avcCodec: avcCodecFromAnnexB(s.bytes.subarray(0, 64 * 1024)) } : {}),
    probe: summarizeProbe(probes[i]!),
    ranges: s.ranges.map((r) => ({ offset: r.offset, length: r.length, probe: summarizeProbe(rangeProbes[next++]!) })),
  }));
}
