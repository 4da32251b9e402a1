/**
 * Which renditions a source gets and at what size and bit rate. A rung is named by its short side
 * ("720p" is 1280x720 landscape or 720x1280 portrait) and fits the source inside that rung's 16:9 box
 * without ever upscaling.
 */

export interface RungSpec {
  /** Short side of the rung's 16:9 box, e.g. 720. */
  size: number;
  /** Video bit rate in bits per second; planned from the size when absent. */
  bitrate?: number | undefined;
}

export interface RenditionSize {
  name: string;
  width: number;
  height: number;
  /** The box's short side this rendition was planned for. */
  rung: number;
}

export const DEFAULT_LADDER: readonly RungSpec[] = [{ size: 1080 }, { size: 720 }, { size: 480 }, { size: 360 }];

/** H.264 bit rates (kb/s) for a full 16:9 box at <= 30 fps, after Apple's and Shaka Streamer's ladders. */
const BITRATE_KBPS: Readonly<Record<number, number>> = { 2160: 16000, 1440: 9000, 1080: 5000, 720: 2800, 540: 2000, 480: 1400, 360: 800, 240: 400, 144: 200 };

/** Rounds to the nearest even number, at least 2 (4:2:0 needs even dimensions). */
export function even(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

/** Bit rate in b/s for a full 16:9 box of `size` at <= 30 fps: the table, else a pixel-count power law. */
export function boxBitrate(size: number): number {
  const kbps = BITRATE_KBPS[size] ?? 5000 * (size / 1080) ** 1.5;
  return Math.round(kbps) * 1000;
}

function boxFor(size: number, landscape: boolean): { width: number; height: number } {
  const long = even((size * 16) / 9);
  return landscape ? { width: long, height: size } : { width: size, height: long };
}

/** Largest even number not above `value` (at least 2). */
function evenFloor(value: number): number {
  return Math.max(2, Math.floor(value / 2) * 2);
}

/**
 * Fits the display size into a box without upscaling, keeping the display aspect ratio; dimensions are
 * rounded to even numbers but never above the source's.
 */
export function fitInto(displayWidth: number, displayHeight: number, box: { width: number; height: number }): { width: number; height: number } {
  const scale = Math.min(1, box.width / displayWidth, box.height / displayHeight);
  return {
    width: Math.min(even(displayWidth * scale), evenFloor(displayWidth)),
    height: Math.min(even(displayHeight * scale), evenFloor(displayHeight)),
  };
}

/** A source within this share of a rung's box still gets that rung (853x479 gets 480p, at 852x478). */
const REACH_TOLERANCE = 1.02;

/**
 * The rendition sizes for a source: every rung whose box the source reaches on its short or long side,
 * largest first, without duplicates; when none does (a tiny source), one rendition at the source size.
 */
export function selectRenditionSizes(displayWidth: number, displayHeight: number, ladder: readonly RungSpec[]): RenditionSize[] {
  const landscape = displayWidth >= displayHeight;
  const sourceShort = Math.min(displayWidth, displayHeight);
  const sourceLong = Math.max(displayWidth, displayHeight);
  const sizes: RenditionSize[] = [];
  const rungs = [...new Set(ladder.map((rung) => rung.size))].sort((a, b) => b - a);
  for (const size of rungs) {
    const box = boxFor(size, landscape);
    const reaches = size <= sourceShort * REACH_TOLERANCE || Math.max(box.width, box.height) <= sourceLong * REACH_TOLERANCE;
    if (!reaches) continue;
    const fitted = fitInto(displayWidth, displayHeight, box);
    if (sizes.some((s) => s.width === fitted.width && s.height === fitted.height)) continue;
    sizes.push({ name: `${size}p`, rung: size, ...fitted });
  }
  if (sizes.length === 0) {
    const { width, height } = fitInto(displayWidth, displayHeight, { width: displayWidth, height: displayHeight });
    const short = Math.min(width, height);
    sizes.push({ name: `${short}p`, rung: short, width, height });
  }
  return sizes;
}

/**
 * Video bit rate for a rendition: the rung's given bit rate, else the box rate scaled by the share of the
 * box the picture fills (pixels^0.75), times 1.5 above 30 fps.
 */
export function renditionBitrate(size: RenditionSize, fps: number, given: number | undefined): number {
  if (given !== undefined) return given;
  const box = boxFor(size.rung, size.width >= size.height);
  const fill = Math.min(1, (size.width * size.height) / (box.width * box.height));
  const highFps = fps > 30.5 ? 1.5 : 1;
  return Math.max(100_000, Math.round((boxBitrate(size.rung) * fill ** 0.75 * highFps) / 1000) * 1000);
}
