/**
 * Keyframes every 2 s, segments of whole GOPs: a 25 fps TS ladder and a 29.97 fps fMP4 ladder, each with
 * two renditions, read back with ffprobe.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist } from '../../src/core/playlist/media-playlist.js';
import { hlsify, tempDir } from '../helpers/cli.js';

/** A 13 s 320x180 clip at `rate` (small and quick: the point is timing, not pixels). */
async function source(dir: string, rate: string): Promise<string> {
  const path = join(dir, 'source.mp4');
  await execa('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${rate}`, '-t', '13', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path]);
  return path;
}

/** Video packets of a media playlist: time from the first packet, and the keyframe flag. */
async function videoPackets(playlist: string): Promise<{ t: number; key: boolean }[]> {
  const { stdout } = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', playlist]);
  const packets = stdout.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [pts, flags] = line.split(',');
    return { pts: Number(pts), key: (flags ?? '').includes('K') };
  });
  const first = Math.min(...packets.map((p) => p.pts));
  return packets.map((p) => ({ t: p.pts - first, key: p.key })).sort((a, b) => a.t - b.t);
}

describe.each([
  { rate: '25', fps: 25, type: 'ts', segments: [6, 6] },
  { rate: '30000/1001', fps: 30000 / 1001, type: 'fmp4', segments: [6.006, 6.006] },
])('keyframes at $rate fps ($type)', ({ rate, fps, type, segments }) => {
  it('puts an IDR every 2 s and cuts 6 s segments of three whole GOPs, aligned in every rendition', async () => {
    const dir = await tempDir('keyframes');
    const out = join(dir, 'out');
    const result = await hlsify(['transcode', await source(dir, rate), '-o', out, '--ladder', '180,144', '--preset', 'ultrafast', '--segment-type', type, '-q']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const frame = 1 / fps;
    // Where the forced IDRs fall: the first frame at or after each multiple of 2 s.
    const expectedKeys = [0, 2, 4, 6, 8, 10, 12].map((s) => Math.ceil(s * fps - 1e-6) / fps);
    const starts: number[][] = [];
    for (const rendition of ['180p', '144p']) {
      const playlist = parseMediaPlaylist(await readFile(join(out, rendition, 'index.m3u8'), 'utf8'));
      expect(playlist.segments.map((s) => s.duration)).toHaveLength(3);
      // Whole segments are exactly three GOPs: 6 s at 25 fps, 180 frames (6.006 s) at 29.97 fps.
      segments.forEach((duration, i) => expect(playlist.segments[i]!.duration).toBeCloseTo(duration, 3));
      const packets = await videoPackets(join(out, rendition, 'index.m3u8'));
      const keys = packets.filter((p) => p.key).map((p) => p.t);
      expect(keys).toHaveLength(expectedKeys.length);
      keys.forEach((t, i) => expect(Math.abs(t - expectedKeys[i]!)).toBeLessThan(frame / 2));
      // Each segment starts on one of those keyframes (whole GOPs): at 0, the first one ≥ 6 s, ≥ 12 s.
      let start = 0;
      starts.push(playlist.segments.map((s) => {
        const at = start;
        start += s.duration;
        return at;
      }));
    }
    expect(starts[0]!.map((t) => t.toFixed(3))).toEqual(starts[1]!.map((t) => t.toFixed(3)));
    expect(starts[0]!.map((t) => Math.abs(t - expectedKeys[(starts[0]!.indexOf(t)) * 3]!) < frame / 2)).toEqual([true, true, true]);
  });
});

it('rounds the keyframe interval for 5 s segments and says so', async () => {
  const dir = await tempDir('keyframes-5s');
  const result = await hlsify(['transcode', await source(dir, '25'), '-o', join(dir, 'out'), '--ladder', '144', '--preset', 'ultrafast', '--segment-duration', '5']);
  expect(result.exitCode, String(result.stderr)).toBe(0);
  expect(result.stderr).toContain('keyframe interval 1.667 s instead of 2 s, so that 5 s segments are whole GOPs');
  const keys = (await videoPackets(join(dir, 'out', '144p', 'index.m3u8'))).filter((p) => p.key).map((p) => Math.round(p.t * 25));
  expect(keys).toEqual([0, 42, 84, 125, 167, 209, 250, 292]);
});
