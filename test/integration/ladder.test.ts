/**
 * Ladders produced by the real CLI and real ffmpeg, checked independently: hls-parser for playlists,
 * ffprobe/ffmpeg for streams. One transcode per source, several checks on its output.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { audioStreams, decodeErrors, firstVideoPacket, measuredAverage, measuredPeak, parseAvc1, probeVideo, readLadder } from '../helpers/ladder-checks.js';

const PROFILE_IDC: Record<string, number> = { 'Constrained Baseline': 66, Baseline: 66, Main: 77, High: 100 };

interface Case {
  name: string;
  fixture: string;
  args: string[];
  /** `muxed`: audio inside each video rendition (--audio muxed); otherwise audio renditions of their own. */
  expect: { sizes: [number, number][]; fps: string; audio: boolean; segmentType: 'ts' | 'fmp4'; muxed?: boolean };
}

const CASES: Case[] = [
  {
    name: '1080p25 landscape, default ladder, 2 s TS segments',
    fixture: 'landscape-1080p25.mp4',
    args: ['--preset', 'ultrafast', '--segment-duration', '2'],
    expect: { sizes: [[1920, 1080], [1280, 720], [854, 480], [640, 360]], fps: '25.000', audio: true, segmentType: 'ts' },
  },
  {
    name: '720p30 in fMP4 segments, split over 2 ffmpeg processes, audio muxed into each rendition',
    fixture: 'landscape-720p30.mp4',
    args: ['--preset', 'ultrafast', '--segment-type', 'fmp4', '--segment-duration', '2', '--processes', '2', '--audio', 'muxed'],
    expect: { sizes: [[1280, 720], [854, 480], [640, 360]], fps: '30.000', audio: true, segmentType: 'fmp4', muxed: true },
  },
  {
    name: 'rotated phone clip (stored 640x360, displayed portrait)',
    fixture: 'portrait-rotated.mp4',
    args: ['--preset', 'ultrafast', '--segment-duration', '2'],
    expect: { sizes: [[360, 640]], fps: '30.000', audio: true, segmentType: 'ts' },
  },
  {
    name: 'odd size 853x479, 29.97 fps, 4:4:4, no audio',
    fixture: 'odd-2997-yuv444.mp4',
    args: ['--preset', 'ultrafast', '--segment-duration', '2', '--ladder', '480,360,240'],
    expect: { sizes: [[852, 478], [640, 360], [426, 240]], fps: '29.970', audio: false, segmentType: 'ts' },
  },
  {
    name: '10-bit 60 fps Matroska',
    fixture: '10bit-60fps.mkv',
    args: ['--preset', 'ultrafast', '--segment-duration', '2'],
    expect: { sizes: [[640, 360]], fps: '60.000', audio: false, segmentType: 'ts' },
  },
  {
    name: 'tiny MJPEG AVI with mono 44.1 kHz PCM',
    fixture: 'mjpeg-tiny.avi',
    args: ['--preset', 'ultrafast', '--segment-duration', '1'],
    expect: { sizes: [[320, 240]], fps: '25.000', audio: true, segmentType: 'ts' },
  },
];

