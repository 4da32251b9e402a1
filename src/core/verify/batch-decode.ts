/**
 * Decodes many segments in one ffmpeg process, each as an input of its own (its own demuxer and
 * decoder: "decodes on its own" still holds), and reads every decoded frame from a `showinfo` filter
 * per input. One process start instead of one per segment; the decode itself is the same work.
 * Any error-level line, a failed exit or a missing frame report gives `undefined`: the caller then
 * decodes those segments one by one with ffprobe, which says which segment is at fault and how.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfAborted } from '../../errors.js';
import { createOwnedTempDir } from '../finish/owned-temp-dir.js';
import { runTool } from '../tools/run-tool.js';
import { MAX_PIXELS, inputHardeningArgs, inputUrl } from '../tools/hardening.js';

export interface DecodeInput {
  /** What the decoder reads: the init segment or map first, then the segment (or I-frame range). */
  bytes: Uint8Array;
  container: 'mpegts' | 'mov';
}

export interface DecodedFrame {
  pts: number;
  key: boolean;
  pictType: string | undefined;
  interlaced: boolean;
  width: number;
  height: number;
}

export interface DecodedInput {
  frames: DecodedFrame[];
  /** The first frame's field order as ffprobe names it: progressive, tt or bb. */
  fieldOrder: string | undefined;
  /** The first frame's transfer characteristic (bt709, smpte2084, arib-std-b67…), when it says one. */
  colorTransfer: string | undefined;
}

export interface BatchDecodeOptions {
  ffmpeg: string;
  /** fMP4 I-frame ranges end inside their fragment: the demuxer's "partial file" line is expected. */
  partialRanges?: boolean | undefined;
  /** Niceness of the ffmpeg process. */
  priority?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Most inputs one process decodes (each holds a decoder and its reference frames while it runs). */
export const MAX_BATCH = 8;

/** `items` cut into consecutive batches of at most `size`. */
export function inBatches<T>(items: readonly T[], size: number = MAX_BATCH): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** ffmpeg's arguments for decoding `paths`, each its own input with its own showinfo (arguments as data). */
export function batchDecodeArgs(paths: readonly string[], container: 'mpegts' | 'mov'): string[] {
  const inputs = paths.flatMap((path) => ['-threads', '1', ...inputHardeningArgs(container), '-max_pixels', String(MAX_PIXELS), '-f', container, '-i', inputUrl(path)]);
  // One filter per chain, so showinfo's instance name Parsed_showinfo_<i> is the input's index.
  const graph = paths.map((_, i) => `[${i}:v:0]showinfo=checksum=0[o${i}]`).join(';');
  const outputs = paths.flatMap((_, i) => ['-map', `[o${i}]`, '-f', 'null', '-']);
  // -copyts: each input keeps its own times, so inputs are decoded in turn rather than all at once.
  return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info', '-copyts', ...inputs, '-filter_complex', graph, ...outputs];
}

const FRAME = /^\[Parsed_showinfo_(\d+) @ [^\]]+\] \[info\] n:\s*\d+ pts:\s*-?\d+ pts_time:(\S+)\s+pos:\s*-?\d+ fmt:\S+ sar:\S+ s:(\d+)x(\d+) i:(\S) iskey:(\d) type:(\S)/;
const COLOR = /^\[Parsed_showinfo_(\d+) @ [^\]]+\] \[info\] color_range:\S+ color_space:\S+ color_primaries:\S+ color_trc:(\S+)/;
const ERROR = /\[(error|fatal|panic)\] /;
const FIELD_ORDER: Record<string, string> = { P: 'progressive', T: 'tt', B: 'bb' };

/** The frames of each input from ffmpeg's stderr; undefined when it reported an error (parsed, tested directly). */
export function parseBatchDecode(stderr: string, inputs: number, partialRanges = false): DecodedInput[] | undefined {
  const decoded: DecodedInput[] = Array.from({ length: inputs }, () => ({ frames: [], fieldOrder: undefined, colorTransfer: undefined }));
  for (const line of stderr.split('\n')) {
    if (ERROR.test(line)) {
      if (partialRanges && /partial file/.test(line)) continue;
      return undefined;
    }
    const frame = FRAME.exec(line);
    if (frame) {
      const input = decoded[Number(frame[1])];
      if (!input) return undefined;
      const field = frame[5]!;
      if (input.frames.length === 0) input.fieldOrder = FIELD_ORDER[field];
      input.frames.push({ pts: Number(frame[2]), width: Number(frame[3]), height: Number(frame[4]), interlaced: field === 'T' || field === 'B', key: frame[6] === '1', pictType: frame[7] === '?' ? undefined : frame[7] });
      continue;
    }
    const color = COLOR.exec(line);
    if (color) {
      const input = decoded[Number(color[1])];
      if (input && input.colorTransfer === undefined && color[2] !== 'unknown') input.colorTransfer = color[2];
    }
  }
  // Every input decodes to at least one frame, or the per-segment probe says why not.
  return decoded.every((d) => d.frames.length > 0) ? decoded : undefined;
}

/** Decodes each input on its own in one ffmpeg process; undefined when any of them did not decode cleanly. */
export async function batchDecode(inputs: readonly DecodeInput[], options: BatchDecodeOptions): Promise<DecodedInput[] | undefined> {
  if (inputs.length === 0) return [];
  const container = inputs[0]!.container;
  if (inputs.some((i) => i.container !== container)) return undefined;
  throwIfAborted(options.signal);
  // Locked: `hlsify cleanup` removes it once this process is gone (a SIGKILLed verify).
  const dir = await createOwnedTempDir('hlsify-verify-');
  try {
    const paths = inputs.map((_, i) => join(dir, `input-${i}.${container === 'mov' ? 'mp4' : 'ts'}`));
    await Promise.all(inputs.map((input, i) => writeFile(paths[i]!, input.bytes)));
    const result = await runTool(options.ffmpeg, batchDecodeArgs(paths, container), { signal: options.signal, timeoutMs: 60_000 * inputs.length, maxBuffer: 64 * 1024 * 1024, priority: options.priority });
    if (result.failed || result.timedOut) return undefined;
    return parseBatchDecode(String(result.stderr), inputs.length, options.partialRanges);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
