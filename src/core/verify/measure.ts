/** What verify measures from the probed segments: times, durations, frame rate and bit rates. */
import { averageBandwidth, peakBandwidth } from '../playlist/bandwidth.js';
import type { Ladder, LoadedPlaylist, LoadedSegment } from './ladder-model.js';
import type { Variant } from './playlist-model.js';

/** The smallest and largest of `values` (a loop: a segment may hold more packets than a call takes arguments). */
export function extent(values: readonly number[]): { min: number; max: number } | undefined {
  if (values.length === 0) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max };
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Presentation time at which a segment starts: its earliest video packet, else its first audio packet. */
export function segmentStart(segment: LoadedSegment): number | undefined {
  const video = (segment.probe?.videoPackets ?? []).map((p) => p.pts).filter(Number.isFinite);
  if (video.length > 0) return extent(video)!.min;
  return segment.probe?.audio?.start;
}

/** The median distance between consecutive video frames, seconds. */
export function frameDuration(playlist: LoadedPlaylist): number | undefined {
  const deltas: number[] = [];
  for (const segment of playlist.segments) {
    const times = (segment.probe?.videoPackets ?? []).map((p) => p.pts).filter(Number.isFinite).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) if (times[i]! > times[i - 1]!) deltas.push(times[i]! - times[i - 1]!);
  }
  return median(deltas);
}

/** Measured frame rate, frames per second. */
export function measuredFrameRate(playlist: LoadedPlaylist): number | undefined {
  const duration = frameDuration(playlist);
  return duration ? 1 / duration : undefined;
}

/** Each segment's duration from the media (next segment's start − this start); EXTINF where unmeasurable. */
export function measuredDurations(playlist: LoadedPlaylist): number[] {
  const starts = playlist.segments.map(segmentStart);
  const frame = frameDuration(playlist);
  return playlist.segments.map((segment, i) => {
    const start = starts[i];
    const next = starts[i + 1];
    if (start === undefined) return segment.extinf;
    if (next !== undefined && i + 1 < starts.length) return next - start;
    const video = (segment.probe?.videoPackets ?? []).map((p) => p.pts).filter(Number.isFinite);
    if (video.length > 0 && frame) return extent(video)!.max + frame - start;
    return segment.extinf;
  });
}

export interface MeasuredRate {
  /** Peak segment bit rate over 0.5–1.5 × target-duration windows (RFC 8216 §4.3.4.2), b/s. */
  peak: number;
  /** Total bits over total duration, b/s. */
  average: number;
}

/** Peak and average bit rate of one media playlist's segments, over their measured durations. */
export function measuredRate(playlist: LoadedPlaylist): MeasuredRate | undefined {
  if (!playlist.playlist || playlist.segments.length === 0 || playlist.segments.some((s) => s.readError)) return undefined;
  const durations = measuredDurations(playlist);
  const segments = playlist.segments.map((s, i) => ({ duration: durations[i]!, bytes: s.bytes }));
  return { peak: peakBandwidth(segments, playlist.playlist.targetDuration ?? 0), average: averageBandwidth(segments) };
}

/** The variants with their loaded media playlists. */
export function loadedVariants(ladder: Ladder): { variant: Variant; playlist: LoadedPlaylist | undefined }[] {
  return ladder.master.variants.map((variant, i) => {
    const key = ladder.variantKeys[i];
    return { variant, playlist: key ? ladder.playlists.get(key) : undefined };
  });
}

/** The loaded playlists of the renditions in `group` of `type`. */
export function groupPlaylists(ladder: Ladder, type: string, group: string | undefined): { name: string; playlist: LoadedPlaylist | undefined }[] {
  if (group === undefined) return [];
  return ladder.master.renditions.flatMap((r, i) => {
    if (r.type !== type || r.groupId !== group || r.uri === undefined) return [];
    const key = ladder.renditionKeys[i];
    return [{ name: r.name ?? r.uri, playlist: key ? ladder.playlists.get(key) : undefined }];
  });
}

/** The video stream of a playlist as ffprobe saw it in its first probed segment. */
export function videoStream(playlist: LoadedPlaylist) {
  for (const segment of playlist.segments) {
    const stream = segment.probe?.streams.find((s) => s.type === 'video');
    if (stream) return stream;
  }
  return undefined;
}

/** Formats b/s as kb/s for evidence. */
export function kbps(bitsPerSecond: number): string {
  return `${Math.round(bitsPerSecond / 1000)} kb/s`;
}
