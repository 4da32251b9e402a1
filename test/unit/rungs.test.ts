import { describe, expect, it } from 'vitest';
import { DEFAULT_LADDER, renditionBitrate, selectRenditionSizes, type RenditionSize } from '../../src/core/plan/rungs.js';

const dims = (sizes: RenditionSize[]) => sizes.map((s) => `${s.width}x${s.height}`);

describe('selectRenditionSizes (default ladder)', () => {
  it('gives a 1920x1080 source the four standard 16:9 rungs, largest first', () => {
    const sizes = selectRenditionSizes(1920, 1080, DEFAULT_LADDER);
    expect(dims(sizes)).toEqual(['1920x1080', '1280x720', '854x480', '640x360']);
    expect(sizes.map((s) => s.name)).toEqual(['1080p', '720p', '480p', '360p']);
  });

  it('keeps a 4:3 1440x1080 source 4:3 at every rung instead of stretching it to 16:9', () => {
    expect(dims(selectRenditionSizes(1440, 1080, DEFAULT_LADDER))).toEqual(['1440x1080', '960x720', '640x480', '480x360']);
  });

  it('fits a cinemascope 1920x800 source by its width at every rung', () => {
    const sizes = selectRenditionSizes(1920, 800, DEFAULT_LADDER);
    expect(dims(sizes)).toEqual(['1920x800', '1280x534', '854x356', '640x266']);
    expect(sizes.map((s) => s.name)).toEqual(['1080p', '720p', '480p', '360p']);
  });

  it('gives a cinemascope 1280x544 source a 720p rung at full width but never a 1080p one', () => {
    const sizes = selectRenditionSizes(1280, 544, DEFAULT_LADDER);
    expect(dims(sizes)).toEqual(['1280x544', '854x362', '640x272']);
    expect(sizes[0]!.name).toBe('720p');
  });

  it('keeps a portrait 1080x1920 source portrait at every rung', () => {
    const sizes = selectRenditionSizes(1080, 1920, DEFAULT_LADDER);
    expect(dims(sizes)).toEqual(['1080x1920', '720x1280', '480x854', '360x640']);
    expect(sizes.map((s) => s.name)).toEqual(['1080p', '720p', '480p', '360p']);
  });

  it('gives a portrait 360x640 phone clip exactly one 360x640 rendition', () => {
    expect(selectRenditionSizes(360, 640, DEFAULT_LADDER)).toEqual([{ name: '360p', rung: 360, width: 360, height: 640 }]);
  });

  it('gives an odd 853x479 source even dimensions that keep its aspect ratio', () => {
    const sizes = selectRenditionSizes(853, 479, DEFAULT_LADDER);
    expect(sizes.length).toBeGreaterThan(0);
    for (const s of sizes) {
      expect(s.width % 2, `${s.width}x${s.height}`).toBe(0);
      expect(s.height % 2, `${s.width}x${s.height}`).toBe(0);
      expect(Math.abs(s.width / s.height / (853 / 479) - 1)).toBeLessThan(0.01);
    }
  });

  it('still gives an 853x479 source (one pixel short of 480p) a 480p rendition', () => {
    expect(selectRenditionSizes(853, 479, DEFAULT_LADDER)[0]).toEqual({ name: '480p', rung: 480, width: 852, height: 478 });
  });

  it('gives a tiny 320x240 source exactly one rendition at its own size', () => {
    expect(selectRenditionSizes(320, 240, DEFAULT_LADDER)).toEqual([{ name: '240p', rung: 240, width: 320, height: 240 }]);
  });

  it('never upscales: a 1280x720 source gets no 1080p rendition', () => {
    expect(dims(selectRenditionSizes(1280, 720, DEFAULT_LADDER))).toEqual(['1280x720', '854x480', '640x360']);
  });

  const sources: [number, number][] = [
    [3840, 2160], [1920, 1080], [1440, 1080], [1920, 800], [1280, 544], [1080, 1920], [720, 1280], [360, 640],
    [853, 479], [640, 360], [320, 240], [176, 144], [720, 576], [1080, 1080], [2560, 1080], [1920, 1440],
    [321, 241], [1920, 817], [1281, 721], [1279, 719], [479, 853],
  ];
  it.each(sources)('for %ix%i: at least one rung, none larger than the source, even sizes, aspect within 1%%, no duplicates', (width, height) => {
    const sizes = selectRenditionSizes(width, height, DEFAULT_LADDER);
    expect(sizes.length).toBeGreaterThanOrEqual(1);
    for (const s of sizes) {
      expect(s.width).toBeLessThanOrEqual(width);
      expect(s.height).toBeLessThanOrEqual(height);
      expect(s.width % 2).toBe(0);
      expect(s.height % 2).toBe(0);
      expect(Math.abs(s.width / s.height / (width / height) - 1)).toBeLessThan(0.01);
    }
    expect(new Set(dims(sizes)).size).toBe(sizes.length);
    const areas = sizes.map((s) => s.width * s.height);
    expect(areas).toEqual([...areas].sort((a, b) => b - a));
  });

  it('treats a custom ladder given in any order and with repeats as one rung per size, largest first', () => {
    const sizes = selectRenditionSizes(1920, 1080, [{ size: 360 }, { size: 1080 }, { size: 360 }, { size: 540 }]);
    expect(dims(sizes)).toEqual(['1920x1080', '960x540', '640x360']);
  });

  it('gives a 2160p source a 2160p rendition when the ladder asks for one', () => {
    expect(dims(selectRenditionSizes(3840, 2160, [{ size: 2160 }, { size: 1080 }]))).toEqual(['3840x2160', '1920x1080']);
  });
});

describe('renditionBitrate', () => {
  const ladder = selectRenditionSizes(1920, 1080, DEFAULT_LADDER);

  it('plans the standard H.264 rates for a full 16:9 ladder at 30 fps or less', () => {
    expect(ladder.map((size) => renditionBitrate(size, 25, undefined))).toEqual([5_000_000, 2_800_000, 1_400_000, 800_000]);
  });

  it('gives every rung a lower bit rate than the one above it', () => {
    const rates = selectRenditionSizes(1440, 1080, DEFAULT_LADDER).map((size) => renditionBitrate(size, 30, undefined));
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThan(rates[i - 1]!);
  });

  it('spends 1.5x the bits above 30 fps', () => {
    for (const size of ladder) {
      expect(renditionBitrate(size, 60, undefined)).toBe(Math.round(renditionBitrate(size, 30, undefined) * 1.5));
      expect(renditionBitrate(size, 50, undefined)).toBeGreaterThan(renditionBitrate(size, 29.97, undefined));
    }
  });

  it('spends fewer bits on a letterbox-free cinemascope picture than on a full 16:9 one at the same rung', () => {
    const scope = selectRenditionSizes(1920, 800, DEFAULT_LADDER);
    scope.forEach((size, i) => expect(renditionBitrate(size, 25, undefined)).toBeLessThan(renditionBitrate(ladder[i]!, 25, undefined)));
  });

  it('uses the bit rate given for a rung as is', () => {
    expect(renditionBitrate(ladder[1]!, 60, 3_100_000)).toBe(3_100_000);
  });
});
