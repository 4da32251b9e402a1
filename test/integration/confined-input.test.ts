/**
 * The worker's --input-root confinement on real files: judged by where a path really leads, opened once,
 * and read afterwards through the descriptor, so a symlink swapped in after the check changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { openConfinedInput } from '../../src/core/input/confined-input.js';
import { tempDir } from '../helpers/cli.js';

async function layout() {
  const dir = await tempDir('confined');
  const root = join(dir, 'root');
  const outside = join(dir, 'outside');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(root, 'sub', 'clip.mp4'), 'inside');
  await writeFile(join(outside, 'secret.mp4'), 'SECRET');
  return { root, outside };
}

async function refusal(root: string, requested: string): Promise<string> {
  const error = await openConfinedInput(root, requested).then(
    async (opened) => {
      await opened.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error, `${requested} was opened`).toBeInstanceOf(InputError);
  return (error as Error).message;
}

describe('openConfinedInput', () => {
  it('opens a regular file inside the root and hands on a name that reads it', async () => {
    const { root } = await layout();
    const opened = await openConfinedInput(root, 'sub/clip.mp4');
    try {
      expect(opened.path).toMatch(new RegExp(`^/proc/${process.pid}/fd/\\d+$`));
      expect(await readFile(opened.path, 'utf8')).toBe('inside');
      expect(opened.realPath.endsWith('/root/sub/clip.mp4')).toBe(true);
    } finally {
      await opened.close();
    }
  });

  it('refuses a symlinked file and a symlinked directory that lead out of the root', async () => {
    const { root, outside } = await layout();
    await symlink(join(outside, 'secret.mp4'), join(root, 'link.mp4'));
    await symlink(outside, join(root, 'dirlink'));
    await symlink('../../outside/secret.mp4', join(root, 'sub', 'relative-link.mp4'));
    for (const requested of ['link.mp4', 'dirlink/secret.mp4', 'sub/relative-link.mp4']) {
      expect(await refusal(root, requested)).toMatch(/resolves outside the worker's --input-root \(through a symlink\)/);
    }
    expect(await refusal(root, '../outside/secret.mp4')).toMatch(/outside the worker's --input-root/);
  });

  it('accepts a symlink that stays inside the root, and a root that is itself reached through a symlink', async () => {
    const { root } = await layout();
    await symlink('sub/clip.mp4', join(root, 'alias.mp4'));
    const rootLink = `${root}-link`;
    await symlink(root, rootLink);
    for (const [r, requested] of [[root, 'alias.mp4'], [rootLink, 'sub/clip.mp4']] as const) {
      const opened = await openConfinedInput(r, requested);
      expect(await readFile(opened.path, 'utf8')).toBe('inside');
      await opened.close();
    }
  });

  it('refuses a FIFO (without blocking), a directory and a missing file', async () => {
    const { root } = await layout();
    execFileSync('mkfifo', [join(root, 'pipe.mp4')]);
    expect(await refusal(root, 'pipe.mp4')).toMatch(/not a regular file/);
    expect(await refusal(root, 'sub')).toMatch(/is a directory/);
    expect(await refusal(root, 'nope.mp4')).toMatch(/no such file/);
  });

  it('keeps reading the checked file when the path is swapped for a symlink after the check', async () => {
    const { root, outside } = await layout();
    const opened = await openConfinedInput(root, 'sub/clip.mp4');
    try {
      // The attacker swaps the directory for a symlink to elsewhere once the check is done.
      await rename(join(root, 'sub'), join(root, 'sub-old'));
      await symlink(outside, join(root, 'sub'));
      await rename(join(outside, 'secret.mp4'), join(outside, 'clip.mp4'));
      expect(await readFile(join(root, 'sub', 'clip.mp4'), 'utf8')).toBe('SECRET');
      expect(await readFile(opened.path, 'utf8')).toBe('inside');
    } finally {
      await opened.close();
    }
  });
});
