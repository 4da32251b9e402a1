/** Bit rates a master playlist declares, measured from the segments (RFC 8216 §4.3.4.2). */

export interface SegmentMeasure {
  /** Seconds (EXTINF). */
  duration: number;
  /** Bytes on disk. */
  bytes: number;
}

/** AVERAGE-BANDWIDTH: total bits over total duration, b/s. */
export function averageBandwidth(segments: readonly SegmentMeasure[]): number {
  const seconds = segments.reduce((sum, s) => sum + s.duration, 0);
  const bits = segments.reduce((sum, s) => sum + s.bytes * 8, 0);
  return seconds > 0 ? Math.ceil(bits / seconds) : 0;
}

/**
 * BANDWIDTH: the peak segment bit rate — the largest bit rate of any contiguous run of segments whose
 * total duration is between 0.5 and 1.5 times the target duration. When no run qualifies, the highest
 * single-segment rate is used.
 */
export function peakBandwidth(segments: readonly SegmentMeasure[], targetDuration: number): number {
  let peak = 0;
  for (let start = 0; start < segments.length; start++) {
    let seconds = 0;
    let bits = 0;
    for (let end = start; end < segments.length; end++) {
      seconds += segments[end]!.duration;
      bits += segments[end]!.bytes * 8;
      if (seconds > 1.5 * targetDuration) break;
      if (seconds >= 0.5 * targetDuration && seconds > 0) peak = Math.max(peak, bits / seconds);
    }
  }
  if (peak === 0) {
    for (const s of segments) if (s.duration > 0) peak = Math.max(peak, (s.bytes * 8) / s.duration);
  }
  return Math.ceil(peak);
}

/** What a media playlist's segments add up to: the figures every measured rendition reports. */
export interface SegmentFigures {
  segments: number;
  /** Sum of EXTINF, seconds. */
  duration: number;
  bytes: number;
  /** Peak segment bit rate (see peakBandwidth), b/s. */
  bandwidth: number;
  /** Average bit rate, b/s. */
  averageBandwidth: number;
  /** EXTINF of each segment and the playlist's target duration (what subtitles are cut to). */
  segmentDurations: number[];
  targetDuration: number;
}

/** The figures of `segments` under `targetDuration`. */
export function segmentFigures(segments: readonly SegmentMeasure[], targetDuration: number): SegmentFigures {
  return {
    segments: segments.length,
    duration: segments.reduce((sum, s) => sum + s.duration, 0),
    bytes: segments.reduce((sum, s) => sum + s.bytes, 0),
    bandwidth: peakBandwidth(segments, targetDuration),
    averageBandwidth: averageBandwidth(segments),
    segmentDurations: segments.map((s) => s.duration),
    targetDuration,
  };
}
