/**
 * Audio and subtitle renditions from real sources, checked independently: the master with hls-parser, the
 * streams with ffprobe/ffmpeg, the WebVTT segments as text. One transcode per case, several checks on it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { audioStreams, decodeErrors, firstVideoPacket, measuredAverage, measuredPeak, readLadder } from '../helpers/ladder-checks.js';

interface ExpectedMedia {
  language: string;
  isDefault: boolean;
  channels?: string;
  forced?: boolean;
  /** Dominant tone of an audio rendition, Hz. */
  tone?: number;
}

interface Case {
  name: string;
  fixture: string;
  args: string[];
  segmentType: 'ts' | 'fmp4';
  videoVariants: number;
  audio: ExpectedMedia[];
  subtitles: ExpectedMedia[];
  /** Texts each subtitle rendition's segments must carry, by segment index. */
  cues?: Record<string, Record<number, string[]>>;
}

const FAST = ['--preset', 'ultrafast', '--segment-duration', '2'];
const CASES: Case[] = [
  {
    name: 'two audio languages, TS, 2 rungs',
    fixture: 'two-languages.mp4',
    args: [...FAST, '--ladder', '360,240'],
    segmentType: 'ts',
    videoVariants: 2,
    audio: [
      { language: 'en', isDefault: false, channels: '2', tone: 440 },
      { language: 'fr', isDefault: true, channels: '2', tone: 880 },
    ],
    subtitles: [],
  },
  {
    name: 'two audio languages, fMP4',
    fixture: 'two-languages.mp4',
    args: [...FAST, '--segment-type', 'fmp4'],
    segmentType: 'fmp4',
    videoVariants: 1,
    audio: [
      { language: 'en', isDefault: false, channels: '2', tone: 440 },
      { language: 'fr', isDefault: true, channels: '2', tone: 880 },
    ],
    subtitles: [],
  },
  {
    name: '5.1 source, TS: stereo and 5.1 renditions',
    fixture: 'surround-5.1.mp4',
    args: FAST,
    segmentType: 'ts',
    videoVariants: 1,
    audio: [
      { language: 'en', isDefault: true, channels: '2' },
      { language: 'en', isDefault: false, channels: '6' },
    ],
    subtitles: [],
  },
  {
    name: '5.1 source, fMP4: stereo and 5.1 renditions',
    fixture: 'surround-5.1.mp4',
    args: [...FAST, '--segment-type', 'fmp4'],
    segmentType: 'fmp4',
    videoVariants: 1,
    audio: [
      { language: 'en', isDefault: true, channels: '2' },
      { language: 'en', isDefault: false, channels: '6' },
    ],
    subtitles: [],
  },
  {
    name: 'SRT and ASS subtitles in Matroska, TS',
    fixture: 'subtitles.mkv',
    args: FAST,
    segmentType: 'ts',
    videoVariants: 1,
    audio: [{ language: 'en', isDefault: true, channels: '2' }],
    subtitles: [
      { language: 'en', isDefault: true, forced: false },
      { language: 'fr', isDefault: false, forced: true },
    ],
    cues: {
      en: { 0: ['First cue'], 1: ['Second cue, <i>across</i> a segment boundary'], 2: ['Second cue, <i>across</i> a segment boundary'] },
      fr: { 0: ['Bonjour <i>tout</i> le monde'], 2: ['Deuxième ligne\nsur deux lignes'] },
    },
  },
  {
    name: 'SRT and ASS subtitles in Matroska, fMP4',
    fixture: 'subtitles.mkv',
    args: [...FAST, '--segment-type', 'fmp4'],
    segmentType: 'fmp4',
    videoVariants: 1,
    audio: [{ language: 'en', isDefault: true, channels: '2' }],
    subtitles: [
      { language: 'en', isDefault: true, forced: false },
      { language: 'fr', isDefault: false, forced: true },
    ],
    cues: { en: { 0: ['First cue'], 2: ['Second cue, <i>across</i> a segment boundary'] } },
  },
  {
    name: 'subtitles running 5 s past the video',
    fixture: 'subtitles-longer.mkv',
    args: FAST,
    segmentType: 'ts',
    videoVariants: 1,
    audio: [{ language: 'und', isDefault: true, channels: '2' }],
    subtitles: [{ language: 'en', isDefault: false, forced: false }],
    cues: { en: { 0: ['First cue'], 1: ['Second cue, <i>across</i> a segment boundary'] } },
  },
];

type Rendition = types.Rendition;

/** Segment start times from EXTINF durations, plus the end. */
function boundaries(durations: readonly number[]): number[] {
  const out = [0];
  for (const d of durations) out.push(out.at(-1)! + d);
  return out;
}

async function mediaPlaylist(outputDir: string, uri: string) {
  const path = join(outputDir, uri);
  const media = HLS.parse(await readFile(path, 'utf8')) as types.MediaPlaylist;
  const dir = dirname(path);
  const sizes = await Promise.all(media.segments.map(async (s) => (await readFile(join(dir, s.uri))).length));
  return { path, dir, media, sizes, durations: media.segments.map((s) => s.duration) };
}

