import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCalibrationPath, readCalibration, writeCalibration, type Calibration } from '../../src/core/calibration/calibration-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hlsify-calibration-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const machine = { cores: 2, ffmpegVersion: '5.1.9' };
const calibration: Calibration = { version: 1, cores: 2, ffmpegVersion: '5.1.9', measuredAt: '2026-01-01T00:00:00.000Z', coreSecondsPerMegapixel: { veryfast: 0.02, slow: 0.05 } };

describe('defaultCalibrationPath', () => {
  it('is under XDG_CACHE_HOME when set, else ~/.cache', () => {
    expect(defaultCalibrationPath({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/hlsify/calibration.json');
    expect(defaultCalibrationPath({ HOME: '/home/u' })).toBe('/home/u/.cache/hlsify/calibration.json');
    // The XDG spec ignores a relative path.
    expect(defaultCalibrationPath({ XDG_CACHE_HOME: 'cache', HOME: '/home/u' })).toBe('/home/u/.cache/hlsify/calibration.json');
  });
});

describe('calibration file', () => {
  it('round-trips: written (creating the cache dir, no partial file left) and read back as a cost model', async () => {
    const path = join(dir, 'hlsify', 'calibration.json');
    await writeCalibration(path, calibration);
    expect(await readdir(join(dir, 'hlsify'))).toEqual(['calibration.json']);
    const read = await readCalibration(path, machine);
    expect(read).toMatchObject({ state: 'calibrated', model: { source: 'calibration', coreSecondsPerMegapixel: { veryfast: 0.02, slow: 0.05 } } });
  });

  it('is missing when there is no file', async () => {
    expect(await readCalibration(join(dir, 'none.json'), machine)).toEqual({ state: 'missing' });
  });

  it('is stale after the cores or the ffmpeg version change', async () => {
    const path = join(dir, 'calibration.json');
    await writeCalibration(path, calibration);
    expect(await readCalibration(path, { ...machine, cores: 16 })).toEqual({ state: 'stale', reason: 'measured with 2 core(s), this machine has 16' });
    expect(await readCalibration(path, { ...machine, ffmpegVersion: '6.1' })).toMatchObject({ state: 'stale', reason: 'measured with ffmpeg 5.1.9, this is 6.1' });
  });

  it('is corrupt, with the reason, for broken JSON or values out of shape; never throws', async () => {
    const path = join(dir, 'calibration.json');
    await writeFile(path, '{"version": 1, "cores": 2,');
    expect(await readCalibration(path, machine)).toEqual({ state: 'corrupt', reason: `${path} is not JSON` });
    await writeFile(path, JSON.stringify({ ...calibration, coreSecondsPerMegapixel: { veryfast: -1, turbo: 0.1 } }));
    const read = await readCalibration(path, machine);
    expect(read.state).toBe('corrupt');
    expect(read.state === 'corrupt' && read.reason).toMatch(/coreSecondsPerMegapixel/);
    await writeFile(path, JSON.stringify([1, 2]));
    expect((await readCalibration(path, machine)).state).toBe('corrupt');
  });

  it('refuses to write a calibration out of shape', async () => {
    await expect(writeCalibration(join(dir, 'c.json'), { ...calibration, cores: 0 })).rejects.toThrow();
    await expect(readFile(join(dir, 'c.json'))).rejects.toThrow();
  });
});
