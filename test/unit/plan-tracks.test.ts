import { describe, expect, it } from 'vitest';
import { buildMediaArgs } from '../../src/core/encode/ffmpeg-args.js';
import { planLadder } from '../../src/core/plan/plan-ladder.js';
import { languageTag, planAudioRenditions, planSubtitleRenditions } from '../../src/core/plan/plan-tracks.js';
import type { AudioInfo, SubtitleInfo } from '../../src/core/probe/media-info.js';
import { UsageError } from '../../src/errors.js';
import { mediaInfo } from './media-info-builder.js';

const track = (index: number, shape: Partial<AudioInfo> = {}): AudioInfo => ({ index, codec: 'aac', channels: 2, channelLayout: 'stereo', sampleRate: 48000, ...shape });
const subtitle = (index: number, shape: Partial<SubtitleInfo> = {}): SubtitleInfo => ({ index, codec: 'subrip', text: true, language: undefined, title: undefined, isDefault: false, forced: false, ...shape });

/** Every value that follows `flag` in `args`. */
const valuesOf = (args: readonly string[], flag: string) => args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));

describe('languageTag', () => {
  it('turns stream tags into RFC 5646 tags, und when absent or unreadable', () => {
    expect(['eng', 'fre', 'fra', 'ger', 'pt-BR', undefined, '', 'x y'].map((t) => languageTag(t))).toEqual(['en', 'fr', 'fr', 'de', 'pt-BR', 'und', 'und', 'und']);
  });
});

describe('planAudioRenditions', () => {
  it('makes one stereo rendition per track; DEFAULT on the one tagged default', () => {
    const renditions = planAudioRenditions([track(1, { language: 'eng' }), track(2, { language: 'fra', isDefault: true })]);
    expect(renditions.map((r) => [r.name, r.inputStream, r.language, r.title, r.isDefault, r.channels, r.bitrate])).toEqual([
      ['audio-en-stereo', 1, 'en', 'English', false, 2, 128_000],
      ['audio-fr-stereo', 2, 'fr', 'French', true, 2, 128_000],
    ]);
  });

  it('puts DEFAULT on the first track when none is tagged default, and keeps names unique', () => {
    const renditions = planAudioRenditions([track(1), track(2)]);
    expect(renditions.map((r) => [r.name, r.title, r.isDefault])).toEqual([
      ['audio-und-stereo', 'Unknown language', true],
      ['audio-und-2-stereo', 'Unknown language 2', false],
    ]);
  });

  it('adds a 5.1 rendition (320 kb/s, not default) for a 6- or 8-channel track unless surround is off', () => {
    const tracks = [track(1, { language: 'eng', channels: 8, title: 'Main' })];
    expect(planAudioRenditions(tracks).map((r) => [r.name, r.title, r.channels, r.bitrate, r.isDefault])).toEqual([
      ['audio-en-stereo', 'Main', 2, 128_000, true],
      ['audio-en-5.1', 'Main (5.1)', 6, 320_000, false],
    ]);
    expect(planAudioRenditions(tracks, { surround: false }).map((r) => r.channels)).toEqual([2]);
    expect(planAudioRenditions([track(1, { channels: 4 })]).map((r) => r.channels)).toEqual([2]);
  });

  it('keeps only the tracks asked for by tag as written or as RFC 5646; a tag matching nothing is a usage error', () => {
    const tracks = [track(1, { language: 'eng' }), track(2, { language: 'fra' }), track(3, { language: 'deu' })];
    expect(planAudioRenditions(tracks, { audioTracks: ['eng', 'de'] }).map((r) => r.inputStream)).toEqual([1, 3]);
    expect(planAudioRenditions(tracks, { audioTracks: 'all' })).toHaveLength(3);
    expect(() => planAudioRenditions(tracks, { audioTracks: ['jpn'] })).toThrow(UsageError);
    expect(() => planAudioRenditions(tracks, { audioTracks: ['jpn'] })).toThrow(/eng, fra, deu/);
  });
});

