import { describe, expect, it } from 'vitest';
import { masterMedia, masterVariants, withGroups, type MediaRenditionResult, type RenditionResult } from '../../src/core/playlist/measure-renditions.js';

const video = (name: string, peak: number, average: number): RenditionResult => ({
  name, width: 640, height: 360, fps: 25, playlist: `${name}/index.m3u8`, segments: 3, duration: 6, bytes: 1,
  bandwidth: peak, averageBandwidth: average, videoBandwidth: peak, videoAverageBandwidth: average,
  codecs: ['avc1.64001e'], targetBitrate: 800_000, playlistVersion: 6, segmentDurations: [2, 2, 2], targetDuration: 2,
});
const media = (type: 'AUDIO' | 'SUBTITLES', name: string, peak: number, average: number, extra: Partial<MediaRenditionResult> = {}): MediaRenditionResult => ({
  type, name, title: name, language: 'en', isDefault: false, forced: false, channels: type === 'AUDIO' ? 2 : undefined, playlist: `${name}/index.m3u8`,
  segments: 3, duration: 6, bytes: 1, bandwidth: peak, averageBandwidth: average, codecs: [], playlistVersion: 3, segmentDurations: [2, 2, 2], targetDuration: 2, ...extra,
});

describe('withGroups', () => {
  it('adds the largest audio and subtitle rendition to each variant’s peak and average, and AAC to CODECS', () => {
    const groups = [media('AUDIO', 'audio-en-stereo', 140_000, 130_000), media('AUDIO', 'audio-en-5.1', 340_000, 320_000), media('SUBTITLES', 'subs-en', 400, 200)];
    const [a, b] = withGroups([video('360p', 900_000, 800_000), video('240p', 450_000, 400_000)], groups);
    expect([a!.bandwidth, a!.averageBandwidth, a!.videoBandwidth]).toEqual([1_240_400, 1_120_200, 900_000]);
    expect([b!.bandwidth, b!.averageBandwidth]).toEqual([790_400, 720_200]);
    expect(a!.codecs).toEqual(['avc1.64001e', 'mp4a.40.2']);
  });

  it('leaves a ladder without audio renditions as measured', () => {
    expect(withGroups([video('360p', 900_000, 800_000)], [])[0]).toMatchObject({ bandwidth: 900_000, averageBandwidth: 800_000, codecs: ['avc1.64001e'] });
  });
});

describe('masterVariants and masterMedia', () => {
  it('names the groups on every video variant', () => {
    const groups = [media('AUDIO', 'audio-en-stereo', 140_000, 130_000, { isDefault: true }), media('SUBTITLES', 'subs-en', 400, 200, { forced: true })];
    expect(masterVariants([video('360p', 1, 1)], groups)).toEqual([expect.objectContaining({ audioGroup: 'audio', subtitlesGroup: 'subs', width: 640 })]);
    expect(masterMedia(groups)).toEqual([
      { type: 'AUDIO', groupId: 'audio', name: 'audio-en-stereo', language: 'en', isDefault: true, autoselect: true, forced: false, channels: 2, uri: 'audio-en-stereo/index.m3u8' },
      { type: 'SUBTITLES', groupId: 'subs', name: 'subs-en', language: 'en', isDefault: false, autoselect: true, forced: true, channels: undefined, uri: 'subs-en/index.m3u8' },
    ]);
  });

  it('gives an audio-only ladder one variant on its default audio rendition, at the largest audio figures', () => {
    const groups = [media('AUDIO', 'audio-en-stereo', 140_000, 130_000), media('AUDIO', 'audio-fr-stereo', 150_000, 128_000, { isDefault: true })];
    expect(masterVariants([], groups)).toEqual([{ uri: 'audio-fr-stereo/index.m3u8', bandwidth: 150_000, averageBandwidth: 130_000, codecs: ['mp4a.40.2'], audioGroup: 'audio' }]);
  });
});
