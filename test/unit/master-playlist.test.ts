import { parse, types } from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { buildMasterPlaylist, formatFrameRate, type MasterMedia, type MasterVariant } from '../../src/core/playlist/master-playlist.js';

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
  it('writes the exact master playlist for a 4-rung ladder, the one nearest 2 Mb/s (720p, 2.48 Mb/s average) first', () => {
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

  it('starts with the variant whose average is nearest 2 Mb/s, the top one when all are above or below', () => {
    const rich = [variant('1080p', 1920, 1080, 7_800_000), variant('720p', 1280, 720, 4_500_000), variant('540p', 960, 540, 2_400_000), variant('360p', 640, 360, 900_000)];
    expect(uris(buildMasterPlaylist(rich, { version: 3 }))[0]).toBe('540p/index.m3u8');
    expect(uris(buildMasterPlaylist(LADDER.slice(0, 2), { version: 3 }))[0]).toBe('720p/index.m3u8');
    expect(uris(buildMasterPlaylist(LADDER.slice(3), { version: 3 }))).toEqual(['360p/index.m3u8']);
  });

  it('picks the start by bit rate, not by frame size: the 1.6 Mb/s 720p rung of a low-rate ladder', () => {
    const lean = [variant('1080p', 1920, 1080, 3_500_000), variant('720p', 1280, 720, 2_000_000), variant('480p', 854, 480, 1_000_000)];
    expect(uris(buildMasterPlaylist(lean, { version: 3 }))[0]).toBe('720p/index.m3u8');
    const rich = [variant('1080p', 1920, 1080, 9_000_000), variant('720p', 1280, 720, 6_000_000), variant('480p', 854, 480, 2_600_000)];
    expect(uris(buildMasterPlaylist(rich, { version: 3 }))[0]).toBe('480p/index.m3u8');
  });

  it('declares audio and subtitle renditions and names their groups on every variant', () => {
    const media: MasterMedia[] = [
      { type: 'AUDIO', groupId: 'audio', name: 'English', language: 'en', isDefault: true, autoselect: true, channels: 2, uri: 'audio-en-stereo/index.m3u8' },
      { type: 'AUDIO', groupId: 'audio', name: 'English (5.1)', language: 'en', isDefault: false, autoselect: true, channels: 6, uri: 'audio-en-5.1/index.m3u8' },
      { type: 'SUBTITLES', groupId: 'subs', name: 'Français "forcé"', language: 'fr', isDefault: false, autoselect: true, forced: true, uri: 'subs-fr/index.m3u8' },
    ];
    const withGroups = LADDER.map((v) => ({ ...v, audioGroup: 'audio', subtitlesGroup: 'subs' }));
    const text = buildMasterPlaylist(withGroups, { version: 6, media });
    expect(text.split('\n').slice(3, 6)).toEqual([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio-en-stereo/index.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="English (5.1)",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="6",URI="audio-en-5.1/index.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Français ”forcé”",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,FORCED=YES,URI="subs-fr/index.m3u8"',
    ]);
    const master = parse(text) as InstanceType<typeof types.MasterPlaylist>;
    for (const v of master.variants) {
      expect(v.audio.map((a) => [a.groupId, a.language, a.isDefault, a.channels, a.uri])).toEqual([
        ['audio', 'en', true, '2', 'audio-en-stereo/index.m3u8'],
        ['audio', 'en', false, '6', 'audio-en-5.1/index.m3u8'],
      ]);
      expect(v.subtitles.map((s) => [s.groupId, s.language, s.forced])).toEqual([['subs', 'fr', true]]);
    }
  });

  it('writes an audio-only variant without RESOLUTION, FRAME-RATE or VIDEO-RANGE', () => {
    const text = buildMasterPlaylist([{ uri: 'audio-en-stereo/index.m3u8', bandwidth: 140_000, averageBandwidth: 132_000, codecs: ['mp4a.40.2'], audioGroup: 'audio' }], { version: 3 });
    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=132000,CODECS="mp4a.40.2",AUDIO="audio"\naudio-en-stereo/index.m3u8\n');
  });

  it('declares the version it is given', () => {
    expect(buildMasterPlaylist(LADDER, { version: 7 }).split('\n')[1]).toBe('#EXT-X-VERSION:7');
  });

  it('writes FRAME-RATE with three decimals, 29.97 as 29.970', () => {
    const text = buildMasterPlaylist([variant('720p', 1280, 720, 3_000_000, 30000 / 1001)], { version: 3 });
    expect(text).toContain(',FRAME-RATE=29.970,VIDEO-RANGE=SDR\n');
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
