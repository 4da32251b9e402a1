import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize, readEnv } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';

/** The UsageError readEnv throws for `env`. */
function envError(env: NodeJS.ProcessEnv): UsageError {
  try {
    readEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`readEnv accepted ${JSON.stringify(env)}`);
}

describe('readEnv', () => {
  it('rejects an unknown FFMPEG_PRESET, naming the variable and every accepted preset', () => {
    const error = envError({ FFMPEG_PRESET: 'fastest' });
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('FFMPEG_PRESET');
    expect(error.message).toContain('ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow');
  });

  it('rejects FFMPEG_CRF=99, naming the variable and the accepted range', () => {
    const error = envError({ FFMPEG_CRF: '99' });
    expect(error.message).toContain('FFMPEG_CRF');
    expect(error.message).toContain('0 to 51');
    expect(envError({ FFMPEG_CRF: '23.5' }).message).toContain('FFMPEG_CRF');
    expect(envError({ FFMPEG_CRF: '-1' }).message).toContain('FFMPEG_CRF');
  });

  it('rejects MIN_DISK_SPACE=lots, naming the variable, the value and example sizes', () => {
    const error = envError({ MIN_DISK_SPACE: 'lots' });
    expect(error.message).toContain('MIN_DISK_SPACE');
    expect(error.message).toContain('"lots"');
    expect(error.message).toMatch(/500MB|2GiB/);
  });

  it('rejects a zero or malformed MAX_PROCESSING_TIME and a bad MAX_VIDEO_SIZE', () => {
    expect(envError({ MAX_PROCESSING_TIME: '0' }).message).toContain('MAX_PROCESSING_TIME');
    expect(envError({ MAX_PROCESSING_TIME: 'a while' }).message).toContain('MAX_PROCESSING_TIME');
    expect(envError({ MAX_VIDEO_SIZE: '10 bananas' }).message).toContain('MAX_VIDEO_SIZE');
    expect(envError({ FFMPEG_THREADS: '65' }).message).toContain('FFMPEG_THREADS');
  });

  it('reports every bad variable at once', () => {
    const message = envError({ FFMPEG_PRESET: 'fastest', FFMPEG_CRF: '99', MIN_DISK_SPACE: 'lots' }).message;
    for (const name of ['FFMPEG_PRESET', 'FFMPEG_CRF', 'MIN_DISK_SPACE']) expect(message).toContain(name);
  });

  it('reads valid values into resolved types', () => {
    expect(
      readEnv({
        FFMPEG_THREADS: '4',
        FFMPEG_PRESET: 'veryfast',
        FFMPEG_CRF: '23',
        MAX_VIDEO_SIZE: '2GiB',
        MAX_PROCESSING_TIME: '30m',
        MIN_DISK_SPACE: '500MB',
        HLSIFY_FFMPEG: '/opt/ffmpeg/bin/ffmpeg',
        HLSIFY_TMP_DIR: '/scratch',
      }),
    ).toEqual({
      FFMPEG_THREADS: 4,
      FFMPEG_PRESET: 'veryfast',
      FFMPEG_CRF: 23,
      MAX_VIDEO_SIZE: 2 * 1024 ** 3,
      MAX_PROCESSING_TIME: 1800,
      MIN_DISK_SPACE: 500_000_000,
      HLSIFY_FFMPEG: '/opt/ffmpeg/bin/ffmpeg',
      HLSIFY_FFPROBE: undefined,
      HLSIFY_TMP_DIR: '/scratch',
    });
  });

  it('treats unset and empty variables as "use the default"', () => {
    const settings = readEnv({ FFMPEG_PRESET: '', FFMPEG_CRF: '', MIN_DISK_SPACE: '' });
    expect(Object.values(settings).every((value) => value === undefined)).toBe(true);
  });

  it('ignores variables that are not its own', () => {
    expect(() => readEnv({ PATH: '/usr/bin', HOME: '/root', FFMPEG_OTHER: 'x' })).not.toThrow();
  });
});

describe('parseSize', () => {
  it('reads bytes, decimal and binary units, case-insensitively', () => {
    expect(parseSize('1073741824')).toBe(1024 ** 3);
    expect(parseSize('500MB')).toBe(500_000_000);
    expect(parseSize('500mb')).toBe(500_000_000);
    expect(parseSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseSize('1.5 GB')).toBe(1_500_000_000);
    expect(parseSize('10k')).toBe(10_000);
    expect(parseSize('1TiB')).toBe(1024 ** 4);
    expect(parseSize(' 7 ')).toBe(7);
  });

  it('is undefined for anything else', () => {
    for (const text of ['lots', '', '-5MB', '5 XB', 'MB', '1,5GB', '0x10']) expect(parseSize(text), text).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it('reads seconds, with or without a unit', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('30min')).toBe(1800);
    expect(parseDuration('2h')).toBe(7200);
    expect(parseDuration('1500ms')).toBe(1.5);
    expect(parseDuration('1.5h')).toBe(5400);
  });

  it('is undefined for anything else', () => {
    for (const text of ['soon', '', '5d', '-30s', 'h', '1h30m']) expect(parseDuration(text), text).toBeUndefined();
  });
});

describe('HLSIFY_MIN_SPEED', () => {
  it('reads the speed floor; empty is the default', () => {
    expect(readEnv({ HLSIFY_MIN_SPEED: '1.5' }).HLSIFY_MIN_SPEED).toBe(1.5);
    expect(readEnv({ HLSIFY_MIN_SPEED: '0' }).HLSIFY_MIN_SPEED).toBe(0);
    expect(readEnv({ HLSIFY_MIN_SPEED: '' }).HLSIFY_MIN_SPEED).toBeUndefined();
  });

  it('rejects a malformed floor, naming the variable', () => {
    expect(envError({ HLSIFY_MIN_SPEED: 'quick' }).message).toMatch(/HLSIFY_MIN_SPEED: expected a speed in x realtime/);
  });
});
