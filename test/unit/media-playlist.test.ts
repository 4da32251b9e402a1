import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMediaPlaylist, targetDurationFor, withTargetDuration } from '../../src/core/playlist/media-playlist.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hlsify-media-playlist-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A real ffmpeg 5 media playlist: 5 s of 25 fps video, keyframes every 2 s, 2 s segments. */
function ffmpegPlaylist(segmentType: 'mpegts' | 'fmp4'): string {
  const extension = segmentType === 'fmp4' ? 'm4s' : 'ts';
  execFileSync('ffmpeg', [
    '-nostdin', '-v', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=5',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
    '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_flags', 'independent_segments',
    '-hls_segment_type', segmentType,
    ...(segmentType === 'fmp4' ? ['-hls_fmp4_init_filename', 'init.mp4'] : []),
    '-hls_segment_filename', join(dir, `segment_%05d.${extension}`),
    join(dir, 'index.m3u8'),
  ]);
  return readFileSync(join(dir, 'index.m3u8'), 'utf8');
}

describe('parseMediaPlaylist on real ffmpeg output', () => {
  it('reads an MPEG-TS playlist: segments, durations, target duration, end', () => {
    const playlist = parseMediaPlaylist(ffmpegPlaylist('mpegts'));
    expect(playlist.segments.map((s) => s.uri)).toEqual(['segment_00000.ts', 'segment_00001.ts', 'segment_00002.ts']);
    expect(playlist.segments.map((s) => s.duration)).toEqual([2, 2, 1]);
    expect(playlist.targetDuration).toBe(2);
    expect(playlist.ended).toBe(true);
    expect(playlist.initUri).toBeUndefined();
    expect(playlist.version).toBeGreaterThanOrEqual(3);
  });

  it('reads an fMP4 playlist’s init segment', () => {
    const playlist = parseMediaPlaylist(ffmpegPlaylist('fmp4'));
    expect(playlist.initUri).toBe('init.mp4');
    expect(playlist.segments.map((s) => s.uri)).toEqual(['segment_00000.m4s', 'segment_00001.m4s', 'segment_00002.m4s']);
    expect(playlist.version).toBeGreaterThanOrEqual(6);
    expect(playlist.ended).toBe(true);
  });
});

describe('parseMediaPlaylist', () => {
  it('notices a playlist without #EXT-X-ENDLIST (an encode that stopped early)', () => {
    const playlist = parseMediaPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.000000,\nsegment_00000.ts\n');
    expect(playlist.ended).toBe(false);
    expect(playlist.segments).toEqual([{ uri: 'segment_00000.ts', duration: 6 }]);
    expect(playlist.version).toBe(1);
  });

  it('reads CRLF playlists', () => {
    const playlist = parseMediaPlaylist('#EXTM3U\r\n#EXT-X-VERSION:3\r\n#EXT-X-TARGETDURATION:6\r\n#EXTINF:5.5,\r\na.ts\r\n#EXT-X-ENDLIST\r\n');
    expect(playlist).toEqual({ version: 3, targetDuration: 6, segments: [{ uri: 'a.ts', duration: 5.5 }], initUri: undefined, ended: true });
  });

  it('rejects text that is not a playlist, and a segment without a duration', () => {
    expect(() => parseMediaPlaylist('hello\n')).toThrow(/#EXTM3U/);
    expect(() => parseMediaPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:6\na.ts\n')).toThrow(/a\.ts/);
  });
});

describe('withTargetDuration', () => {
  it('raises ffmpeg 5.1\'s TARGETDURATION:4 over 4.5 s segments (it rounds half to even) to 5', () => {
    // Keyframes every 4.5 s (2 fps, GOP 9) with hls_time 4: every segment is 4.5 s long.
    execFileSync('ffmpeg', [
      '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=2:duration=9',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '9', '-keyint_min', '9', '-sc_threshold', '0',
      '-f', 'hls', '-hls_time', '4', '-hls_playlist_type', 'vod', '-hls_segment_filename', join(dir, 's%d.ts'), join(dir, 'index.m3u8'),
    ]);
    const text = readFileSync(join(dir, 'index.m3u8'), 'utf8');
    expect(parseMediaPlaylist(text).targetDuration).toBe(4);
    const fixed = parseMediaPlaylist(withTargetDuration(text));
    expect(fixed.segments.map((s) => s.duration)).toEqual([4.5, 4.5]);
    expect(fixed.targetDuration).toBe(5);
  });

  it('leaves a correct playlist as it is', () => {
    const text = ffmpegPlaylist('mpegts');
    expect(withTargetDuration(text)).toBe(text);
  });

  it('rounds each EXTINF to the nearest integer, half up (RFC 8216 §4.3.3.1)', () => {
    expect(targetDurationFor([5.49, 2])).toBe(5);
    expect(targetDurationFor([5.5, 6.2])).toBe(6);
    expect(targetDurationFor([0.2])).toBe(1);
  });
});
