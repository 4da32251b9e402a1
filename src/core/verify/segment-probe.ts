/**
 * Looks inside one segment with ffprobe, hardened as for inputs (only `file:`, only the segment's own
 * container, a pixel cap): its streams, its video packets in decode order (keyframe flags, times) and,
 * when asked to decode, every frame and any decoder error.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../tools/run-tool.js';
import { createOwnedTempDir } from '../finish/owned-temp-dir.js';
import { z } from 'zod';
import { UsageError, stderrTail } from '../../errors.js';
import { MAX_PIXELS, inputHardeningArgs, inputUrl } from '../tools/hardening.js';

export type SegmentContainer = 'mpegts' | 'mov' | 'aac' | 'webvtt' | 'unknown';

const ISO_BOXES = new Set(['ftyp', 'styp', 'moof', 'moov', 'sidx', 'emsg', 'prft', 'free', 'mdat']);

/** The container from the first bytes: TS sync bytes, an ISO BMFF box, ADTS/ID3 packed audio, WebVTT. */
export function sniffContainer(bytes: Uint8Array): SegmentContainer {
  if (bytes[0] === 0x47 && (bytes.length <= 188 || bytes[188] === 0x47)) return 'mpegts';
  const box = Buffer.from(bytes.subarray(4, 8)).toString('latin1');
  if (bytes.length >= 8 && ISO_BOXES.has(box)) return 'mov';
  const head = Buffer.from(bytes.subarray(0, 10)).toString('utf8').replace(/^\uFEFF/, '');
  if (head.startsWith('WEBVTT')) return 'webvtt';
  if (head.startsWith('ID3') || (bytes[0] === 0xff && (bytes[1]! & 0xf6) === 0xf0)) return 'aac';
  return 'unknown';
}

/** The top-level box types of ISO BMFF bytes, as far as they parse (a range may end inside a box). */
export function topLevelBoxes(bytes: Uint8Array): string[] {
  const boxes: string[] = [];
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 0; offset + 8 <= view.length && boxes.length < 64; ) {
    const size = view.readUInt32BE(offset);
    boxes.push(view.toString('latin1', offset + 4, offset + 8));
    if (size < 8) break;
    offset += size;
  }
  return boxes;
}

const number = z.union([z.string(), z.number()]).transform((v) => Number(v)).optional();

const itemSchema = z.looseObject({
  type: z.string().optional(),
  stream_index: z.number().optional(),
  codec_type: z.string().optional(),
  media_type: z.string().optional(),
  pts_time: number,
  dts_time: number,
  flags: z.string().optional(),
  key_frame: z.number().optional(),
  pict_type: z.string().optional(),
  best_effort_timestamp_time: number,
  interlaced_frame: z.number().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
});

const probeSchema = z.object({
  streams: z
    .array(
      z.looseObject({
        index: z.number(),
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        profile: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        field_order: z.string().optional(),
        color_transfer: z.string().optional(),
        r_frame_rate: z.string().optional(),
      }),
    )
    .default([]),
  // ffprobe names the list `packets` when only packets are shown, `packets_and_frames` with frames too.
  packets: z.array(itemSchema).optional(),
  packets_and_frames: z.array(itemSchema).optional(),
});

export interface ProbedStream {
  type: string;
  codec: string;
  profile: string | undefined;
  width: number | undefined;
  height: number | undefined;
  fieldOrder: string | undefined;
  colorTransfer: string | undefined;
}

export interface SegmentProbe {
  container: SegmentContainer;
  streams: ProbedStream[];
  /** Video packets in decode order: presentation time and keyframe flag. */
  videoPackets: { pts: number; key: boolean }[];
  /** Presentation time of the first and last audio packets. */
  audio: { start: number; end: number } | undefined;
  /** Decoded video frames in presentation order; undefined when the segment was not decoded. */
  videoFrames: { pts: number; key: boolean; pictType: string | undefined; interlaced: boolean; width: number | undefined; height: number | undefined }[] | undefined;
  /** Decoder and demuxer errors (ffprobe's error-level lines); empty when clean. */
  errors: string[];
}

export interface ProbeOptions {
  ffprobe: string;
  decode: boolean;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Niceness of the ffprobe process. */
  priority?: number | undefined;
}

