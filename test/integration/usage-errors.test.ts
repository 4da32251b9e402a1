/**
 * How hlsify is run wrongly (flags, environment, ffmpeg): exit code 2 and one line saying what to change,
 * before any work starts. Plus the machine-limit failures (disk space, MAX_VIDEO_SIZE): exit code 1.
 */
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { expectFinalErrorLine, expectNoTempLeft, expectOneErrorLine } from './support.js';

const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'];

/** Runs a transcode of a small real video into the test's own output and temp dirs. */
async function run(extra: string[], env: Record<string, string> = {}) {
  const dir = await tempDir('usage');
  const out = join(dir, 'out');
  const tmp = join(dir, 'tmp');
  const result = await hlsify(['transcode', fixture('mjpeg-tiny.avi'), '-o', out, '--tmp-dir', tmp, ...extra], { env });
  return { dir, out, tmp, result };
}

/** Exit 2, one error line (commander may add its help hint), nothing written; returns the error line. */
async function expectUsageError({ out, tmp, result }: Awaited<ReturnType<typeof run>>): Promise<string> {
  expect(result.exitCode, `stderr: ${String(result.stderr)}`).toBe(2);
  const line = expectOneErrorLine(String(result.stderr), { allowHelpHint: true });
  expect(String(result.stdout)).toBe('');
  expect(existsSync(out)).toBe(false);
  await expectNoTempLeft(tmp);
  return line;
}

describe('usage errors: exit 2 and one line', () => {
  it('an unknown flag is named', async () => {
    const line = await expectUsageError(await run(['--bogus-flag']));
    expect(line).toMatch(/unknown option '--bogus-flag'/);
  });

  it('--segment-type mkv names the flag and the accepted ts/fmp4', async () => {
    const line = await expectUsageError(await run(['--segment-type', 'mkv']));
    expect(line).toContain('--segment-type');
    expect(line).toMatch(/\bts\b/);
    expect(line).toMatch(/\bfmp4\b/);
  });

  it('--ladder abc names the flag and the bad rung', async () => {
    const line = await expectUsageError(await run(['--ladder', 'abc']));
    expect(line).toContain('--ladder');
    expect(line).toContain('"abc"');
  });

  it('FFMPEG_PRESET=warp names the variable and lists the accepted presets', async () => {
    const line = await expectUsageError(await run([], { FFMPEG_PRESET: 'warp' }));
    expect(line).toContain('FFMPEG_PRESET');
    for (const preset of PRESETS) expect(line).toContain(preset);
  });

  it('FFMPEG_CRF=99 names the variable and the 0-51 range', async () => {
    const line = await expectUsageError(await run([], { FFMPEG_CRF: '99' }));
    expect(line).toContain('FFMPEG_CRF');
    expect(line).toMatch(/0\b.*\b51/);
  });

  it('MIN_DISK_SPACE=lots names the variable and the bad value', async () => {
    const line = await expectUsageError(await run([], { MIN_DISK_SPACE: 'lots' }));
    expect(line).toContain('MIN_DISK_SPACE');
    expect(line).toContain('lots');
  });

  it('--ffmpeg /nonexistent/ffmpeg says ffmpeg is missing and how to install it', async () => {
    const line = await expectUsageError(await run(['--ffmpeg', '/nonexistent/ffmpeg']));
    expect(line).toContain('ffmpeg');
    expect(line).toContain('/nonexistent/ffmpeg');
    expect(line).toMatch(/install/);
  });

  it('HLSIFY_FFMPEG pointing at an ffmpeg 3.4 is too old, naming the version', async () => {
    // A real ffmpeg 3.4 is not available; this script answers `-version` as one would.
    const bin = await tempDir('old-ffmpeg');
    const fake = join(bin, 'ffmpeg');
    await writeFile(fake, '#!/bin/sh\ncase "$*" in\n  *-version*) echo "ffmpeg version 3.4.8 Copyright (c) 2000-2020 the FFmpeg developers"; exit 0 ;;\nesac\nexit 1\n');
    await chmod(fake, 0o755);

    const line = await expectUsageError(await run([], { HLSIFY_FFMPEG: fake }));
    expect(line).toContain('3.4.8');
    expect(line).toMatch(/too old/);
  });
});

describe('flags and environment', () => {
  it('the environment sets the preset when no flag is given, and --preset wins over FFMPEG_PRESET', async () => {
    const fromEnv = await run(['--json'], { FFMPEG_PRESET: 'ultrafast' });
    expect(fromEnv.result.exitCode, String(fromEnv.result.stderr)).toBe(0);
    expect(JSON.parse(String(fromEnv.result.stdout)).preset).toBe('ultrafast');

    const flagWins = await run(['--json', '--preset', 'veryfast'], { FFMPEG_PRESET: 'ultrafast' });
    expect(flagWins.result.exitCode, String(flagWins.result.stderr)).toBe(0);
    expect(JSON.parse(String(flagWins.result.stdout)).preset).toBe('veryfast');
  });
});

describe('limits of the machine: exit 1, nothing left', () => {
  it('MIN_DISK_SPACE=100TB: not enough disk space, no output, no temp', async () => {
    const { out, tmp, result } = await run(['--preset', 'ultrafast'], { MIN_DISK_SPACE: '100TB' });

    expect(result.exitCode).toBe(1);
    expect(expectFinalErrorLine(String(result.stderr))).toMatch(/disk space/);
    expect(existsSync(out)).toBe(false);
    await expectNoTempLeft(tmp);
  });

  it('MAX_VIDEO_SIZE=1KB: the input is over the limit, naming MAX_VIDEO_SIZE, no output, no temp', async () => {
    const { out, tmp, result } = await run(['--preset', 'ultrafast'], { MAX_VIDEO_SIZE: '1KB' });

    expect(result.exitCode).toBe(1);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/MAX_VIDEO_SIZE/);
    expect(existsSync(out)).toBe(false);
    await expectNoTempLeft(tmp);
  });
});
