/**
 * The lowest H.264 level (ITU-T H.264 Table A-1) that fits a rendition. Passing it to x264 makes x264 cap
 * its reference frames to the level's decoded picture buffer: left alone, `-preset slow` writes 1080p as
 * level 5.0, above the 4.2 that Apple's HLS authoring spec allows for 1080p and that older devices decode.
 */

interface Level {
  name: string;
  /** Max frame size, macroblocks. */
  maxFrameMbs: number;
  /** Max macroblocks per second. */
  maxMbps: number;
  /** Max video bit rate for High profile, kb/s (1.25 x the Baseline/Main figure). */
  maxKbpsHigh: number;
}

const LEVELS: readonly Level[] = [
  { name: '3.0', maxFrameMbs: 1620, maxMbps: 40_500, maxKbpsHigh: 12_500 },
  { name: '3.1', maxFrameMbs: 3600, maxMbps: 108_000, maxKbpsHigh: 17_500 },
  { name: '3.2', maxFrameMbs: 5120, maxMbps: 216_000, maxKbpsHigh: 25_000 },
  { name: '4.0', maxFrameMbs: 8192, maxMbps: 245_760, maxKbpsHigh: 25_000 },
  { name: '4.1', maxFrameMbs: 8192, maxMbps: 245_760, maxKbpsHigh: 62_500 },
  { name: '4.2', maxFrameMbs: 8704, maxMbps: 522_240, maxKbpsHigh: 62_500 },
  { name: '5.0', maxFrameMbs: 22_080, maxMbps: 589_824, maxKbpsHigh: 168_750 },
  { name: '5.1', maxFrameMbs: 36_864, maxMbps: 983_040, maxKbpsHigh: 300_000 },
  { name: '5.2', maxFrameMbs: 36_864, maxMbps: 2_073_600, maxKbpsHigh: 300_000 },
];

/** Lowest level for `width`x`height` at `fps` with peak rate `maxrate` (b/s); undefined beyond 5.2. */
export function h264Level(width: number, height: number, fps: number, maxrate: number): string | undefined {
  const frameMbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  return LEVELS.find((l) => frameMbs <= l.maxFrameMbs && frameMbs * fps <= l.maxMbps && maxrate / 1000 <= l.maxKbpsHigh)?.name;
}
