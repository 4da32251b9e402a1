/**
 * The TS and fMP4 keyframe parsers on real bytes from ffmpeg, checked against ffprobe's own packet
 * positions (an independent reader of the same files).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mp4Keyframes, mp4VideoTrack } from '../../src/core/playlist/mp4-keyframes.js';
import { tsKeyframes } from '../../src/core/playlist/ts-keyframes.js';

let dir: string;
const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args]);
/** 3 s of 160x90 video at 25 fps with a keyframe every second, and a sine tone. */
const SOURCE = ['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-f', 'lavfi', '-i', 'sine', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-sc_threshold', '0', '-c:a', 'aac'];

/** Video packets as ffprobe sees them: byte position, size, keyframe flag, pts in seconds. */
function probePackets(path: string): { pos: number; size: number; key: boolean; pts: number }[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pos,size,flags,pts_time', '-of', 'json', path], { encoding: 'utf8' });
  return (JSON.parse(out) as { packets: { pos: string; size: string; flags: string; pts_time: string }[] }).packets.map((p) => ({
    pos: Number(p.pos),
    size: Number(p.size),
    key: p.flags.includes('K'),
    pts: Number(p.pts_time),
  }));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hlsify-keyframe-ranges-'));
  ffmpeg([...SOURCE, '-f', 'mpegts', join(dir, 'clip.ts')]);
  ffmpeg([...SOURCE, '-f', 'hls', '-hls_time', '10', '-hls_segment_type', 'fmp4', '-hls_segment_filename', join(dir, 'seg_%d.m4s'), join(dir, 'index.m3u8')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tsKeyframes', () => {
  it('finds every keyframe where ffprobe does, each range running to the next video frame', () => {
    const data = readFileSync(join(dir, 'clip.ts'));
    const packets = probePackets(join(dir, 'clip.ts')).sort((a, b) => a.pos - b.pos);
    const { keyframes, headerLength } = tsKeyframes(data);
    const keys = packets.filter((p) => p.key);
    expect(keyframes).toHaveLength(3);
    expect(headerLength).toBe(3 * 188); // SDT, PAT, PMT
    keyframes.forEach((k, i) => {
      const key = keys[i]!;
      // The range starts at the PAT/PMT ffmpeg repeats before each keyframe, then the keyframe's PES.
      expect(key.pos - k.offset).toBeGreaterThanOrEqual(2 * 188);
      expect(key.pos - k.offset).toBeLessThanOrEqual(3 * 188);
      expect(k.selfContained).toBe(true);
      const next = packets[packets.indexOf(key) + 1];
      expect(k.offset + k.length).toBe(next ? next.pos : data.length);
      expect(k.pts / 90_000).toBeCloseTo(key.pts, 4);
    });
  });

  it('marks ranges without a PAT/PMT before them as needing the segment header', () => {
    const data = readFileSync(join(dir, 'clip.ts'));
    const first = tsKeyframes(data).keyframes[1]!;
    // Keep the header, drop the PAT/PMT repeated before the second keyframe by blanking them as null packets.
    const copy = Uint8Array.from(data);
    for (let at = first.offset; at < first.offset + 2 * 188; at += 188) {
      copy[at + 1] = 0x1f;
      copy[at + 2] = 0xff;
    }
    const again = tsKeyframes(copy).keyframes[1]!;
    expect(again.selfContained).toBe(false);
    expect(again.offset).toBeGreaterThan(first.offset);
  });

  it('rejects bytes that are not MPEG-TS', () => {
    expect(() => tsKeyframes(new Uint8Array(188))).toThrow(/no 0x47 sync byte/);
    expect(() => tsKeyframes(new Uint8Array(100))).toThrow(/188-byte packets/);
  });
});

describe('mp4Keyframes', () => {
  it('reads the video track of the init segment', () => {
    expect(mp4VideoTrack(readFileSync(join(dir, 'init.mp4')))).toEqual({ trackId: 1, timescale: 12800 });
  });

  it('gives the moof through the end of the keyframe that starts the fragment, where ffprobe puts it', () => {
    const init = readFileSync(join(dir, 'init.mp4'));
    const segment = readFileSync(join(dir, 'seg_0.m4s'));
    const joined = join(dir, 'joined.mp4');
    writeFileSync(joined, Buffer.concat([init, segment]));
    const first = probePackets(joined).sort((a, b) => a.pos - b.pos)[0]!;
    expect(first.key).toBe(true);
    const keyframes = mp4Keyframes(segment, mp4VideoTrack(init));
    expect(keyframes).toHaveLength(1);
    const [k] = keyframes;
    const moof = segment.indexOf('moof') - 4;
    expect(k!.offset).toBe(moof);
    expect(k!.offset + k!.length).toBe(first.pos - init.length + first.size);
    // ffprobe shifts by the edit list ffmpeg writes for the audio priming; within a frame either way.
    expect(Math.abs(k!.pts / 12800 - first.pts)).toBeLessThan(1 / 25);
  });

  it('finds nothing for another track id, and rejects a broken box', () => {
    const segment = readFileSync(join(dir, 'seg_0.m4s'));
    expect(mp4Keyframes(segment, { trackId: 9, timescale: 1 })).toEqual([]);
    expect(() => mp4Keyframes(segment.subarray(0, segment.indexOf('moof') + 100), { trackId: 1, timescale: 1 })).toThrow(/runs past/);
  });
});
