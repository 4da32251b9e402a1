import { describe, expect, it } from 'vitest';
import { ladderSchema, parseFlags, transcodeFlagsSchema } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';

/** The UsageError parseFlags throws for `raw`. */
function flagError(raw: Record<string, unknown>): UsageError {
  try {
    parseFlags(transcodeFlagsSchema, raw);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`parseFlags accepted ${JSON.stringify(raw)}`);
}

describe('ladderSchema', () => {
  it('reads rung heights with optional bit rates', () => {
    expect(ladderSchema.parse('1080,720:2800k')).toEqual([{ size: 1080, bitrate: undefined }, { size: 720, bitrate: 2_800_000 }]);
  });

  it('accepts a trailing p, M and plain b/s bit rates, and spaces after commas', () => {
    expect(ladderSchema.parse('1080p:5M, 480p, 360:800000')).toEqual([
      { size: 1080, bitrate: 5_000_000 },
      { size: 480, bitrate: undefined },
      { size: 360, bitrate: 800_000 },
    ]);
  });

  it.each(['abc', '32', '5000', '720:fast', '720:10k', '720:200M', '720x480', '-720', '720:'])('rejects the rung "%s" and says what a rung looks like', (text) => {
    const result = ladderSchema.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('is not a rung');
    expect(result.error?.issues[0]?.message).toContain('720:2800k');
  });

  it('rejects an empty ladder', () => {
    for (const text of ['', ',,']) {
      const result = ladderSchema.safeParse(text);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toContain('at least one rung');
    }
  });
});

describe('parseFlags', () => {
  it('turns commander’s strings into resolved values', () => {
    expect(
      parseFlags(transcodeFlagsSchema, {
        output: 'out',
        ladder: '720,360:600k',
        preset: 'fast',
        crf: '23',
        segmentDuration: '4',
        segmentType: 'fmp4',
        processes: '2',
        threads: '0',
        timeout: '2h',
        quiet: true,
      }),
    ).toEqual({
      output: 'out',
      ladder: [{ size: 720, bitrate: undefined }, { size: 360, bitrate: 600_000 }],
      preset: 'fast',
      crf: 23,
      segmentDuration: 4,
      segmentType: 'fmp4',
      processes: 2,
      threads: 0,
      timeout: 7200,
      quiet: true,
    });
  });

  it('names --segment-type and its accepted values when it is wrong', () => {
    const error = flagError({ segmentType: 'mp4' });
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('--segment-type');
    expect(error.message).toContain('expected ts or fmp4');
  });

  it('names each flag in --kebab-case with its accepted values', () => {
    expect(flagError({ crf: '99' }).message).toContain('--crf: expected a whole number from 0 to 51');
    expect(flagError({ segmentDuration: '0' }).message).toContain('--segment-duration');
    expect(flagError({ preset: 'fastest' }).message).toMatch(/--preset: expected one of ultrafast,.*veryslow/);
    expect(flagError({ processes: '1.5' }).message).toContain('--processes');
    expect(flagError({ timeout: 'forever' }).message).toContain('--timeout');
    expect(flagError({ ladder: '1080,32' }).message).toContain('--ladder: "32" is not a rung');
  });

  it('takes --keyframe-interval in seconds when it divides the segment duration', () => {
    expect(parseFlags(transcodeFlagsSchema, { keyframeInterval: '2', segmentDuration: '6' })).toMatchObject({ keyframeInterval: 2 });
    expect(parseFlags(transcodeFlagsSchema, { keyframeInterval: '0.5', segmentDuration: '4' })).toMatchObject({ keyframeInterval: 0.5 });
    expect(parseFlags(transcodeFlagsSchema, { keyframeInterval: '3' })).toMatchObject({ keyframeInterval: 3 });
  });

  it('refuses a --keyframe-interval that would split a GOP across segments', () => {
    const error = flagError({ keyframeInterval: '4', segmentDuration: '6' });
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('--keyframe-interval: 4 s does not divide the 6 s segment duration evenly (try 1 or 2 or 3)');
    expect(flagError({ keyframeInterval: '2', segmentDuration: '5' }).message).toContain('--keyframe-interval: 2 s does not divide the 5 s');
    expect(flagError({ keyframeInterval: 'two' }).message).toContain('--keyframe-interval: expected seconds');
    expect(flagError({ keyframeInterval: '0' }).message).toContain('--keyframe-interval: expected at least 0.1 s');
  });

  it('reports every bad flag at once', () => {
    const message = flagError({ crf: '99', segmentType: 'mp4', ladder: 'x' }).message;
    for (const flag of ['--crf', '--segment-type', '--ladder']) expect(message).toContain(flag);
  });
});

describe('--speed', () => {
  it('reads a floor in x realtime, 0 turning it off', () => {
    expect(parseFlags(transcodeFlagsSchema, { speed: '0.8' }).speed).toBe(0.8);
    expect(parseFlags(transcodeFlagsSchema, { speed: '0' }).speed).toBe(0);
    expect(parseFlags(transcodeFlagsSchema, { speed: '2' }).speed).toBe(2);
  });

  it('refuses anything else, naming the flag', () => {
    for (const bad of ['-1', 'fast', '0.8x', '', '101']) expect(flagError({ speed: bad }).message, bad).toMatch(/--speed: expected a speed in x realtime from 0 to 100/);
  });
});
