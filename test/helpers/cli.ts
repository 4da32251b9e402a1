/** Runs the built CLI (bin/hlsify.js) as a user would, and per-test temp dirs that clean themselves up. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';
import { onTestFinished } from 'vitest';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'hlsify.js');

/** Runs `hlsify ...args`; never rejects, returns exit code and output. */
export function hlsify(args: readonly string[], options: Options = {}) {
  return execa(process.execPath, [BIN, ...args], { reject: false, all: false, stdin: 'ignore', timeout: 300_000, ...options, env: { FORCE_COLOR: '0', ...options.env } });
}

/** A fresh temp dir removed when the current test finishes. */
export async function tempDir(label = 'test'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hlsify-test-${label}-`));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