/** ffprobe's arguments for a segment written to `path` (arguments as data, tested directly). */
export function segmentProbeArgs(path: string, container: 'mpegts' | 'mov' | 'aac', decode: boolean): string[] {
  const entries = [
    'stream=index,codec_type,codec_name,profile,width,height,field_order,color_transfer,r_frame_rate',
    'packet=stream_index,codec_type,pts_time,dts_time,flags',
    ...(decode ? ['frame=stream_index,media_type,key_frame,pict_type,best_effort_timestamp_time,interlaced_frame,width,height'] : []),
  ];
  return ['-hide_banner', '-v', 'error', ...inputHardeningArgs(container), '-max_pixels', String(MAX_PIXELS), '-f', container, '-show_entries', entries.join(':'), '-of', 'json', inputUrl(path)];
}

/** Probes `bytes` (init segment or map first, then the segment); never throws for bad media, only reports it. */
export async function probeSegment(bytes: Uint8Array, options: ProbeOptions): Promise<SegmentProbe> {
  const container = sniffContainer(bytes);
  const empty: SegmentProbe = { container, streams: [], videoPackets: [], audio: undefined, videoFrames: options.decode ? [] : undefined, errors: [] };
  if (container === 'webvtt') return empty;
  if (container === 'unknown') return { ...empty, errors: ['not MPEG-TS, fragmented MP4, packed audio or WebVTT'] };
  // Locked: `hlsify cleanup` removes it once this process is gone (a SIGKILLed verify).
  const dir = await createOwnedTempDir('hlsify-verify-');
  try {
    const path = join(dir, `segment.${container === 'mov' ? 'mp4' : container === 'aac' ? 'aac' : 'ts'}`);
    await writeFile(path, bytes);
    const result = await runTool(options.ffprobe, segmentProbeArgs(path, container, options.decode), { signal: options.signal, timeoutMs: options.timeoutMs ?? 120_000, maxBuffer: 256 * 1024 * 1024, priority: options.priority });
    if ((result as { code?: string }).code === 'ENOENT') throw new UsageError(`ffprobe not found at "${options.ffprobe}"`);
    const errors = String(result.stderr).split('\n').map((l) => l.trim()).filter((l) => l !== '');
    if (result.timedOut) return { ...empty, errors: ['ffprobe did not finish in time'] };
    let json: z.infer<typeof probeSchema>;
    try {
      json = probeSchema.parse(JSON.parse(String(result.stdout) || '{}'));
    } catch {
      return { ...empty, errors: errors.length > 0 ? errors : [`ffprobe failed (${stderrTail(String(result.stderr), 1) || `exit ${result.exitCode}`})`] };
    }
    if (result.failed && errors.length === 0) errors.push(`ffprobe exited with ${result.exitCode}`);
    const typeOf = new Map(json.streams.map((s) => [s.index, s.codec_type ?? 'unknown']));
    const items = json.packets_and_frames ?? (json.packets ?? []).map((p) => ({ ...p, type: 'packet' }));
    const isVideo = (i: (typeof items)[number]) => (i.codec_type ?? i.media_type ?? typeOf.get(i.stream_index ?? -1)) === 'video';
    const isAudio = (i: (typeof items)[number]) => (i.codec_type ?? i.media_type ?? typeOf.get(i.stream_index ?? -1)) === 'audio';
    const packets = items.filter((i) => i.type === 'packet');
    let audio: { start: number; end: number } | undefined;
    // A loop, not Math.min(...times): a segment may hold more packets than a call takes arguments.
    for (const p of packets) {
      const t = p.pts_time;
      if (!isAudio(p) || t === undefined || !Number.isFinite(t)) continue;
      audio = audio ? { start: Math.min(audio.start, t), end: Math.max(audio.end, t) } : { start: t, end: t };
    }
    return {
      container,
      streams: json.streams.map((s) => ({
        type: s.codec_type ?? 'unknown',
        codec: s.codec_name ?? 'unknown',
        profile: s.profile,
        width: s.width,
        height: s.height,
        fieldOrder: s.field_order,
        colorTransfer: s.color_transfer,
      })),
      videoPackets: packets.filter(isVideo).map((p) => ({ pts: p.pts_time ?? p.dts_time ?? Number.NaN, key: (p.flags ?? '').includes('K') })),
      audio,
      videoFrames: options.decode
        ? items
            .filter((i) => i.type === 'frame' && isVideo(i))
            .map((f) => ({ pts: f.best_effort_timestamp_time ?? Number.NaN, key: f.key_frame === 1, pictType: f.pict_type, interlaced: f.interlaced_frame === 1, width: f.width, height: f.height }))
        : undefined,
      errors,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
