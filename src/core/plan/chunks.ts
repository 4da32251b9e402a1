/**
 * Chunked encoding, planned: the source cut in time into runs of whole segments that separate ffmpeg
 * processes (or workers) encode on their own and that join into the ladder an unchunked encode makes.
 * Pure: an EncodePlan and a chunk length in, data out.
 */
import type { EncodePlan } from './encode-plan.js';
import { firstFrameLag } from './frame-grid.js';

/** One chunk: output times [start, end) and the whole-file number of its first segment. */
export interface ChunkRange {
  index: number;
  /** Output time of its first frame, seconds: a segment boundary (a multiple of the segment duration). */
  start: number;
  /** Output time it stops before; undefined for the last chunk (to the end of the source). */
  end: number | undefined;
  firstSegment: number;
}

/** Seconds of source decoded before a chunk's start (deinterlacer and frame-rate filter neighbours). */
export const CHUNK_LEAD_IN_SECONDS = 1;

/** Why `chunkSeconds` cannot cut a ladder of `segmentDuration` s segments, or undefined when it can. */
export function chunkSecondsProblem(chunkSeconds: number, segmentDuration: number): string | undefined {
  if (!Number.isFinite(chunkSeconds) || chunkSeconds <= 0) return `chunk length ${chunkSeconds} s: expected a positive number of seconds`;
  const segments = chunkSeconds / segmentDuration;
  if (Math.abs(segments - Math.round(segments)) > 1e-9 || Math.round(segments) < 1) {
    return `chunk length ${chunkSeconds} s is not a whole number of ${segmentDuration} s segments (a chunk is a run of whole segments)`;
  }
  return undefined;
}

/** Why `plan` cannot be encoded in chunks of `chunkSeconds`, or undefined when it can. */
export function chunkingProblem(plan: EncodePlan, chunkSeconds: number): string | undefined {
  if (plan.renditions.length === 0) return 'chunked encoding needs video (an audio-only ladder is encoded whole)';
  if (plan.segment.type !== 'ts') return 'chunked encoding writes MPEG-TS segments; fMP4 segments are encoded whole (leave out the chunk length or use --segment-type ts)';
  if (plan.audio) return 'chunked encoding needs audio in its own renditions (audio is encoded once for the whole file, never per chunk): leave out --audio muxed';
  const problem = chunkSecondsProblem(chunkSeconds, plan.segment.duration);
  if (problem) return problem;
  // Each chunk's segment cuts drift by its first frame's lag per segment (see the HLS muxer's hls_time in
  // ffmpeg-args): it must stay under a keyframe interval less a frame over the chunk.
  const frame = 1 / plan.video.fps;
  const tooLong = planChunks(plan, chunkSeconds).find((chunk) => {
    const segments = Math.ceil(((chunk.end ?? plan.input.duration) - chunk.start) / plan.segment.duration - 1e-9);
    return firstFrameLag(plan, chunk) * (segments - 1) >= plan.video.keyframeInterval - frame;
  });
  if (tooLong) {
    const most = Math.max(1, Math.floor((plan.video.keyframeInterval - frame) / frame)) * plan.segment.duration;
    return `chunks of ${chunkSeconds} s are too long for the keyframe timing of ${plan.video.fps.toFixed(3)} fps: use at most ${most} s`;
  }
  return undefined;
}

/**
 * The chunks of `plan` at `chunkSeconds` each (a whole multiple of the segment duration). The last chunk
 * runs to the end; a remainder shorter than half a segment joins it rather than making a chunk of its own.
 */
export function planChunks(plan: EncodePlan, chunkSeconds: number): ChunkRange[] {
  const problem = chunkSecondsProblem(chunkSeconds, plan.segment.duration);
  if (problem) throw new RangeError(problem);
  const segmentsPerChunk = Math.round(chunkSeconds / plan.segment.duration);
  let count = Math.max(1, Math.ceil(plan.input.duration / chunkSeconds - 1e-9));
  if (count > 1 && plan.input.duration - (count - 1) * chunkSeconds < plan.segment.duration / 2) count--;
  return Array.from({ length: count }, (_, index) => ({
    index,
    start: index * chunkSeconds,
    end: index === count - 1 ? undefined : (index + 1) * chunkSeconds,
    firstSegment: index * segmentsPerChunk,
  }));
}

/** Whole seconds of source a chunk seeks to before its start: the lead-in, never before 0. */
export function chunkSeek(chunk: Pick<ChunkRange, 'start'>): number {
  return Math.max(0, Math.floor(chunk.start - CHUNK_LEAD_IN_SECONDS));
}
