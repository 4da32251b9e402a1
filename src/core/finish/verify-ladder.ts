/**
 * Checks the ladder is complete before anyone sees it: ffmpeg exits 0 and writes #EXT-X-ENDLIST even when
 * stopped early, so each rendition's produced duration is compared with the probed one.
 */
import { InputError } from '../../errors.js';

/** Allowed gap between produced and probed duration, seconds. */
export function durationTolerance(probedSeconds: number): number {
  return Math.max(1, probedSeconds * 0.02);
}

/** Throws when any rendition is shorter or longer than the input by more than the tolerance. */
export function verifyLadder(renditions: readonly { name: string; duration: number }[], probedSeconds: number): void {
  const tolerance = durationTolerance(probedSeconds);
  for (const r of renditions) {
    if (Math.abs(r.duration - probedSeconds) > tolerance) {
      // A short output from a clean ffmpeg exit means the input ended early: truncated or corrupt data.
      throw new InputError(
        `the input looks truncated or corrupt: rendition ${r.name} has ${r.duration.toFixed(2)} s of video, but the input claims ${probedSeconds.toFixed(2)} s`,
      );
    }
  }
}
