/**
 * Stopping a run with the real ffmpeg: Ctrl-C, SIGTERM and --timeout end the run promptly, with no ffmpeg
 * left running, no temp dir and no (partial) output dir.
 */
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { childProcesses, expectFinalErrorLine, expectNoTempLeft, ffmpegChildren, processesMentioning, waitFor } from './support.js';

/** Starts a deliberately slow transcode (1080p source, full ladder, x264 veryslow) in the test's own dirs. */
async function startSlowTranscode(extra: string[] = [], options: { detached?: boolean } = {}) {
  const dir = await tempDir('interrupt');
  const out = join(dir, 'out');
  const tmp = join(dir, 'tmp');
  const child = hlsify(['transcode', fixture('landscape-1080p25.mp4'), '--preset', 'veryslow', '--tmp-dir', tmp, '-o', out, ...extra], options);
  return { dir, out, tmp, child, pid: child.pid! };
}

/** Asserts that nothing the run started or wrote is left. */
async function expectNothingLeft(run: { dir: string; out: string; tmp: string }) {
  expect(await processesMentioning(run.dir), 'processes still running with the test dir in their arguments').toEqual([]);
  await expectNoTempLeft(run.tmp);
  expect(existsSync(run.out)).toBe(false);
}

describe.each(['SIGINT', 'SIGTERM'] as const)('%s during the encode', (signal) => {
  it('exits 130 within 10 s, stops every ffmpeg, removes the temp dir and writes no output', async () => {
    const run = await startSlowTranscode();
    const encoding = await waitFor(async () => (await ffmpegChildren(run.pid, run.tmp)).length > 0, 60_000);
    expect(encoding, 'an ffmpeg child of hlsify was running').toBe(true);

    const sent = Date.now();
    run.child.kill(signal);
    const result = await run.child;
    const seconds = (Date.now() - sent) / 1000;

    expect(result.exitCode, `stderr: ${String(result.stderr)}`).toBe(130);
    expect(seconds).toBeLessThan(10);
    expect(expectFinalErrorLine(String(result.stderr))).toMatch(/interrupted/);
    await expectNothingLeft(run);
  });
});

describe('Ctrl-C in a terminal', () => {
  it('SIGINT to the whole process group (hlsify and its ffmpeg at once) still exits 130 with nothing left', async () => {
    // A terminal sends Ctrl-C to every process in the foreground group, so ffmpeg gets SIGINT too.
    const run = await startSlowTranscode([], { detached: true });
    const encoding = await waitFor(async () => (await ffmpegChildren(run.pid, run.tmp)).length > 0, 60_000);
    expect(encoding, 'an ffmpeg child of hlsify was running').toBe(true);

    const sent = Date.now();
    process.kill(-run.pid, 'SIGINT');
    const result = await run.child;
    const seconds = (Date.now() - sent) / 1000;

    expect(result.exitCode, `stderr: ${String(result.stderr)}`).toBe(130);
    expect(seconds).toBeLessThan(10);
    expect(expectFinalErrorLine(String(result.stderr))).toMatch(/interrupted/);
    await expectNothingLeft(run);
  });
});

describe('Ctrl-C before the encode', () => {
  it('SIGINT while hlsify is still checking ffmpeg exits 130 (interrupted), not as a broken ffmpeg', async () => {
    // A real ffmpeg answers -version too fast to interrupt on demand; this one takes 30 s to answer.
    const bin = await tempDir('slow-ffmpeg');
    const fake = join(bin, 'ffmpeg');
    await writeFile(fake, '#!/bin/sh\ncase "$*" in\n  *-version*) exec sleep 30 ;;\nesac\nexec /usr/bin/ffmpeg "$@"\n');
    await chmod(fake, 0o755);
    const dir = await tempDir('interrupt-early');
    const child = hlsify(['transcode', fixture('mjpeg-tiny.avi'), '--tmp-dir', join(dir, 'tmp'), '-o', join(dir, 'out')], { env: { HLSIFY_FFMPEG: fake } });
    const checking = await waitFor(async () => (await childProcesses(child.pid!)).some((args) => args === 'sleep 30'), 20_000);
    expect(checking, 'hlsify was waiting for `ffmpeg -version`').toBe(true);

    const sent = Date.now();
    child.kill('SIGINT');
    const result = await child;

    expect(result.exitCode, `stderr: ${String(result.stderr)}`).toBe(130);
    expect((Date.now() - sent) / 1000).toBeLessThan(10);
    const line = expectFinalErrorLine(String(result.stderr));
    expect(line).toMatch(/interrupted/);
    expect(line).not.toMatch(/install/);
    await expectNoTempLeft(join(dir, 'tmp'));
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('--timeout', () => {
  it('--timeout 4s stops a longer run: exit 1, says the time limit, no ffmpeg, no temp, no output', async () => {
    // 4 s: probing and the interlace sample come first, and the limit must stop a running encode.
    const run = await startSlowTranscode(['--timeout', '4s']);
    // Watch for the ffmpeg children while it runs, so the test knows the limit stopped a real encode.
    let sawFfmpeg = false;
    const watching = waitFor(async () => {
      sawFfmpeg ||= (await ffmpegChildren(run.pid, run.tmp)).length > 0;
      return sawFfmpeg || run.child.exitCode !== null;
    }, 30_000);
    const sent = Date.now();
    const result = await run.child;
    await watching;
    const seconds = (Date.now() - sent) / 1000;

    expect(sawFfmpeg, 'an ffmpeg child of hlsify was running').toBe(true);
    expect(result.exitCode, `stderr: ${String(result.stderr)}`).toBe(1);
    expect(seconds).toBeLessThan(15);
    expect(expectFinalErrorLine(String(result.stderr))).toMatch(/time limit/);
    await expectNothingLeft(run);
  });
});
