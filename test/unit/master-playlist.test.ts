import { parse, types } from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { buildMasterPlaylist, formatFrameRate, type MasterVariant } from '../../src/core/playlist/master-playlist.js';

function variant(name: string, width: number, height: number, bandwidth: number, fps = 25): MasterVariant {
  return {
    uri: `${name}/index.m3u8`,
    bandwidth,
    averageBandwidth: Math.round(bandwidth * 0.8),
    codecs: ['avc1.640028', 'mp4a.40.2'],
    width,
    height,
    fps,
  };
}

const LADDER = [
  variant('1080p', 1920, 1080, 5_600_000),
  variant('720p', 1280, 720, 3_100_000),
  variant('480p', 854, 480, 1_600_000),
  variant('360p', 640, 360, 950_000),
];

const uris = (text: string) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

describe('buildMasterPlaylist', () => {
  it('writes the exact master playlist for a 4-rung ladder, 720p first', () => {
    expect(buildMasterPlaylist(LADDER, { version: 6 })).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:6',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=3100000,AVERAGE-BANDWIDTH=2480000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=25.000,VIDEO-RANGE=SDR',
        '720p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=5600000,AVERAGE-BANDWIDTH=4480000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1920x1080,FRAME-RATE=25.000,VIDEO-RANGE=SDR',
        '1080p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=1600000,AVERAGE-BANDWIDTH=1280000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=854x480,FRAME-RATE=25.000,VIDEO-RANGE=SDR',
        '480p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=950000,AVERAGE-BANDWIDTH=760000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=25.000,VIDEO-RANGE=SDR',
        '360p/index.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('is a valid master playlist that a parser reads back with every attribute', () => {
    const playlist = parse(buildMasterPlaylist(LADDER, { version: 6 }));
    expect(playlist).toBeInstanceOf(types.MasterPlaylist);
    const master = playlist as InstanceType<typeof types.MasterPlaylist>;
    expect(master.independentSegments).toBe(true);
    expect(master.variants.map((v) => [v.uri, v.bandwidth, v.averageBandwidth, v.resolution, v.frameRate, v.codecs])).toEqual([
      ['720p/index.m3u8', 3_100_000, 2_480_000, { width: 1280, height: 720 }, 25, 'avc1.640028,mp4a.40.2'],
      ['1080p/index.m3u8', 5_600_000, 4_480_000, { width: 1920, height: 1080 }, 25, 'avc1.640028,mp4a.40.2'],
      ['480p/index.m3u8', 1_600_000, 1_280_000, { width: 854, height: 480 }, 25, 'avc1.640028,mp4a.40.2'],
      ['360p/index.m3u8', 950_000, 760_000, { width: 640, height: 360 }, 25, 'avc1.640028,mp4a.40.2'],
    ]);
  });

  it('lists the rest by descending bandwidth whatever order the variants come in', () => {
    const shuffled = [LADDER[2]!, LADDER[0]!, LADDER[3]!, LADDER[1]!];
    expect(uris(buildMasterPlaylist(shuffled, { version: 3 }))).toEqual(['720p/index.m3u8', '1080p/index.m3u8', '480p/index.m3u8', '360p/index.m3u8']);
  });

  it('starts with the top variant when the ladder tops out at or below 720p', () => {
    expect(uris(buildMasterPlaylist(LADDER.slice(1), { version: 3 }))).toEqual(['720p/index.m3u8', '480p/index.m3u8', '360p/index.m3u8']);
    expect(uris(buildMasterPlaylist(LADDER.slice(2), { version: 3 }))).toEqual(['480p/index.m3u8', '360p/index.m3u8']);
    expect(uris(buildMasterPlaylist([LADDER[3]!], { version: 3 }))).toEqual(['360p/index.m3u8']);
  });

  it('starts with the 720p rung of a portrait ladder (its short side is 720)', () => {
    const portrait = [variant('1080p', 1080, 1920, 5_600_000), variant('720p', 720, 1280, 3_100_000), variant('360p', 360, 640, 950_000)];
    expect(uris(buildMasterPlaylist(portrait, { version: 3 }))[0]).toBe('720p/index.m3u8');
  });

  it('starts with the 720p rung of a cinemascope ladder, not the 1920x800 one', () => {
    const scope = [variant('1080p', 1920, 800, 4_500_000), variant('720p', 1280, 534, 2_500_000), variant('480p', 854, 356, 1_200_000)];
    expect(uris(buildMasterPlaylist(scope, { version: 3 }))[0]).toBe('720p/index.m3u8');
  });

  it('declares the version it is given', () => {
    expect(buildMasterPlaylist(LADDER, { version: 7 }).split('\n')[1]).toBe('#EXT-X-VERSION:7');
  });

  it('writes FRAME-RATE with three decimals, 29.97 as 29.970', () => {
    const text = buildMasterPlaylist([variant('720p', 1280, 720, 3_000_000, 30000 / 1001)], { version: 3 });
    expect(text).toContain(',FRAME-RATE=29.970,');
  });
});

describe('formatFrameRate', () => {
  it('writes a decimal with exactly three places', () => {
    expect(formatFrameRate(30000 / 1001)).toBe('29.970');
    expect(formatFrameRate(60000 / 1001)).toBe('59.940');
    expect(formatFrameRate(24000 / 1001)).toBe('23.976');
    expect(formatFrameRate(25)).toBe('25.000');
    expect(formatFrameRate(60)).toBe('60.000');
  });
});