describe('planSubtitleRenditions', () => {
  it('keeps text subtitles with their disposition and skips bitmap ones, naming them', () => {
    const { renditions, skipped } = planSubtitleRenditions([
      subtitle(3, { language: 'eng', isDefault: true }),
      subtitle(4, { codec: 'hdmv_pgs_subtitle', text: false, language: 'eng' }),
      subtitle(5, { codec: 'ass', language: 'fra', forced: true }),
      subtitle(6, { codec: 'dvd_subtitle', text: false }),
      subtitle(7, { codec: 'eia_608', text: false }),
    ]);
    expect(renditions.map((r) => [r.name, r.inputStream, r.language, r.title, r.isDefault, r.forced])).toEqual([
      ['subs-en', 3, 'en', 'English', true, false],
      ['subs-fr', 5, 'fr', 'French (forced)', false, true],
    ]);
    expect(skipped).toHaveLength(3);
    expect(skipped[0]).toMatch(/#4 \(hdmv_pgs_subtitle, eng\) is a bitmap format/);
    expect(skipped[1]).toMatch(/#6 \(dvd_subtitle\) is a bitmap format/);
    expect(skipped[2]).toMatch(/#7 \(eia_608\) is not a text format hlsify converts/);
  });
});

describe('planLadder and buildMediaArgs: separate audio', () => {
  const media = { ...mediaInfo({ duration: 10 }), audioTracks: [track(1, { language: 'eng' }), track(2, { language: 'fra', channels: 6, sampleRate: 44100 })], subtitles: [subtitle(3, { language: 'eng' })] };

  it('plans audio renditions by default and muxed audio only when asked', () => {
    const plan = planLadder(media, { cores: 2 });
    expect(plan.audioLayout).toBe('separate');
    expect(plan.audio).toBeUndefined();
    expect(plan.audioRenditions.map((r) => r.name)).toEqual(['audio-en-stereo', 'audio-fr-stereo', 'audio-fr-5.1']);
    expect(plan.subtitleRenditions.map((r) => r.name)).toEqual(['subs-en']);
    const muxed = planLadder(media, { cores: 2, audio: 'muxed' });
    expect(muxed.audioRenditions).toEqual([]);
    expect(muxed.audio).toEqual({ bitrate: 128_000, channels: 2, sampleRate: 48000 });
  });

  it('encodes every audio rendition and extracts every subtitle in one process, cut one AAC frame before the video’s end', () => {
    const plan = planLadder(media, { cores: 2, segmentDuration: 2 });
    const args = buildMediaArgs(plan, '/work')!;
    expect(valuesOf(args, '-map')).toEqual(['0:1', '0:2', '0:2', '0:3']);
    expect(valuesOf(args, '-c:a')).toEqual(['aac', 'aac', 'aac']);
    expect(valuesOf(args, '-ac')).toEqual(['2', '2', '6']);
    expect(valuesOf(args, '-b:a')).toEqual(['128k', '128k', '320k']);
    expect(valuesOf(args, '-ar')).toEqual(['48000', '44100', '44100']);
    expect(valuesOf(args, '-t').slice(1)).toEqual([(10 - 1024 / 48000).toFixed(3), (10 - 1024 / 44100).toFixed(3), (10 - 1024 / 44100).toFixed(3)]);
    expect(valuesOf(args, '-hls_time')).toEqual(['2', '2', '2']);
    expect(valuesOf(args, '-hls_segment_filename')).toEqual(['/work/audio-en-stereo/segment_%05d.ts', '/work/audio-fr-stereo/segment_%05d.ts', '/work/audio-fr-5.1/segment_%05d.ts']);
    expect(valuesOf(args, '-c:s')).toEqual(['webvtt']);
    expect(args.at(-1)).toBe('/work/subs-en/source.vtt');
    expect(args).not.toContain('-filter_complex');
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
  });

  it('writes fMP4 audio segments with an init segment when the ladder is fMP4', () => {
    const args = buildMediaArgs(planLadder(media, { cores: 2, segmentType: 'fmp4' }), '/work')!;
    expect(valuesOf(args, '-hls_segment_type')).toEqual(['fmp4', 'fmp4', 'fmp4']);
    expect(valuesOf(args, '-hls_fmp4_init_filename')).toEqual(['init.mp4', 'init.mp4', 'init.mp4']);
  });

  it('has no process for a source with neither audio nor subtitles', () => {
    expect(buildMediaArgs(planLadder(mediaInfo({ audio: false }), { cores: 2 }), '/work')).toBeUndefined();
  });

  it('plans an audio-only ladder without video renditions or video processes', () => {
    const { video: _video, ...rest } = media;
    const plan = planLadder({ ...rest, video: undefined, audio: media.audioTracks[0]! }, { cores: 2, audio: 'muxed' });
    expect(plan.renditions).toEqual([]);
    expect(plan.processes).toEqual([]);
    expect(plan.audioLayout).toBe('separate');
    expect(plan.audioRenditions.map((r) => r.name)).toEqual(['audio-en-stereo', 'audio-fr-stereo', 'audio-fr-5.1']);
    expect(plan.subtitleRenditions).toEqual([]);
  });
});
