/**
 * `transcode -o DIR --force` replaces DIR as a whole, so DIR must never be, or contain, the input, the
 * current directory, the home directory or `/`: exit 2, one line, nothing touched.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { expectNoTempLeft, expectOneErrorLine } from './support.js';

/** A folder holding a copy of a small video and a neighbour file. */
async function folderWithInput() {
  const dir = await tempDir('output-guard');
  const media = join(dir, 'media');
  await mkdir(media);
  const input = join(media, 'clip.avi');
  await copyFile(fixture('mjpeg-tiny.avi'), input);
  await writeFile(join(media, 'notes.txt'), 'keep me');
  return { dir, media, input, tmp: join(dir, 'tmp') };
}

async function expectRefused(result: Awaited<ReturnType<typeof hlsify>>, what: RegExp) {
  expect(result.exitCode, String(result.stderr)).toBe(2);
  expect(expectOneErrorLine(String(result.stderr))).toMatch(what);
}

describe('transcode refuses an output dir it would destroy', () => {
  it('the folder holding the input, with --force: the input and its neighbours survive', async () => {
    const { media, input, tmp } = await folderWithInput();
    const result = await hlsify(['transcode', input, '-o', media, '--force', '--tmp-dir', tmp]);
    await expectRefused(result, /contains the input/);
    expect((await readdir(media)).sort()).toEqual(['clip.avi', 'notes.txt']);
    await expectNoTempLeft(tmp);
  });

  it('a symlink to the folder holding the input (real paths are compared)', async () => {
    const { dir, media, input, tmp } = await folderWithInput();
    const link = join(dir, 'link-to-media');
    await symlink(media, link);
    await expectRefused(await hlsify(['transcode', input, '-o', link, '--force', '--tmp-dir', tmp]), /contains the input/);
    expect(existsSync(input)).toBe(true);
  });

  it('the current directory, the home directory and /', async () => {
    const { dir, input, tmp } = await folderWithInput();
    const elsewhere = await tempDir('output-guard-cwd');
    const work = join(elsewhere, 'work');
    await mkdir(work);
    await writeFile(join(work, 'mine.txt'), 'x');
    await expectRefused(await hlsify(['transcode', input, '-o', '.', '--force', '--tmp-dir', tmp], { cwd: work }), /is the current directory/);
    expect(existsSync(join(work, 'mine.txt'))).toBe(true);

    const home = join(dir, 'home');
    await mkdir(join(home, 'videos'), { recursive: true });
    await expectRefused(await hlsify(['transcode', input, '-o', home, '--force', '--tmp-dir', tmp], { env: { HOME: home } }), /is the home directory/);
    expect(existsSync(join(home, 'videos'))).toBe(true);

    await expectRefused(await hlsify(['transcode', input, '-o', '/', '--force', '--tmp-dir', tmp]), /is the filesystem root/);
    // The parent of the current directory contains it.
    await expectRefused(await hlsify(['transcode', input, '-o', elsewhere, '--force', '--tmp-dir', tmp], { cwd: work }), /contains the current directory/);
    expect(existsSync(join(work, 'mine.txt'))).toBe(true);
  });

  it('a new directory beside the input is fine', async () => {
    const { media, input, tmp } = await folderWithInput();
    const result = await hlsify(['transcode', input, '-o', join(media, 'clip-hls'), '--tmp-dir', tmp, '-q']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(existsSync(join(media, 'clip-hls', 'master.m3u8'))).toBe(true);
    expect(existsSync(input)).toBe(true);
  });
});
