import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { ffprobeOutputSchema, type FfprobeOutput } from '../../src/core/probe/ffprobe-schema.js';
import { bitDepthOf, mediaInfoFromFfprobe, parseRate, rotationOf } from '../../src/core/probe/media-info-from-ffprobe.js';
import { inputHardeningArgs, inputUrl } from '../../src/core/tools/hardening.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hlsify-probe-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const lavfiVideo = (size: string, rate: string) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=1`];
const lavfiAudio = (sampleRate: number) => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${sampleRate}:duration=1`];
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];

/** Runs ffmpeg with `args` writing `name` in the temp dir; returns the file's path. */
function make(name: string, args: string[]): string {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args, path]);
  return path;
}

/** Probes `path` as probeInput does and validates the JSON with the same schema. */
function ffprobe(path: string): FfprobeOutput {
  const json = execFileSync('ffprobe', ['-hide_banner', '-v', 'error', ...inputHardeningArgs(), '-of', 'json', '-show_format', '-show_streams', inputUrl(path)], {
    encoding: 'utf8',
  });
  return ffprobeOutputSchema.parse(JSON.parse(json));
}

function probe(path: string) {
  return mediaInfoFromFfprobe(ffprobe(path), path, statSync(path).size);
}

describe('mediaInfoFromFfprobe on real ffprobe output', () => {
  it('reads a plain 1280x720 25 fps clip with stereo 48 kHz audio', () => {
    const path = make('plain.mp4', [...lavfiVideo('1280x720', '25'), ...lavfiAudio(48000), ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2']);
    const info = probe(path);
    expect(info.path).toBe(path);
    expect(info.size).toBe(statSync(path).size);
    expect(info.format).toContain('mp4');
    expect(info.duration).toBeCloseTo(1, 1);
    expect(info.bitrate).toBeGreaterThan(0);
    expect(info.video).toMatchObject({ index: 0, codec: 'h264', codedWidth: 1280, codedHeight: 720, displayWidth: 1280, displayHeight: 720, rotation: 0, fps: 25, pixFmt: 'yuv420p', bitDepth: 8 });
    expect(info.audio).toMatchObject({ index: 1, codec: 'aac', channels: 2, sampleRate: 48000 });
  });

  it('reads the NTSC rate 30000/1001 exactly', () => {
    const info = probe(make('ntsc.mp4', [...lavfiVideo('320x240', '30000/1001'), ...x264]));
    expect(info.video.fps).toBeCloseTo(30000 / 1001, 9);
  });

  it('swaps the display size of a clip with a 90° display matrix (a phone held upright)', () => {
    const stored = make('stored.mp4', [...lavfiVideo('640x360', '30'), ...x264]);
    const path = make('rotated.mp4', ['-i', stored, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
    const info = probe(path);
    expect(info.video.rotation === 90 || info.video.rotation === 270).toBe(true);
    expect(info.video).toMatchObject({ codedWidth: 640, codedHeight: 360, displayWidth: 360, displayHeight: 640 });
  });

  it('normalises a -90° display matrix to 270 and swaps the display size', () => {
    const stored = make('stored.mp4', [...lavfiVideo('640x360', '30'), ...x264]);
    const ffprobeJson = ffprobe(make('rotated.mp4', ['-i', stored, '-c', 'copy', '-metadata:s:v:0', 'rotate=270']));
    expect(ffprobeJson.streams[0]!.side_data_list?.[0]?.rotation).toBe(-90);
    const info = mediaInfoFromFfprobe(ffprobeJson, 'x', 1);
    expect(info.video).toMatchObject({ rotation: 270, displayWidth: 360, displayHeight: 640 });
  });

  it('applies a non-square sample aspect ratio (PAL 720x576 at 16:15 displays as 768x576)', () => {
    const info = probe(make('anamorphic.mp4', [...lavfiVideo('720x576', '25'), '-vf', 'setsar=16/15', ...x264]));
    expect(info.video).toMatchObject({ codedWidth: 720, codedHeight: 576, displayWidth: 768, displayHeight: 576 });
  });

  it('applies the sample aspect ratio before swapping a rotated anamorphic clip', () => {
    const stored = make('anamorphic.mp4', [...lavfiVideo('720x576', '25'), '-vf', 'setsar=16/15', ...x264]);
    const info = probe(make('rotated.mp4', ['-i', stored, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']));
    expect(info.video).toMatchObject({ displayWidth: 576, displayHeight: 768 });
  });

  it('reads 10-bit video as bit depth 10, also from the pixel format alone', () => {
    const json = ffprobe(make('10bit.mkv', [...lavfiVideo('320x240', '25'), ...x264, '-pix_fmt', 'yuv420p10le']));
    expect(mediaInfoFromFfprobe(json, 'x', 1).video).toMatchObject({ pixFmt: 'yuv420p10le', bitDepth: 10 });
    const withoutRawBits = { ...json, streams: json.streams.map(({ bits_per_raw_sample: _, ...stream }) => stream) };
    expect(mediaInfoFromFfprobe(withoutRawBits, 'x', 1).video.bitDepth).toBe(10);
  });

  it('reads mono 44.1 kHz audio', () => {
    const info = probe(make('mono.mkv', [...lavfiVideo('320x240', '25'), ...lavfiAudio(44100), ...x264, '-c:a', 'pcm_s16le', '-ac', '1']));
    expect(info.audio).toMatchObject({ channels: 1, sampleRate: 44100 });
  });

  it('has no audio for a silent video', () => {
    expect(probe(make('silent.mp4', [...lavfiVideo('320x240', '25'), ...x264])).audio).toBeUndefined();
  });

  it('rejects an audio file with cover art as having no video stream', () => {
    const cover = make('cover.png', ['-f', 'lavfi', '-i', 'color=red:size=64x64', '-frames:v', '1']);
    const path = make('song.m4a', [...lavfiAudio(44100), '-i', cover, '-map', '0', '-map', '1', '-c:a', 'aac', '-c:v', 'png', '-disposition:v:0', 'attached_pic']);
    const json = ffprobe(path);
    expect(json.streams.some((s) => s.codec_type === 'video' && s.disposition?.attached_pic === 1)).toBe(true);
    expect(() => mediaInfoFromFfprobe(json, path, statSync(path).size)).toThrow(InputError);
    expect(() => mediaInfoFromFfprobe(json, path, statSync(path).size)).toThrow(/no video stream/);
  });

  it('skips cover art listed before the real video stream', () => {
    const cover = make('cover.png', ['-f', 'lavfi', '-i', 'color=red:size=64x64', '-frames:v', '1']);
    const path = make('with-cover.mp4', [
      ...lavfiVideo('320x240', '25'), ...lavfiAudio(44100), '-i', cover,
      '-map', '0', '-map', '1', '-map', '2', '-c:v:0', 'libx264', '-preset', 'ultrafast', '-c:v:1', 'png', '-disposition:v:1', 'attached_pic', '-c:a', 'aac',
    ]);
    const json = ffprobe(path);
    const coverFirst = { ...json, streams: [...json.streams].sort((a, b) => (b.disposition?.attached_pic ?? 0) - (a.disposition?.attached_pic ?? 0)) };
    expect(coverFirst.streams[0]!.disposition?.attached_pic).toBe(1);
    const info = mediaInfoFromFfprobe(coverFirst, path, 1);
    expect(info.video).toMatchObject({ codec: 'h264', displayWidth: 320, displayHeight: 240 });
    expect(info.video.index).toBe(json.streams.find((s) => s.codec_name === 'h264')!.index);
  });

  it('rejects an audio-only file with an InputError (exit code 1)', () => {
    const path = make('audio.mp4', [...lavfiAudio(48000), '-c:a', 'aac']);
    let caught: unknown;
    try {
      probe(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).exitCode).toBe(1);
    expect((caught as InputError).message).toMatch(/no video stream/);
  });
});

describe('mediaInfoFromFfprobe on edited ffprobe output', () => {
  const base = (stream: Record<string, unknown>, format: Record<string, unknown> = {}): FfprobeOutput =>
    ffprobeOutputSchema.parse({
      streams: [{ index: 0, codec_type: 'video', codec_name: 'h264', width: 640, height: 360, avg_frame_rate: '25/1', r_frame_rate: '25/1', pix_fmt: 'yuv420p', duration: '4.0', ...stream }],
      format: { format_name: 'matroska,webm', duration: '4.0', ...format },
    });

  it('falls back to the nominal rate when the average is 0/0', () => {
    expect(mediaInfoFromFfprobe(base({ avg_frame_rate: '0/0', r_frame_rate: '24000/1001' }), 'x', 1).video.fps).toBeCloseTo(23.976, 3);
  });

  it('rejects a video without a frame rate or a frame size', () => {
    expect(() => mediaInfoFromFfprobe(base({ avg_frame_rate: '0/0', r_frame_rate: '0/0' }), 'x', 1)).toThrow(/frame rate/);
    expect(() => mediaInfoFromFfprobe(base({ avg_frame_rate: '90000/1', r_frame_rate: '90000/1' }), 'x', 1)).toThrow(InputError);
    expect(() => mediaInfoFromFfprobe(base({ width: 0 }), 'x', 1)).toThrow(/frame size/);
  });

  it('uses the container duration when the stream has none, and rejects an unknown duration', () => {
    expect(mediaInfoFromFfprobe(base({ duration: undefined }, { duration: '7.5' }), 'x', 1).duration).toBe(7.5);
    expect(() => mediaInfoFromFfprobe(base({ duration: undefined }, { duration: undefined }), 'x', 1)).toThrow(/duration is unknown/);
  });

  it('estimates the bit rate from the file size when the container does not declare one', () => {
    expect(mediaInfoFromFfprobe(base({}), 'x', 1_000_000).bitrate).toBe(2_000_000);
    expect(mediaInfoFromFfprobe(base({}, { bit_rate: '3000000' }), 'x', 1_000_000).bitrate).toBe(3_000_000);
  });
});

describe('parseRate', () => {
  it('reads fractions and plain numbers', () => {
    expect(parseRate('30000/1001')).toBeCloseTo(29.97003, 5);
    expect(parseRate('25/1')).toBe(25);
    expect(parseRate('25')).toBe(25);
    expect(parseRate('16:15'.replace(':', '/'))).toBeCloseTo(16 / 15, 9);
  });

  it('is undefined for 0/0, 0, garbage and nothing', () => {
    expect(parseRate('0/0')).toBeUndefined();
    expect(parseRate('0')).toBeUndefined();
    expect(parseRate('N/A')).toBeUndefined();
    expect(parseRate('')).toBeUndefined();
    expect(parseRate(undefined)).toBeUndefined();
  });
});

describe('bitDepthOf and rotationOf', () => {
  it('reads the bit depth from bits_per_raw_sample, else from the pixel format, else 8', () => {
    expect(bitDepthOf({ bits_per_raw_sample: 10, pix_fmt: 'yuv420p' })).toBe(10);
    expect(bitDepthOf({ pix_fmt: 'yuv420p10le' })).toBe(10);
    expect(bitDepthOf({ pix_fmt: 'yuv422p12be' })).toBe(12);
    expect(bitDepthOf({ pix_fmt: 'yuv420p' })).toBe(8);
    expect(bitDepthOf({})).toBe(8);
  });

  it('prefers the display matrix over the old rotate tag and normalises to 0-270', () => {
    expect(rotationOf({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }], tags: { rotate: '180' } })).toBe(270);
    expect(rotationOf({ tags: { rotate: '90' } })).toBe(90);
    expect(rotationOf({ side_data_list: [{ rotation: 180 }] })).toBe(180);
    expect(rotationOf({ side_data_list: [{ rotation: -180 }] })).toBe(180);
    expect(rotationOf({ tags: { rotate: 'sideways' } })).toBe(0);
    expect(rotationOf({})).toBe(0);
  });
});

describe('mediaInfoFromFfprobe: source treatment facts', () => {
  it('reads field order, colour tags and the nominal rate', () => {
    const path = make('tagged.mp4', [
      ...lavfiVideo('320x240', '25'), '-vf', 'interlace', '-flags', '+ilme+ildct', '-field_order', 'tt', ...x264,
      '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv',
    ]);
    expect(probe(path).video).toMatchObject({ fieldOrder: 'tt', nominalFps: 12.5, colour: { range: 'tv', matrix: 'bt709', transfer: 'bt709', primaries: 'bt709' } });
  });

  it('leaves untagged colour undefined', () => {
    const info = probe(make('untagged.mp4', [...lavfiVideo('320x240', '25'), ...x264]));
    expect(info.video.colour).toEqual({ range: undefined, matrix: undefined, transfer: undefined, primaries: undefined });
  });

  it('takes the duration from the video stream, not from longer audio (Matroska: the DURATION tag)', () => {
    const path = make('long-audio.mkv', ['-f', 'lavfi', '-t', '1', '-i', 'testsrc2=size=160x120:rate=25', '-f', 'lavfi', '-t', '3', '-i', 'sine=sample_rate=48000', ...x264, '-c:a', 'aac']);
    const info = probe(path);
    expect(info.video.streamDuration).toBeCloseTo(1, 1);
    expect(info.duration).toBeCloseTo(1, 1);
  });
});