describe.each(CASES)('$name', (testCase) => {
  let work: string;
  let outputDir: string;
  let tmpRoot: string;
  let json: { ok: boolean; renditions: { name: string; bandwidth: number }[] };
  let ladder: Awaited<ReturnType<typeof readLadder>>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hlsify-ladder-'));
    outputDir = join(work, 'out');
    tmpRoot = join(work, 'tmp');
    const result = await hlsify(['transcode', fixture(testCase.fixture), '-o', outputDir, '--tmp-dir', tmpRoot, '--json', ...testCase.args]);
    if (result.exitCode !== 0) throw new Error(`transcode failed (${result.exitCode}): ${result.stderr}`);
    json = JSON.parse(String(result.stdout));
    ladder = await readLadder(outputDir);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('has one variant per expected rendition, at the expected sizes, with CODECS, RESOLUTION, FRAME-RATE', () => {
    expect(json.ok).toBe(true);
    expect(ladder.masterText).toContain('#EXT-X-INDEPENDENT-SEGMENTS');
    const sizes = ladder.variants.map((v) => [v.variant.resolution?.width, v.variant.resolution?.height]);
    expect(new Set(sizes.map(String))).toEqual(new Set(testCase.expect.sizes.map(String)));
    for (const { variant } of ladder.variants) {
      expect(variant.codecs).toMatch(testCase.expect.audio ? /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/ : /^avc1\.[0-9a-f]{6}$/);
      expect(ladder.masterText).toContain(`FRAME-RATE=${testCase.expect.fps}`);
      expect(variant.averageBandwidth).toBeGreaterThan(0);
    }
  });

  it('media playlists are VOD with ENDLIST and the right segment type', () => {
    for (const { media } of ladder.variants) {
      expect(media.playlistType).toBe('VOD');
      expect(media.endlist).toBe(true);
      expect(media.segments.length).toBeGreaterThan(0);
      for (const segment of media.segments) expect(Math.round(segment.duration)).toBeLessThanOrEqual(media.targetDuration);
      if (testCase.expect.segmentType === 'fmp4') expect(media.segments[0]!.map?.uri).toBe('init.mp4');
      else expect(media.segments[0]!.uri).toMatch(/\.ts$/);
    }
  });

  it('BANDWIDTH and AVERAGE-BANDWIDTH are within 10% of what the segments measure (with the audio rendition played alongside)', async () => {
    // A separate audio rendition adds its own peak and average (RFC 8216 §4.3.4.2).
    const audio = { peak: 0, average: 0 };
    for (const rendition of ladder.variants[0]?.variant.audio ?? []) {
      const path = join(outputDir, rendition.uri!);
      const media = HLS.parse(await readFile(path, 'utf8')) as types.MediaPlaylist;
      const durations = media.segments.map((s) => s.duration);
      const sizes = await Promise.all(media.segments.map(async (s) => (await stat(join(dirname(path), s.uri))).size));
      audio.peak = Math.max(audio.peak, measuredPeak(durations, sizes, media.targetDuration));
      audio.average = Math.max(audio.average, measuredAverage(durations, sizes));
    }
    expect(audio.peak > 0).toBe(testCase.expect.audio && !testCase.expect.muxed);
    for (const { variant, media, sizes } of ladder.variants) {
      const durations = media.segments.map((s) => s.duration);
      const peak = measuredPeak(durations, sizes, media.targetDuration) + audio.peak;
      const average = measuredAverage(durations, sizes) + audio.average;
      expect(Math.abs(variant.bandwidth - peak) / peak).toBeLessThanOrEqual(0.1);
      expect(Math.abs(variant.averageBandwidth! - average) / average).toBeLessThanOrEqual(0.1);
      expect(variant.bandwidth).toBeGreaterThanOrEqual(variant.averageBandwidth!);
    }
  });

  it('segment boundaries are identical across renditions and every segment starts with a keyframe', async () => {
    const reference = ladder.variants[0]!.media.segments.map((s) => s.duration);
    const starts: number[][] = [];
    for (const v of ladder.variants) {
      expect(v.media.segments.map((s) => s.duration)).toEqual(reference);
      const init = testCase.expect.segmentType === 'fmp4' ? join(v.dir, 'init.mp4') : undefined;
      const packets = await Promise.all(v.media.segments.map((s) => firstVideoPacket(join(v.dir, s.uri), init)));
      for (const packet of packets) expect(packet.key).toBe(true);
      starts.push(packets.map((p) => p.pts));
    }
    for (const s of starts.slice(1)) {
      s.forEach((pts, i) => expect(Math.abs(pts - starts[0]![i]!)).toBeLessThan(0.002));
    }
  });

  it('every rendition decodes cleanly as 8-bit 4:2:0 H.264 at its declared size and codec', async () => {
    for (const v of ladder.variants) {
      const decoded = await decodeErrors(join(v.dir, 'index.m3u8'));
      expect(decoded).toEqual({ exitCode: 0, stderr: '' });
      const first = join(v.dir, v.media.segments[0]!.uri);
      const init = testCase.expect.segmentType === 'fmp4' ? join(v.dir, 'init.mp4') : undefined;
      const stream = await probeVideo(first, init);
      expect(stream.codec_name).toBe('h264');
      expect(stream.pix_fmt).toBe('yuv420p');
      expect([stream.width, stream.height]).toEqual([v.variant.resolution!.width, v.variant.resolution!.height]);
      const declared = parseAvc1(v.variant.codecs!.split(',')[0]!);
      // CODECS must describe the stream as encoded (x264 ultrafast drops to Constrained Baseline).
      expect(declared.profile).toBe(PROFILE_IDC[stream.profile]);
      expect(declared.level).toBe(stream.level);
      const audio = await audioStreams(first, init);
      if (testCase.expect.audio && testCase.expect.muxed) expect(audio).toEqual([expect.objectContaining({ codec_name: 'aac', channels: 2, profile: 'LC' })]);
      else expect(audio).toEqual([]);
    }
  });

  it('leaves no temp dir behind and nothing but the ladder in the output dir', async () => {
    expect(existsSync(tmpRoot) ? await readdir(tmpRoot) : []).toEqual([]);
    const entries = await readdir(outputDir);
    const audioDirs = (ladder.variants[0]?.variant.audio ?? []).map((a) => a.uri!.split('/')[0]!);
    expect(entries.sort()).toEqual(['master.m3u8', ...ladder.variants.map((v) => v.variant.uri.split('/')[0]!), ...audioDirs].sort());
  });
});
