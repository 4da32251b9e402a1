import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AAC_LC, avcCodecFromAnnexB, avcCodecFromInitSegment } from '../../src/core/playlist/codecs.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hlsify-codecs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Encodes a 1 s 640x360 clip with audio into an HLS rendition in `dir`, as hlsify's encode does. (Not
 * ultrafast: it turns off CABAC and 8x8 transforms, so x264 writes Constrained Baseline whatever -profile:v says.)
 */
function encodeHls(segmentType: 'mpegts' | 'fmp4', profile: string, level: string): string[] {
  const extension = segmentType === 'fmp4' ? 'm4s' : 'ts';
  execFileSync('ffmpeg', [
    '-nostdin', '-v', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=1',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=1',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', profile, '-level:v', level, '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k',
    '-f', 'hls', '-hls_time', '1', '-hls_playlist_type', 'vod', '-hls_segment_type', segmentType,
    ...(segmentType === 'fmp4' ? ['-hls_fmp4_init_filename', 'init.mp4'] : []),
    '-hls_segment_filename', join(dir, `segment_%05d.${extension}`),
    join(dir, 'index.m3u8'),
  ]);
  return readdirSync(dir).sort();
}

describe('avcCodecFromAnnexB on a real MPEG-TS segment', () => {
  it('reads High@3.0 as avc1.64001e', () => {
    encodeHls('mpegts', 'high', '3.0');
    expect(avcCodecFromAnnexB(readFileSync(join(dir, 'segment_00000.ts')))).toBe('avc1.64001e');
  });

  it('reads Main@3.1 with x264’s constraint_set1 flag as avc1.4d401f', () => {
    encodeHls('mpegts', 'main', '3.1');
    expect(avcCodecFromAnnexB(readFileSync(join(dir, 'segment_00000.ts')))).toBe('avc1.4d401f');
  });

  it('reads High@4.0 from the first 64 KiB of the segment, as the measurement does', () => {
    encodeHls('mpegts', 'high', '4.0');
    expect(avcCodecFromAnnexB(readFileSync(join(dir, 'segment_00000.ts')).subarray(0, 64 * 1024))).toBe('avc1.640028');
  });
});

describe('avcCodecFromInitSegment on a real fMP4 init segment', () => {
  it('reads High@3.0 as avc1.64001e', () => {
    const files = encodeHls('fmp4', 'high', '3.0');
    expect(files).toContain('init.mp4');
    expect(avcCodecFromInitSegment(readFileSync(join(dir, 'init.mp4')))).toBe('avc1.64001e');
  });

  it('reads Main@3.1 as avc1.4d401f, the same as the MPEG-TS reading', () => {
    encodeHls('fmp4', 'main', '3.1');
    expect(avcCodecFromInitSegment(readFileSync(join(dir, 'init.mp4')))).toBe('avc1.4d401f');
  });

  it('finds nothing in an fMP4 media segment, which has no avcC', () => {
    encodeHls('fmp4', 'high', '3.0');
    expect(avcCodecFromInitSegment(readFileSync(join(dir, 'segment_00000.m4s')))).toBeUndefined();
  });
});

describe('avcCodecFromAnnexB on hand-built bytes', () => {
  it('reads the SPS after a 4-byte start code', () => {
    expect(avcCodecFromAnnexB(Uint8Array.from([0x00, 0x00, 0x00, 0x01, 0x67, 0x64, 0x00, 0x28, 0xac]))).toBe('avc1.640028');
  });

  it('skips other NAL units (an access unit delimiter) before the SPS', () => {
    const bytes = [0x00, 0x00, 0x00, 0x01, 0x09, 0xf0, 0x00, 0x00, 0x00, 0x01, 0x67, 0x4d, 0x40, 0x1f, 0xe8];
    expect(avcCodecFromAnnexB(Uint8Array.from(bytes))).toBe('avc1.4d401f');
  });

  it('recognises an SPS whatever its nal_ref_idc', () => {
    expect(avcCodecFromAnnexB(Uint8Array.from([0x00, 0x00, 0x01, 0x27, 0x42, 0xc0, 0x1e, 0x00]))).toBe('avc1.42c01e');
  });

  it('writes each byte as two lowercase hex digits', () => {
    expect(avcCodecFromAnnexB(Uint8Array.from([0x00, 0x00, 0x01, 0x67, 0x0a, 0x0b, 0x0c, 0x00]))).toBe('avc1.0a0b0c');
  });

  it('finds nothing without an SPS, or when the SPS is cut before its level byte', () => {
    expect(avcCodecFromAnnexB(new Uint8Array(0))).toBeUndefined();
    expect(avcCodecFromAnnexB(Uint8Array.from([0x00, 0x00, 0x01, 0x68, 0xee, 0x3c, 0x80, 0x00]))).toBeUndefined();
    expect(avcCodecFromAnnexB(Uint8Array.from([0x00, 0x00, 0x01, 0x67, 0x64, 0x00]))).toBeUndefined();
  });
});

describe('avcCodecFromInitSegment on hand-built bytes', () => {
  it('reads profile, compatibility and level after the avcC configurationVersion', () => {
    const avcC = [0x00, 0x00, 0x00, 0x2f, 0x61, 0x76, 0x63, 0x43, 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1];
    expect(avcCodecFromInitSegment(Uint8Array.from(avcC))).toBe('avc1.64001f');
  });

  it('finds nothing in bytes without an avcC box', () => {
    expect(avcCodecFromInitSegment(new TextEncoder().encode('....ftypisom....moov....trak....hvcC\x01\x01\x60\x00\x00'))).toBeUndefined();
  });
});

describe('AAC_LC', () => {
  it('is the RFC 6381 codec string for AAC-LC', () => {
    expect(AAC_LC).toBe('mp4a.40.2');
  });
});
