/** A generated sample video (ffmpeg lavfi test pattern + tone), so bench runs anywhere without a file. */
import { join } from 'node:path';
import { execa } from 'execa';
import { EncodeError, abortReason, stderrTail } from '../errors.js';

export interface SampleOptions {
  width: number;
  height: number;
  durationSeconds: number;
  fps?: number | undefined;
}

/** The ffmpeg arguments that write the sample to `path` (moving pattern + 440 Hz stereo AAC, H.264). */
export function sampleArgs(options: SampleOptions, path: string): string[] {
  const fps = options.fps ?? 30;
  return [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${options.width}x${options.height}:rate=${fps}`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(options.durationSeconds),
    // A high-quality but quick source: the bench measures hlsify's encode, not this one.
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-ac', '2', '-shortest', '-movflags', '+faststart',
    path,
  ];
}

/** Writes `sample-WxH-Ds.mp4` into `dir` and returns its path. */
export async function generateSample(ffmpeg: string, dir: string, options: SampleOptions, signal?: AbortSignal): Promise<string> {
  const path = join(dir, `sample-${options.width}x${options.height}-${options.durationSeconds}s.mp4`);
  try {
    await execa(ffmpeg, sampleArgs(options, path), { cancelSignal: signal, stdin: 'ignore' });
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw new EncodeError('could not generate the bench sample with ffmpeg', { cause: error, details: stderrTail(String((error as { stderr?: unknown }).stderr ?? '')) });
  }
  return path;
}
