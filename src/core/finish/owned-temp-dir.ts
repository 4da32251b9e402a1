/**
 * A short-lived temp dir that `hlsify cleanup` (and the worker's sweep) may remove once its owner is gone:
 * `<root>/hlsify-<what>-XXXXXX` holding the same lock file as a job's workspace, naming this process.
 * Without the lock a dir left by a SIGKILLed bench or verify would never be touched.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, WORKSPACE_PREFIX } from './workspace.js';
import { lockText } from './workspace-lock.js';

/** Creates `<root>/<prefix>XXXXXX` with hlsify's lock file in it; `prefix` starts with "hlsify-". */
export async function createOwnedTempDir(prefix: string, root: string = tmpdir()): Promise<string> {
  if (!prefix.startsWith(WORKSPACE_PREFIX)) throw new Error(`createOwnedTempDir: prefix ${prefix} must start with ${WORKSPACE_PREFIX}`);
  const dir = await mkdtemp(join(root, prefix));
  try {
    await writeFile(join(dir, LOCK_FILE), lockText());
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

/** What is wrong with a temp root the user named, in words; undefined when it is a writable directory. */
export async function tempRootProblem(root: string): Promise<string | undefined> {
  const info = await stat(root).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) return info.code === 'ENOENT' ? 'no such directory' : `cannot be read (${info.code ?? info.message})`;
  if (!info.isDirectory()) return 'is not a directory';
  const probe = await mkdtemp(join(root, `${WORKSPACE_PREFIX}probe-`)).catch((error: NodeJS.ErrnoException) => error);
  if (probe instanceof Error) return `is not writable (${probe.code ?? probe.message})`;
  await rm(probe, { recursive: true, force: true });
  return undefined;
}

