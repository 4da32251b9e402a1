/**
 * The job's temp dir: `<tmp root>/hlsify-<id>` with a lock file naming the owning process, so that
 * `hlsify cleanup` can tell a live job's dir from a stale one. Removal is idempotent.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockText } from './workspace-lock.js';

export const WORKSPACE_PREFIX = 'hlsify-';
export const LOCK_FILE = 'hlsify.lock';

export interface Workspace {
  dir: string;
  /** Where ffmpeg writes the ladder, inside `dir`. */
  ladderDir: string;
  remove(): Promise<void>;
}

/** Creates a fresh workspace under `root` (default: the OS temp dir). */
export async function createWorkspace(root: string = tmpdir()): Promise<Workspace> {
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(join(root, `${WORKSPACE_PREFIX}${randomBytes(3).toString('hex')}-`));
  await writeFile(join(dir, LOCK_FILE), lockText());
  const ladderDir = join(dir, 'ladder');
  await mkdir(ladderDir);
  let removed: Promise<void> | undefined;
  return {
    dir,
    ladderDir,
    remove() {
      removed ??= rm(dir, { recursive: true, force: true, maxRetries: 3 });
      return removed;
    },
  };
}
