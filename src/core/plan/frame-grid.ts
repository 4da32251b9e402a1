/** The output frame grid: frames at n / fps, with the rate as ffmpeg reads it (30000/1001, not 29.97). */
import type { EncodePlan } from './encode-plan.js';

/** Formats a frame rate for ffmpeg's fps filter exactly enough (29.97 → 30000/1001). */
export function fpsExpression(fps: number): string {
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(fps - (ntsc * 1000) / 1001) < 0.001 && Math.abs(fps - ntsc) > 0.001) return `${ntsc * 1000}/1001`;
  return String(Math.round(fps * 1000) / 1000);
}

/** The rate of fpsExpression as a fraction: frames `num` per `den` seconds. */
function exactRate(fps: number): { num: number; den: number } {
  const [num, den = '1'] = fpsExpression(fps).split('/');
  return { num: Number(num), den: Number(den) };
}

/** Seconds from a chunk's start to its first frame (the frame grid rarely falls on the boundary itself). */
export function firstFrameLag(plan: Pick<EncodePlan, 'video'>, chunk: { start: number }): number {
  const { num, den } = exactRate(plan.video.fps);
  return (frameIndexAt(chunk.start, plan.video.fps) * den) / num - chunk.start;
}

/** Index of the first output frame at or after `seconds` (frames at n / fps, the rate as ffmpeg reads fpsExpression). */
export function frameIndexAt(seconds: number, fps: number): number {
  const { num, den } = exactRate(fps);
  return Math.max(0, Math.ceil((seconds * num) / den - 1e-9));
}
