/**
 * Keyframe placement: an IDR every keyframe interval (Apple HLS Authoring Spec 1.13: every 2 s), and
 * segments a whole number of those intervals, so every segment starts with an IDR (7.4) at the same time
 * in every rendition (8.22).
 */

/** Apple's recommended keyframe interval, seconds. */
export const DEFAULT_KEYFRAME_INTERVAL = 2;

/** Whether `segmentDuration` is a whole number of `interval`s (to a microsecond). */
export function dividesSegment(segmentDuration: number, interval: number): boolean {
  if (!(interval > 0)) return false;
  const count = segmentDuration / interval;
  return Math.abs(count - Math.round(count)) < 1e-6 && Math.round(count) >= 1;
}

/**
 * The keyframe interval used for `segmentDuration`: `requested` when it divides the segment evenly,
 * otherwise the longest interval no longer than `requested` that does (segment / ceil(segment /
 * requested)), e.g. 2 s asked with 5 s segments gives 5/3 s. `adjusted` says the request was not used
 * as given.
 */
export function resolveKeyframeInterval(segmentDuration: number, requested = DEFAULT_KEYFRAME_INTERVAL): { interval: number; adjusted: boolean } {
  if (dividesSegment(segmentDuration, requested)) return { interval: requested, adjusted: false };
  const count = Math.max(1, Math.ceil(segmentDuration / requested));
  return { interval: segmentDuration / count, adjusted: true };
}

/**
 * x264's GOP cap in frames for a keyframe interval at `fps`: one frame more than the interval holds, so
 * x264 never adds a keyframe of its own just before the time-forced one (29.97 fps: 2 s is 59.94 frames,
 * the forced keyframes come 59 or 60 frames apart; 25 fps: 50 apart, and a 50.000001 s rounding must
 * not give two keyframes in a row).
 */
export function gopFrames(interval: number, fps: number): number {
  return Math.max(1, Math.floor(interval * fps + 1e-6) + 1);
}

/**
 * `-force_key_frames` value: an IDR at the first frame at or after every multiple of the interval. An
 * interval with no short decimal form is written as segment/count (5/3, not 1.666667: three of those
 * would pass 5 s and move the segment cut one frame late). ffmpeg measures `t` from the first frame the
 * process encodes, so a chunk whose first frame comes `firstFrameLag` seconds after its (interval-aligned)
 * start moves every threshold back by that much: its keyframes fall on the frames the whole file's do.
 */
export function forceKeyFramesExpression(interval: number, segmentDuration: number, firstFrameLag = 0): string {
  const decimal = Number(interval.toFixed(6));
  const count = Math.round(segmentDuration / interval);
  const value = Math.abs(decimal - interval) < 1e-12 || count < 1 ? String(decimal) : `${segmentDuration}/${count}`;
  return firstFrameLag > 1e-9 ? `expr:gte(t,n_forced*${value}-${firstFrameLag.toFixed(9)})` : `expr:gte(t,n_forced*${value})`;
}
