/**
 * Looks at the picture itself for interlacing: ffmpeg's `idet` filter over a short sample of decoded
 * frames. Field-order flags lie both ways (progressive-flagged broadcast captures, interlace-flagged
 * progressive files), so the planner weighs this sample against the flag.
 */
import { runTool } from '../tools/run-tool.js';
import { MAX_PIXELS, inputHardeningArgs, inputUrl } from '../tools/hardening.js';
import type { MediaInfo } from './media-info.js';

/** idet's multi-frame verdicts over the sample (frames counted once each). */
export interface FieldSample {
  tff: number;
  bff: number;
  progressive: number;
  undetermined: number;
}

/** Frames the sample decodes: 2 s at 30 fps, enough for idet's multi-frame verdicts to settle (0.3 s of CPU at 1080p). */
export const FIELD_SAMPLE_FRAMES = 60;

/** Parses the last "Multi frame detection" summary idet prints on stderr; undefined when absent. */
export function parseIdetSummary(stderr: string): FieldSample | undefined {
  const lines = stderr.split(/\r?\n/).filter((line) => line.includes('Multi frame detection:'));
  const line = lines.at(-1);
  if (!line) return undefined;
  const count = (name: string) => Number(new RegExp(`${name}:\\s*(\\d+)`).exec(line)?.[1] ?? NaN);
  const sample = { tff: count('TFF'), bff: count('BFF'), progressive: count('Progressive'), undetermined: count('Undetermined') };
  return Object.values(sample).every(Number.isFinite) ? sample : undefined;
}

/** Where the sample starts: past the opening seconds (titles, black) of a long file, at 0 for a short one. */
export function fieldSampleStart(duration: number): number {
  return duration > 20 ? Math.min(duration * 0.2, 120) : 0;
}

/**
 * Runs idet over a sample of `media`'s video. Returns undefined when ffmpeg cannot say (the encode then
 * reports any real decoding problem); throws only when cancelled.
 */
export async function sampleFields(ffmpeg: string, media: MediaInfo, options: { signal?: AbortSignal; launcher?: readonly string[] | undefined } = {}): Promise<FieldSample | undefined> {
  const start = fieldSampleStart(media.duration);
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info',
    ...inputHardeningArgs(),
    '-max_pixels', String(MAX_PIXELS),
    ...(start > 0 ? ['-ss', start.toFixed(3)] : []),
    '-i', inputUrl(media.path),
    '-map', `0:${media.video.index}`, '-an', '-sn', '-dn',
    '-frames:v', String(FIELD_SAMPLE_FRAMES),
    '-vf', 'idet',
    '-f', 'null', '-',
  ];
  const [command, ...prefix] = [...(options.launcher ?? []), ffmpeg];
  const result = await runTool(command!, [...prefix, ...args], { signal: options.signal, timeoutMs: 60_000, maxBuffer: 4 * 1024 * 1024 });
  if (result.failed) return undefined;
  return parseIdetSummary(String(result.stderr));
}