/** The dominant frequency of the first second of a playlist's audio, from zero crossings of its mono mix. */
async function toneOf(playlist: string): Promise<number> {
  const { stdout } = await execa('ffmpeg', ['-v', 'error', '-i', playlist, '-ss', '0.5', '-t', '1', '-ac', '1', '-ar', '48000', '-f', 's16le', '-'], { encoding: 'buffer' });
  const samples = new Int16Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.length / 2));
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  return (crossings / 2) * (48000 / samples.length);
}

describe.each(CASES)('$name', (testCase) => {
  let work: string;
  let outputDir: string;
  let ladder: Awaited<ReturnType<typeof readLadder>>;
  let audio: Rendition[];
  let subtitles: Rendition[];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hlsify-audio-'));
    outputDir = join(work, 'out');
    const result = await hlsify(['transcode', fixture(testCase.fixture), '-o', outputDir, '--tmp-dir', join(work, 'tmp'), '--quiet', ...testCase.args]);
    if (result.exitCode !== 0) throw new Error(`transcode failed (${result.exitCode}): ${result.stderr}`);
    ladder = await readLadder(outputDir);
    audio = ladder.variants[0]!.variant.audio;
    subtitles = ladder.variants[0]!.variant.subtitles;
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('declares every audio and subtitle rendition in one group each, with LANGUAGE, NAME, DEFAULT, AUTOSELECT, CHANNELS', () => {
    expect(ladder.variants).toHaveLength(testCase.videoVariants);
    expect(audio.map((a) => ({ language: a.language, isDefault: a.isDefault, channels: a.channels }))).toEqual(
      testCase.audio.map((a) => ({ language: a.language, isDefault: a.isDefault, channels: a.channels })),
    );
    expect(subtitles.map((s) => ({ language: s.language, isDefault: s.isDefault, forced: s.forced }))).toEqual(
      testCase.subtitles.map((s) => ({ language: s.language, isDefault: s.isDefault, forced: s.forced })),
    );
    for (const r of [...audio, ...subtitles]) expect(r.autoselect).toBe(true);
    expect(new Set(audio.map((a) => a.groupId))).toEqual(new Set(['audio']));
    expect(new Set(audio.map((a) => a.name)).size).toBe(audio.length);
    expect(new Set(subtitles.map((s) => s.name)).size).toBe(subtitles.length);
    for (const { variant } of ladder.variants) {
      expect(variant.audio).toEqual(audio);
      expect(variant.subtitles).toEqual(subtitles);
      expect(variant.videoRange).toBe('SDR');
      expect(variant.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    }
    const lines = ladder.masterText.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF'));
    for (const line of lines) expect(line).toContain('AUDIO="audio"');
    for (const line of lines) if (testCase.subtitles.length > 0) expect(line).toContain('SUBTITLES="subs"');
  });

  it('BANDWIDTH and AVERAGE-BANDWIDTH = the video segments + the largest audio and subtitle renditions', async () => {
    const peakOf = async (uri: string | undefined) => {
      const p = await mediaPlaylist(outputDir, uri!);
      return { peak: measuredPeak(p.durations, p.sizes, p.media.targetDuration), average: measuredAverage(p.durations, p.sizes) };
    };
    const audioFigures = await Promise.all(audio.map((a) => peakOf(a.uri)));
    const subtitleFigures = await Promise.all(subtitles.map((s) => peakOf(s.uri)));
    const largest = (list: { peak: number; average: number }[], key: 'peak' | 'average') => Math.max(0, ...list.map((f) => f[key]));
    for (const { variant, media, sizes } of ladder.variants) {
      const durations = media.segments.map((s) => s.duration);
      const peak = measuredPeak(durations, sizes, media.targetDuration) + largest(audioFigures, 'peak') + largest(subtitleFigures, 'peak');
      const average = measuredAverage(durations, sizes) + largest(audioFigures, 'average') + largest(subtitleFigures, 'average');
      expect(Math.abs(variant.bandwidth - peak) / peak).toBeLessThan(0.01);
      expect(Math.abs(variant.averageBandwidth! - average) / average).toBeLessThan(0.01);
    }
  });

  it('audio and subtitle segment boundaries line up with the video’s (audio within one AAC frame), same target duration', async () => {
    const video = ladder.variants[0]!.media;
    const videoBounds = boundaries(video.segments.map((s) => s.duration));
    for (const r of [...audio, ...subtitles]) {
      const { media } = await mediaPlaylist(outputDir, r.uri!);
      expect(media.targetDuration, r.uri).toBe(video.targetDuration);
      expect(media.playlistType).toBe('VOD');
      expect(media.endlist).toBe(true);
      const bounds = boundaries(media.segments.map((s) => s.duration));
      expect(bounds.length, r.uri).toBe(videoBounds.length);
      // The last boundary is each stream's own end; the inner ones must match.
      bounds.slice(0, -1).forEach((t, i) => expect(Math.abs(t - videoBounds[i]!), `${r.uri} boundary ${i}`).toBeLessThanOrEqual(1024 / 48000 + 0.001));
    }
  });

  it('the video segments carry no audio; each audio rendition decodes as AAC-LC with its channels (and its own tone)', async () => {
    const init = testCase.segmentType === 'fmp4' ? 'init.mp4' : undefined;
    for (const v of ladder.variants) {
      expect(await audioStreams(join(v.dir, v.media.segments[0]!.uri), init && join(v.dir, init))).toEqual([]);
    }
    for (const [i, a] of audio.entries()) {
      const p = await mediaPlaylist(outputDir, a.uri!);
      expect(await decodeErrors(p.path)).toEqual({ exitCode: 0, stderr: '' });
      const streams = await audioStreams(join(p.dir, p.media.segments[0]!.uri), init && join(p.dir, init));
      expect(streams).toEqual([expect.objectContaining({ codec_name: 'aac', profile: 'LC', channels: Number(a.channels) })]);
      const tone = testCase.audio[i]!.tone;
      if (tone) expect(Math.abs((await toneOf(p.path)) - tone)).toBeLessThan(tone * 0.05);
    }
  });

  it.runIf(testCase.subtitles.length > 0)('every WebVTT segment maps cue time 0 to the video’s first frame (X-TIMESTAMP-MAP) and carries its cues', async () => {
    const v = ladder.variants[0]!;
    const init = testCase.segmentType === 'fmp4' ? join(v.dir, 'init.mp4') : undefined;
    const first = await firstVideoPacket(join(v.dir, v.media.segments[0]!.uri), init);
    for (const s of subtitles) {
      const p = await mediaPlaylist(outputDir, s.uri!);
      const texts = await Promise.all(p.media.segments.map((segment) => readFile(join(p.dir, segment.uri), 'utf8')));
      for (const text of texts) {
        const match = /^WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:(\d+),LOCAL:00:00:00\.000\n/.exec(text);
        expect(match, text).not.toBeNull();
        // The source's video starts at most a frame after its subtitles' time 0 (Matroska's 21 ms AAC shift).
        const mpegts = Number(match![1]) / 90_000;
        expect(first.pts - mpegts).toBeGreaterThanOrEqual(0);
        expect(first.pts - mpegts).toBeLessThan(0.05);
      }
      for (const [index, cues] of Object.entries(testCase.cues?.[s.language!] ?? {})) {
        for (const cue of cues) expect(texts[Number(index)], `${s.uri} segment ${index}`).toContain(cue);
      }
      // Nothing past the video's end: the segment count is the video's and no cue starts after its last segment.
      expect(p.media.segments.length).toBe(v.media.segments.length);
    }
  });
});

describe('--audio muxed keeps audio inside every video rendition', () => {
  it('has no EXT-X-MEDIA, and each rendition carries the first audio track as stereo AAC', async () => {
    const work = await mkdtemp(join(tmpdir(), 'hlsify-muxed-'));
    try {
      const out = join(work, 'out');
      const result = await hlsify(['transcode', fixture('two-languages.mp4'), '-o', out, '--quiet', '--audio', 'muxed', ...FAST, '--ladder', '240']);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const ladder = await readLadder(out);
      expect(ladder.masterText).not.toContain('#EXT-X-MEDIA');
      const v = ladder.variants[0]!;
      expect(v.variant.codecs).toMatch(/,mp4a\.40\.2$/);
      expect(await audioStreams(join(v.dir, v.media.segments[0]!.uri))).toEqual([expect.objectContaining({ codec_name: 'aac', channels: 2 })]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('audio-only input', () => {
  it('fails with one clear line without --allow-audio-only, and gives an audio-only ladder with it', async () => {
    const work = await mkdtemp(join(tmpdir(), 'hlsify-audio-only-'));
    try {
      const refused = await hlsify(['transcode', fixture('audio-only.m4a'), '-o', join(work, 'refused'), '--quiet']);
      expect(refused.exitCode).toBe(1);
      expect(String(refused.stderr)).toMatch(/no video stream.*--allow-audio-only/);

      const out = join(work, 'out');
      const result = await hlsify(['transcode', fixture('audio-only.m4a'), '-o', out, '--quiet', '--allow-audio-only', '--segment-duration', '2', '--json']);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const ladder = await readLadder(out);
      expect(ladder.variants).toHaveLength(1);
      const { variant, media } = ladder.variants[0]!;
      expect(variant.codecs).toBe('mp4a.40.2');
      expect(variant.resolution).toBeUndefined();
      expect(variant.audio.map((a) => [a.language, a.isDefault, a.channels])).toEqual([['und', true, '2']]);
      expect(variant.uri).toBe(variant.audio[0]!.uri);
      expect(media.segments.map((s) => Math.round(s.duration))).toEqual([2, 2]);
      expect(await decodeErrors(join(out, variant.uri))).toEqual({ exitCode: 0, stderr: '' });
      expect(JSON.parse(String(result.stdout)).media).toEqual([expect.objectContaining({ type: 'AUDIO', name: 'audio-und-stereo', channels: 2 })]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
