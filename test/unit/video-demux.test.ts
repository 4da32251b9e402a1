/**
 * The in-process video demuxer on real segments from ffmpeg, checked packet for packet against ffprobe
 * (what `verify` would otherwise run on every segment), and on bytes it must turn down without throwing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mp4Keyframes, mp4VideoTrack } from '../../src/core/playlist/mp4-keyframes.js';
import { tsKeyframes } from '../../src/core/playlist/ts-keyframes.js';
import { demuxVideoSegment, type DemuxedVideo } from '../../src/core/verify/video-demux.js';

let dir: string;
const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args]);
const hasX265 = execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' }).includes('libx265');
/** 3 s of 320x240 at 25 fps, closed GOPs of 30 frames. */
const SOURCE = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '3'];
const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-bf', '2', '-sc_threshold', '0'];
const HEVC = ['-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1', '-x265-params', 'keyint=30:min-keyint=30:scenecut=0:log-level=error'];
const HLS = ['-f', 'hls', '-hls_time', '1'];
const FMP4 = [...HLS, '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4'];

const path = (...parts: string[]) => join(dir, ...parts);
const read = (...parts: string[]) => readFileSync(path(...parts));
const segments = (sub: string, ext: string) =>
  readdirSync(path(sub))
    .filter((f) => f.endsWith(ext))
    .sort((a, b) => parseInt(a.replace(/\D/g, ''), 10) - parseInt(b.replace(/\D/g, ''), 10))
    .map((f) => read(sub, f));

/** Video packets as ffprobe lists them for these bytes. */
function probe(bytes: Uint8Array): { pts: number; key: boolean }[] {
  const file = path('probe.bin');
  writeFileSync(file, bytes);
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=pts_time,flags', '-select_streams', 'v', '-of', 'json', file], {
    encoding: 'utf8',
    // Cut-short samples make it complain ("partial file"); the packets are what count.
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return ((JSON.parse(out) as { packets?: { pts_time: string; flags: string }[] }).packets ?? []).map((p) => ({ pts: Number(p.pts_time), key: p.flags.includes('K') }));
}

/** Demuxes `bytes` and expects exactly ffprobe's packets; gives the result. */
function expectLikeFfprobe(bytes: Uint8Array, container: DemuxedVideo['container'], codec: DemuxedVideo['codec']): DemuxedVideo {
  const got = demuxVideoSegment(bytes);
  const want = probe(bytes);
  expect(got).toBeDefined();
  expect({ container: got!.container, codec: got!.codec }).toEqual({ container, codec });
  expect(want.length).toBeGreaterThan(0);
  expect(got!.packets).toHaveLength(want.length);
  got!.packets.forEach((p, i) => {
    // ffprobe prints six decimals.
    expect(Math.abs(p.pts - want[i]!.pts), `packet ${i}: ${p.pts} vs ${want[i]!.pts}`).toBeLessThan(1e-6);
    expect(p.key, `packet ${i} key`).toBe(want[i]!.key);
  });
  return got!;
}

