/**
 * Chunked encoding (`transcode --chunk-seconds 12 --parallel 2`) against an unchunked encode of the same
 * 60 s 29.97 fps source with audio and subtitles: the same renditions, segments, frames and keyframe
 * starts, the same WebVTT segments, a ladder that verifies, and nothing of the chunks left in the output.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/recipes.js';
import { hlsify, tempDir } from '../helpers/cli.js';
import { firstVideoPacket, readLadder } from '../helpers/ladder-checks.js';
import { expectNoTempLeft, expectOneErrorLine, filesUnder } from './support.js';

/**
 * Two rungs, not the source's default 480p + 360p: the two 60 s encodes then take about 55 s each on a
 * 2-core machine instead of 80-90 s, and a chunk's one ffmpeg process still writes more than one rendition.
 */
const COMMON = ['--ladder', '360,240', '--preset', 'veryfast', '--deinterlace', 'off', '--json'];

type Ladder = Awaited<ReturnType<typeof readLadder>>;

interface Run {
  out: string;
  tmp: string;
  json: { ok: boolean; verify: { summary: { ok: boolean; failedMust: string[] } } | null };
  ladder: Ladder;
}

/** Frames (video packets) of a rendition, counted over all its segments in playlist order. */
async function frameCount(dir: string, media: types.MediaPlaylist): Promise<number> {
  const concat = `concat:${media.segments.map((s) => join(dir, s.uri)).join('|')}`;
  const { stdout } = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'json', concat]);
  return Number((JSON.parse(stdout) as { streams: { nb_read_packets: string }[] }).streams[0]?.nb_read_packets);
}

/** Durations of a playlist's EXTINFs (hls-parser), as written to the microsecond. */
async function extinfs(path: string): Promise<string[]> {
  const playlist = HLS.parse(await readFile(path, 'utf8')) as types.MediaPlaylist;
  return playlist.segments.map((s) => s.duration.toFixed(6));
}

function renditionName(variant: types.Variant): string {
  return variant.uri.split('/')[0]!;
}

