/**
 * Removes hlsify's stale work dirs in a temp root: only dirs named hlsify-* holding hlsify's lock file,
 * only when the process named in the lock is gone and the dir is older than the retention. Serves the
 * worker's start-up sweep and periodic cleanup (and `hlsify cleanup`).
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCK_FILE, WORKSPACE_PREFIX } from './workspace.js';

export interface CleanupOutcome {
  dir: string;
  action: 'removed' | 'would-remove' | 'kept';
  reason: 'stale' | 'in-use' | 'fresh';
  bytes: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

export async function cleanupStaleWorkspaces(options: { root: string; olderThanMs: number; dryRun?: boolean; now?: number }): Promise<CleanupOutcome[]> {
  const now = options.now ?? Date.now();
  const outcomes: CleanupOutcome[] = [];
  const entries = await readdir(options.root, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(WORKSPACE_PREFIX)) continue;
    const dir = join(options.root, entry.name);
    const lockText = await readFile(join(dir, LOCK_FILE), 'utf8').catch(() => undefined);
    if (lockText === undefined) continue; // not hlsify's (or not yet set up): never touched
    let pid = 0;
    try {
      pid = Number((JSON.parse(lockText) as { pid?: unknown }).pid) || 0;
    } catch {
      pid = 0;
    }
    const age = now - (await stat(dir)).mtimeMs;
    const bytes = await sizeOf(dir);
    if (pid > 0 && isAlive(pid)) outcomes.push({ dir, action: 'kept', reason: 'in-use', bytes });
    else if (age < options.olderThanMs) outcomes.push({ dir, action: 'kept', reason: 'fresh', bytes });
    else {
      if (!options.dryRun) await rm(dir, { recursive: true, force: true });
      outcomes.push({ dir, action: options.dryRun ? 'would-remove' : 'removed', reason: 'stale', bytes });
    }
  }
  return outcomes;
}