/** Bytes with top-level boxes of `type` left out (a fragmented MP4's trailing mfra). */
function withoutBox(bytes: Buffer, type: string): Buffer {
  const kept: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += bytes.readUInt32BE(at)) if (bytes.toString('latin1', at + 4, at + 8) !== type) kept.push(bytes.subarray(at, at + bytes.readUInt32BE(at)));
  return Buffer.concat(kept);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hlsify-video-demux-'));
  const hls = (sub: string, args: string[], ext: string) => {
    execFileSync('mkdir', [path(sub)]);
    ffmpeg([...args, '-hls_segment_filename', path(sub, `seg_%d.${ext}`), path(sub, 'index.m3u8')]);
  };
  hls('ts', [...SOURCE, ...H264, ...HLS], 'ts');
  hls('audio', [...SOURCE, '-f', 'lavfi', '-i', 'sine', '-t', '3', ...H264, '-c:a', 'aac', ...HLS], 'ts');
  hls('fmp4', [...SOURCE, ...H264, ...FMP4], 'm4s');
  if (hasX265) {
    hls('hevc-ts', [...SOURCE, ...HEVC, ...HLS], 'ts');
    hls('hevc-fmp4', [...SOURCE, ...HEVC, ...FMP4], 'm4s');
  }
  // The mp4 muxer's own fragmenting: several moofs; trun version 1 with negative offsets; tfhd base-data-offset.
  ffmpeg([...SOURCE, ...H264, '-movflags', 'frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets', path('negative-cts.mp4')]);
  ffmpeg([...SOURCE, ...H264, '-movflags', 'frag_keyframe+empty_moov', path('base-offset.mp4')]);
  ffmpeg([...SOURCE, ...H264, '-omit_video_pes_length', '0', path('pes-length.ts')]);
  // 95,443.7 s is 2^33 at 90 kHz: one clip wraps inside, one ends 140 s before.
  ffmpeg([...SOURCE, ...H264, '-output_ts_offset', '95442', path('wraps.ts')]);
  ffmpeg([...SOURCE, ...H264, '-output_ts_offset', '95300', path('near-wrap.ts')]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-t', '1.2', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-g', '36', path('big.ts')]);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demuxVideoSegment on MPEG-TS', () => {
  it('reads H.264 segments of the hls muxer, B-frames and all, as ffprobe does', () => {
    const all = segments('ts', '.ts');
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const segment of all) {
      const { packets } = expectLikeFfprobe(segment, 'mpegts', 'h264');
      expect(packets[0]!.key).toBe(true);
      // Decode order, not presentation order: the B-frames come after the frame they precede.
      expect(packets.some((p, i) => i > 0 && p.pts < packets[i - 1]!.pts)).toBe(true);
    }
  });

  it('leaves a segment with audio muxed in to ffprobe', () => {
    for (const segment of segments('audio', '.ts')) expect(demuxVideoSegment(segment)).toBeUndefined();
  });

  it.skipIf(!hasX265)('reads HEVC segments', () => {
    for (const segment of segments('hevc-ts', '.ts')) expect(expectLikeFfprobe(segment, 'mpegts', 'hevc').packets[0]!.key).toBe(true);
  });

  it('reads an I-frame byte range behind the segment header', () => {
    const cases = [['ts', 'h264'] as const, ...(hasX265 ? [['hevc-ts', 'hevc'] as const] : [])];
    for (const [sub, codec] of cases) {
      for (const segment of segments(sub, '.ts')) {
        const { keyframes, headerLength } = tsKeyframes(segment);
        expect(keyframes.length).toBeGreaterThan(0);
        for (const k of keyframes) {
          const bytes = Buffer.concat([segment.subarray(0, headerLength), segment.subarray(k.offset, k.offset + k.length)]);
          expect(expectLikeFfprobe(bytes, 'mpegts', codec).packets).toEqual([{ pts: k.pts / 90_000, key: true }]);
        }
      }
    }
  });

  it('reads PES packets with a PES_packet_length, and TS cut at a packet boundary', () => {
    expectLikeFfprobe(read('pes-length.ts'), 'mpegts', 'h264');
    const segment = segments('ts', '.ts')[0]!;
    expectLikeFfprobe(segment.subarray(0, segment.length - 3 * 188), 'mpegts', 'h264');
    expect(demuxVideoSegment(segment.subarray(0, segment.length - 100))).toBeUndefined();
    // A PES_packet_length the bytes do not reach is a truncated PES.
    const bounded = read('pes-length.ts');
    expect(demuxVideoSegment(bounded.subarray(0, bounded.length - 188))).toBeUndefined();
    // The tail of a PES without its start, as when the segment header is missing.
    expect(demuxVideoSegment(segment.subarray(4 * 188))).toBeUndefined();
  });

  it('keeps the raw 33-bit PTS up to 60 s before the wrap, and leaves the wrap itself to ffprobe', () => {
    expect(expectLikeFfprobe(read('near-wrap.ts'), 'mpegts', 'h264').packets[0]!.pts).toBeGreaterThan(95_300);
    // Here ffprobe gives negative times (libavformat's pts wrap correction).
    expect(probe(read('wraps.ts'))[0]!.pts).toBeLessThan(0);
    expect(demuxVideoSegment(read('wraps.ts'))).toBeUndefined();
  });

  it('turns down scrambled packets', () => {
    const segment = Buffer.from(segments('ts', '.ts')[0]!);
    const { headerLength } = tsKeyframes(segment);
    segment[headerLength + 3] = segment[headerLength + 3]! | 0x80; // transport_scrambling_control on the first video packet
    expect(demuxVideoSegment(segment)).toBeUndefined();
  });

  it('reads a 5 MB 1080p segment in well under 20 ms', () => {
    const big = read('big.ts');
    expect(big.length).toBeGreaterThan(4_000_000);
    expectLikeFfprobe(big, 'mpegts', 'h264');
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      demuxVideoSegment(big);
      times.push(performance.now() - start);
    }
    // Warm, as over the segments of a ladder; generous for a loaded test machine.
    expect(Math.min(...times)).toBeLessThan(20);
  });
});