describe('chunked transcode of a 60 s 29.97 fps source with audio and subtitles', () => {
  let work: string;
  let whole: Run;
  let chunked: Run;

  async function transcode(label: string, extra: string[]): Promise<Run> {
    const out = join(work, label);
    const tmp = join(work, `${label}-tmp`);
    const result = await hlsify(['transcode', fixture('chunked-60s.mkv'), '-o', out, '--tmp-dir', tmp, ...COMMON, ...extra]);
    if (result.exitCode !== 0) throw new Error(`${label} transcode failed (${result.exitCode}): ${result.stderr}`);
    return { out, tmp, json: JSON.parse(String(result.stdout)), ladder: await readLadder(out) };
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hlsify-chunked-'));
    // One after the other: each uses both cores, and the wall times stay comparable.
    whole = await transcode('whole', []);
    chunked = await transcode('chunked', ['--chunk-seconds', '12', '--parallel', '2']);
  }, 600_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('has the same renditions, and a master with AUDIO and SUBTITLES groups and I-frame playlists', () => {
    const describeLadder = ({ ladder }: Run) => ({
      variants: ladder.variants.map((v) => ({ name: renditionName(v.variant), resolution: v.variant.resolution, audio: v.variant.audio.map((a) => a.uri), subtitles: v.variant.subtitles.map((s) => s.uri) })),
      iframes: ladder.master.variants.filter((v) => v.isIFrameOnly).map((v) => v.uri),
    });
    expect(describeLadder(whole).variants.map((v) => v.name)).toEqual(['360p', '240p']);
    expect(describeLadder(chunked)).toEqual(describeLadder(whole));
    for (const { ladder } of [whole, chunked]) {
      for (const { variant } of ladder.variants) {
        expect(variant.audio.length).toBeGreaterThan(0);
        expect(variant.subtitles.length).toBeGreaterThan(0);
      }
      expect(ladder.masterText).toMatch(/^#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="[^"]+",.*LANGUAGE="en"/m);
      expect(ladder.masterText).toMatch(/^#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="[^"]+",.*LANGUAGE="en"/m);
      expect(ladder.master.variants.filter((v) => v.isIFrameOnly).map((v) => v.uri)).toEqual(['360p/iframes.m3u8', '240p/iframes.m3u8']);
    }
  });

  it('passes verify (run by transcode) on both ladders', () => {
    expect(whole.json.ok).toBe(true);
    expect(chunked.json.ok).toBe(true);
    expect(whole.json.verify?.summary).toMatchObject({ ok: true, failedMust: [] });
    expect(chunked.json.verify?.summary).toMatchObject({ ok: true, failedMust: [] });
  });

  it('writes the same EXTINF durations in every video and audio playlist', async () => {
    const video = whole.ladder.variants.map((v) => `${renditionName(v.variant)}/index.m3u8`);
    for (const playlist of [...video, ...whole.ladder.variants[0]!.variant.audio.map((a) => a.uri!)]) {
      const expected = await extinfs(join(whole.out, playlist));
      // 60 s at 29.97 fps: ten 6 s segments of whole 2 s GOPs (180 frames, or 179 where a GOP is 59).
      if (video.includes(playlist)) expect(expected, playlist).toHaveLength(10);
      expect(await extinfs(join(chunked.out, playlist)), playlist).toEqual(expected);
    }
  });

  it('encodes the same number of frames in every rendition', async () => {
    for (const [i, variant] of whole.ladder.variants.entries()) {
      const frames = await frameCount(variant.dir, variant.media);
      // 60.014 s of source on the 30000/1001 grid.
      expect(frames).toBe(1798);
      const other = chunked.ladder.variants[i]!;
      expect(await frameCount(other.dir, other.media), renditionName(variant.variant)).toBe(frames);
    }
  });

  it('starts every video segment with a keyframe at the unchunked segment’s first pts', async () => {
    for (const [i, variant] of whole.ladder.variants.entries()) {
      const other = chunked.ladder.variants[i]!;
      for (const segment of variant.media.segments) {
        const [expected, actual] = await Promise.all([firstVideoPacket(join(variant.dir, segment.uri)), firstVideoPacket(join(other.dir, segment.uri))]);
        const where = `${renditionName(variant.variant)}/${segment.uri}`;
        expect(expected.key, where).toBe(true);
        expect(actual.key, where).toBe(true);
        expect(Math.abs(actual.pts - expected.pts), where).toBeLessThan(0.001);
      }
    }
  });

  it('writes byte-identical WebVTT segments, with the cue across the 12 s join in the segments either side', async () => {
    const subtitles = whole.ladder.variants[0]!.variant.subtitles[0]!.uri!;
    const dir = subtitles.split('/')[0]!;
    expect(await readFile(join(chunked.out, subtitles), 'utf8')).toBe(await readFile(join(whole.out, subtitles), 'utf8'));
    const names = (HLS.parse(await readFile(join(whole.out, subtitles), 'utf8')) as types.MediaPlaylist).segments.map((s) => s.uri);
    expect(names).toHaveLength(10);
    for (const name of names) {
      expect(await readFile(join(chunked.out, dir, name), 'utf8'), name).toBe(await readFile(join(whole.out, dir, name), 'utf8'));
    }
    const segment = async (n: number) => readFile(join(chunked.out, dir, names[n]!), 'utf8');
    // The 11.5 → 12.5 s cue spans segments 1 (6-12 s) and 2 (12-18 s); the 35 → 37 s one spans 5 and 6.
    expect(await segment(1)).toContain('Cue 2, 11.5 s to 12.5 s');
    expect(await segment(2)).toContain('Cue 2, 11.5 s to 12.5 s');
    expect(await segment(5)).toContain('Cue 3, 35 s to 37 s');
    expect(await segment(6)).toContain('Cue 3, 35 s to 37 s');
  });

  it('leaves no chunk playlist in the output and no temp dir behind', async () => {
    const files = (await filesUnder(chunked.out)).map((f) => basename(f));
    expect(files.filter((f) => /^chunk_.*\.m3u8$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.m3u8')).sort()).toEqual((await filesUnder(whole.out)).map((f) => basename(f)).filter((f) => f.endsWith('.m3u8')).sort());
    await expectNoTempLeft(chunked.tmp);
  });

  // ffmpeg evaluates `t` in -force_key_frames from the first frame a process encodes: a chunk's
  // expression must allow for that, or x264's 60-frame GOP cap places its keyframes (at 29.97 fps the
  // 59-frame GOP at 34 s would become a 60-frame one).
  it('lists the same keyframes in the I-frame playlists', async () => {
    for (const { variant } of whole.ladder.variants) {
      const playlist = `${renditionName(variant)}/iframes.m3u8`;
      expect(await extinfs(join(chunked.out, playlist)), playlist).toEqual(await extinfs(join(whole.out, playlist)));
    }
  });
});

describe('chunked transcode of a 25 fps source', () => {
  let work: string;
  const durations: Record<string, string[]> = {};

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hlsify-chunked-25-'));
    const source = join(work, 'source.mp4');
    await execa('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25', '-t', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', source]);
    for (const [label, extra] of [['whole', []], ['chunked', ['--chunk-seconds', '12', '--parallel', '2']]] as const) {
      const out = join(work, label);
      const result = await hlsify(['transcode', source, '-o', out, '--ladder', '180', '--preset', 'ultrafast', '--deinterlace', 'off', '-q', ...extra]);
      if (result.exitCode !== 0) throw new Error(`${label} transcode failed (${result.exitCode}): ${result.stderr}`);
      durations[label] = await extinfs(join(out, '180p', 'index.m3u8'));
    }
  }, 300_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('cuts 6 s segments unchunked', () => {
    expect(durations.whole).toEqual(['6.000000', '6.000000', '6.000000', '6.000000', '6.000000']);
  });

  // The same cause as above would show here as 6.12 s and 5.88 s segments (a 51-frame GOP cap at 25 fps).
  it('cuts the same segments chunked', () => {
    expect(durations.chunked).toEqual(durations.whole);
  });
});

describe('chunked transcode usage errors: exit 2 and one line', () => {
  /** Exit 2, one error line, nothing written; returns the line. */
  async function run(extra: string[]) {
    const dir = await tempDir('chunked-usage');
    const result = await hlsify(['transcode', fixture('chunked-60s.mkv'), '-o', join(dir, 'out'), '--tmp-dir', join(dir, 'tmp'), ...extra]);
    expect(result.exitCode, String(result.stderr)).toBe(2);
    expect(String(result.stdout)).toBe('');
    expect(await filesUnder(dir)).toEqual([]);
    return expectOneErrorLine(String(result.stderr), { allowHelpHint: true });
  }

  it('--chunk-seconds 10 is not a whole number of 6 s segments', async () => {
    const line = await run(['--chunk-seconds', '10']);
    expect(line).toContain('--chunk-seconds');
    expect(line).toContain('try 12');
  });

  it('--chunk-seconds 12 with --segment-type fmp4 is refused', async () => {
    const line = await run(['--chunk-seconds', '12', '--segment-type', 'fmp4']);
    expect(line).toContain('--chunk-seconds');
    expect(line).toContain('fmp4');
  });
});
