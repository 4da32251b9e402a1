/** Runs ffprobe (hardened) on a local file and returns validated MediaInfo; bad input is an InputError. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runTool } from '../tools/run-tool.js';
import { InputError, UsageError, stderrTail } from '../../errors.js';
import { describeLimitHit, inputHardeningArgs, inputUrl } from '../tools/hardening.js';
import { ffprobeOutputSchema } from './ffprobe-schema.js';
import type { MediaInfo, SourceMedia } from './media-info.js';
import { mediaInfoFromFfprobe } from './media-info-from-ffprobe.js';

/** Checks that `path` is a non-empty regular file; returns its absolute path and size. */
export async function checkInputFile(path: string): Promise<{ path: string; size: number }> {
  const absolute = resolve(path);
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`input ${path}: no such file`);
    if (code === 'EACCES') throw new InputError(`input ${path}: permission denied`);
    throw new InputError(`input ${path}: cannot be read (${code ?? (error as Error).message})`);
  }
  if (info.isDirectory()) throw new InputError(`input ${path}: is a directory, not a video file`);
  if (!info.isFile()) throw new InputError(`input ${path}: is not a regular file`);
  if (info.size === 0) throw new InputError(`input ${path}: is empty (0 bytes)`);
  return { path: absolute, size: info.size };
}

/** Translates ffprobe's stderr into what is wrong with the input, in the user's words. */
export function describeProbeFailure(stderr: string): string {
  const limit = describeLimitHit(stderr);
  if (limit) return limit;
  if (/not on whitelist/i.test(stderr)) {
    const demuxer = /\[(\w+) @/.exec(stderr)?.[1];
    return `is ${demuxer ? `a "${demuxer}" file` : 'a format'} disguised or unsupported as video input (hlsify only reads mp4/mov, mkv/webm, avi, ts, flv, ogg, asf/wmv and mpeg files)`;
  }
  if (/moov atom not found/i.test(stderr)) return 'is not a playable video: no MP4 index (moov atom) found — the file is truncated, still being written, or not a video';
  if (/Invalid data found when processing input/i.test(stderr)) return 'is not a recognised video file (invalid data)';
  if (/Permission denied/i.test(stderr)) return 'cannot be read: permission denied';
  const last = stderrTail(stderr, 1);
  return `could not be probed${last ? `: ${last}` : ''}`;
}

export interface ProbeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Accept an input without video (an audio-only ladder). */
  allowAudioOnly?: boolean;
}

/** Probes `path` with ffprobe and returns its MediaInfo. */
export async function probeInput(ffprobe: string, path: string, options?: ProbeOptions & { allowAudioOnly?: false }): Promise<MediaInfo>;
export async function probeInput(ffprobe: string, path: string, options: ProbeOptions): Promise<SourceMedia>;
export async function probeInput(ffprobe: string, path: string, options: ProbeOptions = {}): Promise<SourceMedia> {
  const file = await checkInputFile(path);
  const args = ['-hide_banner', '-v', 'error', ...inputHardeningArgs(), '-of', 'json', '-show_format', '-show_streams', inputUrl(file.path)];
  const result = await runTool(ffprobe, args, { signal: options.signal, timeoutMs: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 });
  if (result.timedOut) throw new InputError(`input ${path}: ffprobe did not finish within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s`);
  if ((result as { code?: string }).code === 'ENOENT') throw new UsageError(`ffprobe not found at "${ffprobe}"`);
  if (result.failed) {
    throw new InputError(`input ${path}: ${describeProbeFailure(String(result.stderr))}`, { details: stderrTail(String(result.stderr)) });
  }
  let json: unknown;
  try {
    json = JSON.parse(String(result.stdout));
  } catch {
    throw new InputError(`input ${path}: ffprobe returned unreadable metadata`);
  }
  const parsed = ffprobeOutputSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`input ${path}: unexpected metadata from ffprobe (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  try {
    return mediaInfoFromFfprobe(parsed.data, file.path, file.size, { allowAudioOnly: options.allowAudioOnly ?? false });
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`input ${path}: ${error.message}`);
    throw error;
  }
}