describe('demuxVideoSegment on fragmented MP4', () => {
  it('reads H.264 init + media segments of the hls muxer (styp, sidx, moof, mdat; a two-entry edit list)', () => {
    const init = read('fmp4', 'init.mp4');
    const all = segments('fmp4', '.m4s');
    for (const segment of all) expect(expectLikeFfprobe(Buffer.concat([init, segment]), 'mov', 'h264').packets[0]!.key).toBe(true);
    expectLikeFfprobe(Buffer.concat([init, ...all]), 'mov', 'h264');
  });

  it.skipIf(!hasX265)('reads HEVC (hvc1) segments', () => {
    const init = read('hevc-fmp4', 'init.mp4');
    for (const segment of segments('hevc-fmp4', '.m4s')) expectLikeFfprobe(Buffer.concat([init, segment]), 'mov', 'hevc');
  });

  it('reads an I-frame byte range: the moof and its mdat up to the end of the first sample', () => {
    const cases = [['fmp4', 'h264'] as const, ...(hasX265 ? [['hevc-fmp4', 'hevc'] as const] : [])];
    for (const [sub, codec] of cases) {
      const init = read(sub, 'init.mp4');
      for (const segment of segments(sub, '.m4s')) {
        const [k] = mp4Keyframes(segment, mp4VideoTrack(init));
        const range = (extra: number) => Buffer.concat([init, segment.subarray(k!.offset, k!.offset + k!.length + extra)]);
        expect(expectLikeFfprobe(range(0), 'mov', codec).packets).toHaveLength(1);
        // A sample partly there ffprobe lists cut short (and the first one so): not ours to guess.
        expect(probe(range(100))).toHaveLength(2);
        expect(demuxVideoSegment(range(100))).toBeUndefined();
        expect(demuxVideoSegment(range(-100))).toBeUndefined();
      }
    }
  });

  it('follows edit lists as ffmpeg does: a single edit, and an empty edit converted from the movie timescale', () => {
    const init = read('fmp4', 'init.mp4');
    const segment = segments('fmp4', '.m4s')[1]!;
    const elst = init.indexOf('elst') - 4;
    expect(init.readUInt32BE(elst)).toBe(40); // two entries: an empty edit, then the media from its first pts
    // 33 ms of empty edit is 422.4 ticks at 12,800 Hz: ffmpeg rounds to 422.
    const empty = Buffer.from(init);
    empty.writeUInt32BE(33, elst + 16);
    expectLikeFfprobe(Buffer.concat([empty, segment]), 'mov', 'h264');
    // One edit from media time 1024: the elst shrinks by one entry and a free box fills the edts.
    const single = Buffer.from(init);
    single.writeUInt32BE(28, elst);
    single.writeUInt32BE(1, elst + 12);
    single.writeUInt32BE(0, elst + 16);
    single.writeUInt32BE(1024, elst + 20);
    single.writeUInt32BE(0x10000, elst + 24);
    single.writeUInt32BE(12, elst + 28);
    single.write('free', elst + 32, 'latin1');
    expect(expectLikeFfprobe(Buffer.concat([single, segment]), 'mov', 'h264').packets[0]!.pts).toBeCloseTo(1.2, 6);
  });

  it('takes times from tfdt, not the sidx', () => {
    const init = read('fmp4', 'init.mp4');
    const segment = Buffer.from(segments('fmp4', '.m4s')[1]!);
    const sidx = segment.indexOf('sidx') - 4;
    segment.writeUInt32BE(0, sidx + 24); // earliest_presentation_time (version 1: its low 32 bits)
    expect(expectLikeFfprobe(Buffer.concat([init, segment]), 'mov', 'h264').packets[0]!.pts).toBeGreaterThan(1);
  });

  it("reads the mp4 muxer's fragments: several moofs, negative composition offsets, explicit base offsets", () => {
    for (const name of ['negative-cts.mp4', 'base-offset.mp4']) {
      const file = read(name);
      // The trailing mfra (whose times ffmpeg may prefer) is left to ffprobe.
      expect(demuxVideoSegment(file)).toBeUndefined();
      expectLikeFfprobe(withoutBox(file, 'mfra'), 'mov', 'h264');
    }
  });

  it('turns down a truncated or encrypted segment, and an init segment alone', () => {
    const init = read('fmp4', 'init.mp4');
    const segment = segments('fmp4', '.m4s')[0]!;
    expect(demuxVideoSegment(init)).toBeUndefined();
    expect(demuxVideoSegment(Buffer.concat([init, segment.subarray(0, segment.length - 100)]))).toBeUndefined();
    expect(demuxVideoSegment(Buffer.concat([init.subarray(0, init.length - 10), segment]))).toBeUndefined();
    const encrypted = Buffer.from(init);
    encrypted.write('encv', encrypted.indexOf('avc1'), 'latin1');
    expect(demuxVideoSegment(Buffer.concat([encrypted, segment]))).toBeUndefined();
  });
});

describe('demuxVideoSegment on other bytes', () => {
  it('gives undefined, never an exception', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) >>> 16) & 0xff;
    const garbage = Uint8Array.from({ length: 188 * 50 }, random);
    const synced = Uint8Array.from(garbage);
    for (let at = 0; at < synced.length; at += 188) synced[at] = 0x47;
    for (const bytes of [new Uint8Array(0), new Uint8Array(7), garbage, synced, Buffer.from('#EXTM3U\n'), new Uint8Array(188).fill(0x47)]) {
      expect(demuxVideoSegment(bytes)).toBeUndefined();
    }
    // Damaged real segments: each either turned down or read, but never a throw.
    const real = [segments('ts', '.ts')[0]!, Buffer.concat([read('fmp4', 'init.mp4'), segments('fmp4', '.m4s')[0]!])];
    for (const bytes of real) {
      for (let i = 0; i < 300; i++) {
        const copy = Uint8Array.from(bytes);
        for (let j = 0; j < 8; j++) copy[((random() << 16) | (random() << 8) | random()) % copy.length] = random();
        expect(() => demuxVideoSegment(copy.subarray(0, copy.length - (i % 3) * 188))).not.toThrow();
      }
    }
  });
});
