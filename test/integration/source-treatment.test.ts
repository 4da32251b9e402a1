/**
 * The files people actually have, checked the way a viewer would notice: combing left in (idet), HDR
 * washed out (grey-patch luma), A/V drift and late starts (stream start times), segments longer than the
 * target, untagged colour, a frame rate that is not what the master says.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { firstVideoPacket, readLadder } from '../helpers/ladder-checks.js';
import { idet, patchLuma, streamStarts, videoPts, videoTags } from '../helpers/picture-checks.js';

/** One AAC frame: ffmpeg's AAC encoder primes each output with 1024 samples, shown before the content. */
const AAC_FRAME = 1024 / 48000;

async function transcode(name: string, args: string[]): Promise<string> {
  const out = join(await tempDir('treat'), 'out');
  const result = await hlsify(['transcode', fixture(name), '-o', out, '-q', ...args]);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return out;
}

function report(figures: Record<string, unknown>): void {
  console.log(JSON.stringify(figures));
}

describe('interlaced sources', () => {
  it('576i25 flagged tt: deinterlaced to 50p at field rate; idet finds the output progressive (and finds the source interlaced)', async () => {
    const source = await idet(fixture('interlaced-576i25.mp4'));
    expect(source.tff).toBeGreaterThan(source.progressive * 4);
    const out = await transcode('interlaced-576i25.mp4', ['--ladder', '576', '--preset', 'ultrafast']);
    const ladder = await readLadder(out);
    expect(ladder.masterText).toContain('FRAME-RATE=50.000');
    const variant = ladder.variants[0]!;
    const counts = await idet(join(variant.dir, 'index.m3u8'));
    const decided = counts.tff + counts.bff + counts.progressive;
    expect(counts.progressive).toBeGreaterThanOrEqual(decided * 0.9);
    expect(await videoTags(join(variant.dir, variant.media.segments[0]!.uri))).toMatchObject({ field_order: 'progressive' });
    const pts = await videoPts(join(variant.dir, 'index.m3u8'));
    expect(pts.length).toBeGreaterThanOrEqual(149);
    report({ fixture: 'interlaced-576i25.mp4', sourceIdet: source, outputIdet: counts, outputFrames: pts.length });
  });

  it('576i25 with --deinterlace off keeps the combing (what every interlaced source got before)', async () => {
    const out = await transcode('interlaced-576i25.mp4', ['--ladder', '576', '--preset', 'ultrafast', '--deinterlace', 'off']);
    const ladder = await readLadder(out);
    expect(ladder.masterText).toContain('FRAME-RATE=25.000');
    const counts = await idet(join(ladder.variants[0]!.dir, 'index.m3u8'));
    expect(counts.tff).toBeGreaterThan(counts.progressive);
    report({ fixture: 'interlaced-576i25.mp4 --deinterlace off', outputIdet: counts });
  });

  it('480i29.97 flagged bb: deinterlaced to 59.94p; idet finds the output progressive', async () => {
    const source = await idet(fixture('interlaced-480i2997.mp4'));
    expect(source.bff).toBeGreaterThan(source.progressive * 4);
    const out = await transcode('interlaced-480i2997.mp4', ['--ladder', '480', '--preset', 'ultrafast']);
    const ladder = await readLadder(out);
    expect(ladder.masterText).toContain('FRAME-RATE=59.940');
    const counts = await idet(join(ladder.variants[0]!.dir, 'index.m3u8'));
    const decided = counts.tff + counts.bff + counts.progressive;
    expect(counts.progressive).toBeGreaterThanOrEqual(decided * 0.9);
    report({ fixture: 'interlaced-480i2997.mp4', sourceIdet: source, outputIdet: counts });
  });
});

describe('HDR sources', () => {
  // The fixtures' grey patch is SDR Y 126 (BT.709 limited) before its conversion to PQ/HLG.
  const patch = { w: 100, h: 60, x: 110, y: 60 };
  it.each(['hdr10-pq.mp4', 'hlg.mp4'])('%s: tone-mapped to SDR BT.709, grey patch back at its SDR luma, tagged bt709', async (name) => {
    const sourceLuma10 = await patchLuma(fixture(name), patch);
    // HDR code values, not SDR ones (SDR Y 126 would be 504 in 10 bits): the fixture really is PQ/HLG.
    expect(sourceLuma10).toBeLessThan(420);
    const out = await transcode(name, ['--ladder', '180']);
    const ladder = await readLadder(out);
    expect(ladder.masterText).toContain('VIDEO-RANGE=SDR');
    const variant = ladder.variants[0]!;
    const luma = await patchLuma(join(variant.dir, 'index.m3u8'), patch);
    expect(Math.abs(luma - 126)).toBeLessThan(6);
    const tags = await videoTags(join(variant.dir, variant.media.segments[0]!.uri));
    expect(tags).toMatchObject({ color_primaries: 'bt709', color_transfer: 'bt709', color_space: 'bt709', color_range: 'tv', pix_fmt: 'yuv420p' });
    report({ fixture: name, sourcePatchLuma10bit: sourceLuma10, outputPatchLuma: luma, sdrTarget: 126, tags });
  });
});

