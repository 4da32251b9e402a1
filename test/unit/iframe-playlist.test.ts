import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { buildIframePlaylist, iframeDurations, ticksToSeconds } from '../../src/core/playlist/iframe-playlist.js';
import { buildMasterPlaylist, iframeStreamLines } from '../../src/core/playlist/master-playlist.js';

const entries = [
  { uri: 'segment_00000.ts', offset: 0, length: 13724, duration: 2 },
  { uri: 'segment_00000.ts', offset: 269216, length: 12408, duration: 2 },
  { uri: 'segment_00001.ts', offset: 0, length: 12032, duration: 1.04 },
];

describe('buildIframePlaylist', () => {
  it('writes an EXT-X-I-FRAMES-ONLY VOD playlist of byte ranges that an independent parser reads back', () => {
    const text = buildIframePlaylist(entries);
    expect(text).toContain('#EXT-X-VERSION:4\n');
    expect(text).toContain('#EXT-X-I-FRAMES-ONLY\n');
    expect(text).toContain('#EXT-X-TARGETDURATION:2\n');
    expect(text).not.toContain('#EXT-X-MAP');
    const parsed = HLS.parse(text) as types.MediaPlaylist;
    expect(parsed.isIFrame).toBe(true);
    expect(parsed.endlist).toBe(true);
    expect(parsed.segments.map((s) => [s.uri, s.byterange?.offset, s.byterange?.length, s.duration])).toEqual(
      entries.map((e) => [e.uri, e.offset, e.length, e.duration]),
    );
  });

  it('declares an EXT-X-MAP (and version 5) for fMP4 init segments and TS headers', () => {
    const mp4 = buildIframePlaylist([{ uri: 'segment_00000.m4s', offset: 128, length: 9684, duration: 6.006 }], { uri: 'init.mp4' });
    expect(mp4).toContain('#EXT-X-VERSION:5\n');
    expect(mp4).toContain('#EXT-X-MAP:URI="init.mp4"\n');
    expect(mp4).toContain('#EXT-X-TARGETDURATION:6\n');
    const ts = buildIframePlaylist(entries, { uri: 'segment_00000.ts', byterange: { offset: 0, length: 564 } });
    expect(ts).toContain('#EXT-X-MAP:URI="segment_00000.ts",BYTERANGE="564@0"\n');
    expect((HLS.parse(ts) as types.MediaPlaylist).segments[0]!.map?.byterange).toEqual({ offset: 0, length: 564 });
  });
});

describe('I-frame durations', () => {
  it('lasts from each keyframe to the next, the last one to the end', () => {
    expect(iframeDurations([0, 2, 4, 6], 7)).toEqual([2, 2, 2, 1]);
    expect(iframeDurations([0], 0.5)).toEqual([0.5]);
  });

  it('turns 90 kHz time stamps into seconds from the first, across the 33-bit wrap', () => {
    expect(ticksToSeconds([128090, 308090, 488090], 90_000)).toEqual([0, 2, 4]);
    expect(ticksToSeconds([2 ** 33 - 90_000, 90_000], 90_000)).toEqual([0, 2]);
    expect(ticksToSeconds([76800, 102400], 12800)).toEqual([0, 2]);
  });
});

describe('EXT-X-I-FRAME-STREAM-INF', () => {
  const streams = [
    { uri: '360p/iframes.m3u8', bandwidth: 40_000, averageBandwidth: 30_000, codecs: ['avc1.64001e'], width: 640, height: 360 },
    { uri: '720p/iframes.m3u8', bandwidth: 90_000, averageBandwidth: 70_000, codecs: ['avc1.64001f'], width: 1280, height: 720 },
  ];

  it('carries BANDWIDTH, CODECS, RESOLUTION, VIDEO-RANGE and URI, highest bandwidth first', () => {
    expect(iframeStreamLines(streams)).toEqual([
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,AVERAGE-BANDWIDTH=70000,CODECS="avc1.64001f",RESOLUTION=1280x720,VIDEO-RANGE=SDR,URI="720p/iframes.m3u8"',
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=40000,AVERAGE-BANDWIDTH=30000,CODECS="avc1.64001e",RESOLUTION=640x360,VIDEO-RANGE=SDR,URI="360p/iframes.m3u8"',
    ]);
  });

  it('goes into the master after the variants, where hls-parser reads them as I-frame variants', () => {
    const variant = { uri: '720p/index.m3u8', bandwidth: 3_000_000, averageBandwidth: 2_800_000, codecs: ['avc1.64001f', 'mp4a.40.2'], width: 1280, height: 720, fps: 25 };
    const master = HLS.parse(buildMasterPlaylist([variant], { version: 6, iframes: streams })) as types.MasterPlaylist;
    const iframes = master.variants.filter((v) => v.isIFrameOnly);
    expect(master.variants.filter((v) => !v.isIFrameOnly).map((v) => v.uri)).toEqual(['720p/index.m3u8']);
    expect(iframes.map((v) => [v.uri, v.bandwidth, v.codecs, v.resolution])).toEqual([
      ['720p/iframes.m3u8', 90_000, 'avc1.64001f', { width: 1280, height: 720 }],
      ['360p/iframes.m3u8', 40_000, 'avc1.64001e', { width: 640, height: 360 }],
    ]);
  });
});
