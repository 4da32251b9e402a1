/**
 * The speed floor as a user meets it: the preset the planner picks from this machine's calibration (in
 * XDG_CACHE_HOME), said in --json and on the plan line; --preset and HLSIFY_MIN_SPEED=0 win; a corrupt
 * calibration is a warning, never a failure.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseFfmpegVersion } from '../../src/core/tools/binaries.js';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';

interface SpeedJson {
  preset: string;
  presetChoice: { preset: string; source: string; reason: string; predictedSpeed: number | null; minSpeed: number; costModel: string | null };
}

async function cacheWith(content: string | object): Promise<string> {
  const cache = await tempDir('speed-cache');
  await mkdir(join(cache, 'hlsify'));
  await writeFile(join(cache, 'hlsify', 'calibration.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return cache;
}

/** A calibration for this machine in which only superfast and ultrafast are fast enough for any floor. */
async function calibration() {
  const ffmpeg = process.env.HLSIFY_FFMPEG ?? 'ffmpeg';
  const { version } = parseFfmpegVersion((await execa(ffmpeg, ['-hide_banner', '-version'])).stdout.split('\n')[0]!);
  const slowEverywhere = 1e6;
  return {
    version: 1,
    cores: availableParallelism(),
    ffmpegVersion: version,
    measuredAt: new Date().toISOString(),
    coreSecondsPerMegapixel: { ultrafast: 1e-7, superfast: 1e-6, veryfast: slowEverywhere, faster: slowEverywhere, fast: slowEverywhere, medium: slowEverywhere, slow: slowEverywhere },
  };
}

async function run(cache: string, extra: string[] = [], env: Record<string, string> = {}) {
  const dir = await tempDir('speed');
  const result = await hlsify(['transcode', fixture('mjpeg-tiny.avi'), '--ladder', '120', '--json', '-o', join(dir, 'out'), '--tmp-dir', dir, ...extra], { env: { XDG_CACHE_HOME: cache, ...env } });
  expect(result.exitCode, String(result.stderr)).toBe(0);
  return { json: JSON.parse(String(result.stdout)) as SpeedJson, stderr: String(result.stderr) };
}

describe('speed floor', () => {
  it('picks the slowest preset this machine\'s calibration predicts to reach the floor, and says why in --json and on the plan line', async () => {
    const cache = await cacheWith(await calibration());
    const { json, stderr } = await run(cache);
    expect(json.preset).toBe('superfast');
    expect(json.presetChoice).toMatchObject({ preset: 'superfast', source: 'speed-floor', minSpeed: 0.8, costModel: 'calibration' });
    expect(json.presetChoice.reason).toMatch(/^slow predicted 0\.00x < 0\.80x floor; superfast predicted \d+\.\d\dx$/);
    expect(json.presetChoice.predictedSpeed).toBeGreaterThan(0.8);
    expect(stderr).toContain(`x264 preset superfast: ${json.presetChoice.reason}`);
  });

  it('lets --preset win over the floor, and HLSIFY_MIN_SPEED=0 turn it off (back to the size rule)', async () => {
    const cache = await cacheWith(await calibration());
    const given = await run(cache, ['--preset', 'medium']);
    expect(given.json.presetChoice).toMatchObject({ preset: 'medium', source: 'flag', predictedSpeed: null });
    expect(given.json.preset).toBe('medium');
    const off = await run(cache, [], { HLSIFY_MIN_SPEED: '0' });
    expect(off.json.presetChoice).toMatchObject({ preset: 'slow', source: 'size-rule', minSpeed: 0, costModel: null });
    // The flag wins over the variable.
    const flag = await run(cache, ['--speed', '0.8'], { HLSIFY_MIN_SPEED: '0' });
    expect(flag.json.preset).toBe('superfast');
  });

  it('ignores a corrupt calibration with a warning and predicts from the built-in table', async () => {
    const cache = await cacheWith('{"version": 1, "cores":');
    const { json, stderr } = await run(cache);
    expect(stderr).toMatch(/warning: ignoring the speed calibration \(.+calibration\.json is not JSON\); run hlsify bench/);
    // A 160x120 rendition is cheap: the size rule's slow is predicted to reach the floor.
    expect(json.presetChoice).toMatchObject({ preset: 'slow', source: 'size-rule', costModel: 'built-in' });
    expect(json.presetChoice.reason).toMatch(/^slow predicted \d+\.\d\dx >= 0\.80x floor$/);
  });

  it('refuses a malformed --speed with one line and exit 2', async () => {
    const result = await hlsify(['transcode', fixture('mjpeg-tiny.avi'), '--speed', 'fast']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/--speed: expected a speed in x realtime/);
  });
});