describe('edit lists and start times', () => {
  it('a stream-copied B-frame cut: every rung starts at 0, A/V offset kept within one audio frame, EXTINF <= target', async () => {
    const source = await streamStarts(fixture('edit-list-cut.mp4'));
    const sourceOffset = source.audio! - source.video;
    const out = await transcode('edit-list-cut.mp4', ['--ladder', '240,180']);
    const ladder = await readLadder(out);
    expect(ladder.variants).toHaveLength(2);
    // Audio is a rendition of its own (the default layout): its first segment gives the audio start.
    const audioUri = ladder.master.variants[0]!.audio[0]?.uri;
    expect(audioUri, 'an audio rendition').toBeDefined();
    const audioPlaylist = HLS.parse(await readFile(join(out, audioUri!), 'utf8')) as types.MediaPlaylist;
    const audioStart = (await streamStarts(join(out, dirname(audioUri!), audioPlaylist.segments[0]!.uri))).audio;
    for (const v of ladder.variants) {
      const first = join(v.dir, v.media.segments[0]!.uri);
      const starts = { ...(await streamStarts(first)), audio: audioStart };
      // Video presentation begins after the B-frame reorder delay (a frame or two), never at the 1.4 s TS mux delay.
      expect(starts.video).toBeGreaterThanOrEqual(0);
      expect(starts.video).toBeLessThan(3 / 30);
      expect(starts.audio!).toBeGreaterThanOrEqual(0);
      expect((await firstVideoPacket(first)).key).toBe(true);
      // The output's audio content starts one AAC priming frame after its first packet.
      const outputOffset = starts.audio! + AAC_FRAME - starts.video;
      expect(Math.abs(outputOffset - sourceOffset)).toBeLessThanOrEqual(AAC_FRAME);
      const largest = Math.max(...v.media.segments.map((s) => s.duration));
      expect(Math.round(largest)).toBeLessThanOrEqual(v.media.targetDuration);
      for (const s of v.media.segments) expect(Math.round(s.duration)).toBeLessThanOrEqual(v.media.targetDuration);
      report({ fixture: 'edit-list-cut.mp4', rung: v.variant.uri, sourceAvOffset: sourceOffset, outputAvOffset: outputOffset, videoStart: starts.video, audioStart: starts.audio, largestExtinf: largest, target: v.media.targetDuration });
    }
  });
});

describe('variable frame rate', () => {
  it('30 s phone-style VFR: constant 30 fps output, FRAME-RATE true, keyframe-aligned segments', async () => {
    const out = await transcode('vfr-30s.mp4', ['--ladder', '180,144', '--preset', 'veryfast']);
    const ladder = await readLadder(out);
    expect(ladder.variants).toHaveLength(2);
    const starts: number[][] = [];
    for (const v of ladder.variants) {
      expect(v.variant.frameRate).toBe(30);
      expect(v.media.segments.length).toBeGreaterThanOrEqual(5);
      const pts = await videoPts(join(v.dir, 'index.m3u8'));
      const steps = pts.slice(1).map((t, i) => t - pts[i]!);
      // Every frame 1/30 s after the previous one: constant frame rate, no dropped or doubled timestamps.
      for (const step of steps) expect(Math.abs(step - 1 / 30)).toBeLessThan(0.002);
      const packets = await Promise.all(v.media.segments.map((s) => firstVideoPacket(join(v.dir, s.uri))));
      for (const p of packets) expect(p.key).toBe(true);
      starts.push(packets.map((p) => p.pts));
      report({ fixture: 'vfr-30s.mp4', rung: v.variant.uri, frames: pts.length, segments: v.media.segments.length, frameRate: v.variant.frameRate });
    }
    expect(starts[1]).toEqual(starts[0]);
  });
});

describe('colour and range', () => {
  it('full-range MJPEG: converted to limited range (dark 20 → 33, bright 235 → 218) and tagged bt709 tv', async () => {
    const out = await transcode('mjpeg-full-range.avi', ['--ladder', '240']);
    const ladder = await readLadder(out);
    const variant = ladder.variants[0]!;
    const playlist = join(variant.dir, 'index.m3u8');
    const dark = await patchLuma(playlist, { w: 120, h: 80, x: 20, y: 20 });
    const bright = await patchLuma(playlist, { w: 120, h: 80, x: 180, y: 20 });
    expect(Math.abs(dark - (16 + (20 * 219) / 255))).toBeLessThan(3);
    expect(Math.abs(bright - (16 + (235 * 219) / 255))).toBeLessThan(3);
    const tags = await videoTags(join(variant.dir, variant.media.segments[0]!.uri));
    expect(tags).toMatchObject({ color_primaries: 'bt709', color_transfer: 'bt709', color_space: 'bt709', color_range: 'tv', pix_fmt: 'yuv420p' });
    report({ fixture: 'mjpeg-full-range.avi', darkLuma: dark, brightLuma: bright, tags });
  });
});

describe('streams of unequal length', () => {
  it('audio (7 s) and subtitles (9 s) longer than the video (4 s): transcodes, checked against the video', async () => {
    const out = await transcode('long-audio-subtitles.mkv', ['--ladder', '180', '--preset', 'ultrafast']);
    const ladder = await readLadder(out);
    const total = ladder.variants[0]!.media.segments.reduce((sum, s) => sum + s.duration, 0);
    expect(Math.abs(total - 4)).toBeLessThan(0.2);
  });
});
