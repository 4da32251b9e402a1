/**
 * I-frame playlists of a TS and an fMP4 ladder, read back independently: hls-parser for the playlists,
 * and every byte range (behind its EXT-X-MAP) decoded by ffmpeg as exactly one keyframe.
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { measuredPeak, readLadder } from '../helpers/ladder-checks.js';

async function readRange(path: string, range: { offset?: number; length: number } | undefined): Promise<Buffer> {
  if (!range) return readFile(path);
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(range.length);
    const { bytesRead } = await handle.read(buffer, 0, range.length, range.offset ?? 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Decoded video frames of a file: their size, key flag and picture type. */
async function decodedFrames(path: string): Promise<{ width: number; height: number; key_frame: number; pict_type: string }[]> {
  const { stdout } = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=width,height,key_frame,pict_type', '-of', 'json', path]);
  return (JSON.parse(stdout) as { frames: { width: number; height: number; key_frame: number; pict_type: string }[] }).frames;
}

describe.each([
  { type: 'ts', perRendition: 4 },
  { type: 'fmp4', perRendition: 2 },
])('I-frame playlists ($type)', ({ type, perRendition }) => {
  it('lists every rendition’s keyframes as byte ranges that decode on their own as one keyframe each', async () => {
    const dir = await tempDir(`iframes-${type}`);
    const source = join(dir, 'source.mp4');
    await execa('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine', '-t', '7', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', source]);
    const out = join(dir, 'out');
    const result = await hlsify(['transcode', source, '-o', out, '--ladder', '180,144', '--preset', 'ultrafast', '--segment-type', type, '-q']);
    expect(result.exitCode, String(result.stderr)).toBe(0);

    const { master, variants, masterText } = await readLadder(out);
    const iframeStreams = master.variants.filter((v) => v.isIFrameOnly);
    expect(iframeStreams.map((v) => v.uri).sort()).toEqual(['144p/iframes.m3u8', '180p/iframes.m3u8']);
    expect(masterText.match(/^#EXT-X-I-FRAME-STREAM-INF:.*VIDEO-RANGE=SDR/gm)).toHaveLength(2);

    for (const stream of iframeStreams) {
      const variant = variants.find((v) => v.variant.uri === stream.uri.replace('iframes', 'index'))!;
      // Apple 9.3/9.4: CODECS (the video codec alone) and RESOLUTION, as the rendition's.
      expect(stream.codecs).toBe(variant.variant.codecs!.split(',')[0]);
      expect(stream.resolution).toEqual(variant.variant.resolution);

      const path = join(out, stream.uri);
      const text = await readFile(path, 'utf8');
      const playlist = HLS.parse(text) as types.MediaPlaylist;
      expect(playlist.isIFrame).toBe(true);
      expect(playlist.playlistType).toBe('VOD');
      expect(playlist.version).toBeGreaterThanOrEqual(4);
      expect(playlist.segments).toHaveLength(perRendition);
      // Every entry points into a segment of the rendition's own playlist: no second copy of the data.
      const segmentUris = new Set(variant.media.segments.map((s) => s.uri));
      for (const s of playlist.segments) expect(segmentUris.has(s.uri)).toBe(true);
      const total = variant.media.segments.reduce((sum, s) => sum + s.duration, 0);
      expect(playlist.segments.reduce((sum, s) => sum + s.duration, 0)).toBeCloseTo(total, 2);
      for (const s of playlist.segments) expect(Math.round(s.duration)).toBeLessThanOrEqual(playlist.targetDuration);

      // Each range, behind its map (init segment or PAT/PMT), is one keyframe of the rendition's size.
      for (const [i, s] of playlist.segments.entries()) {
        const segmentPath = join(dirname(path), s.uri);
        const parts = [await readRange(segmentPath, s.byterange)];
        if (s.map) parts.unshift(await readRange(join(dirname(path), s.map.uri), s.map.byterange));
        if (type === 'fmp4') {
          expect(s.map?.uri).toBe('init.mp4');
          expect(parts[1]!.subarray(4, 8).toString()).toBe('moof'); // Apple 6.10
        }
        const piece = join(dir, `iframe-${i}.${type === 'ts' ? 'ts' : 'mp4'}`);
        await writeFile(piece, Buffer.concat(parts));
        const frames = await decodedFrames(piece);
        expect(frames, `${stream.uri} entry ${i}`).toHaveLength(1);
        expect(frames[0]).toMatchObject({ key_frame: 1, pict_type: 'I', width: stream.resolution!.width, height: stream.resolution!.height });
      }

      // BANDWIDTH is the measured peak of the I-frame segments (RFC 8216 §4.3.4.2), recomputed here.
      const peak = measuredPeak(playlist.segments.map((s) => s.duration), playlist.segments.map((s) => s.byterange!.length), playlist.targetDuration);
      expect(Math.abs(stream.bandwidth - peak) / peak).toBeLessThan(0.01);
      expect(stream.bandwidth).toBeLessThan(variant.variant.bandwidth / 2);
    }
  });
});
