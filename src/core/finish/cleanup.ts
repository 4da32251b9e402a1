/**
 * Removes hlsify's stale work dirs in a temp root: only dirs named hlsify-* holding hlsify's lock file.
 * A dir whose lock names a process of this host that is gone is stale at once (a SIGKILLed worker's);
 * otherwise, when the named process is not running here, once it is older than the retention (locks from
 * other hosts sharing the temp root, or older locks without a host). A lock that is not a small regular
 * file is reported and left alone. Serves the worker's start-up sweep and periodic cleanup (and
 * `hlsify cleanup`).
 */
import { lstat, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCK_FILE, WORKSPACE_PREFIX } from './workspace.js';
import { isDeadHere, isProcessAlive, readLock } from './workspace-lock.js';

export interface CleanupOutcome {
  dir: string;
  action: 'removed' | 'would-remove' | 'kept';
  reason: 'stale' | 'in-use' | 'fresh' | 'bad-lock';
  bytes: number;
  /** Why the lock could not be read (reason 'bad-lock'). */
  detail?: string;
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.isFile()) total += (await lstat(join(entry.parentPath, entry.name)).catch(() => ({ size: 0 }))).size;
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
    const lock = await readLock(join(dir, LOCK_FILE));
    if (lock.status === 'missing') continue; // not hlsify's (or not yet set up): never touched
    const bytes = await sizeOf(dir);
    if (lock.status === 'unreadable') {
      outcomes.push({ dir, action: 'kept', reason: 'bad-lock', bytes, detail: lock.reason });
      continue;
    }
    const { owner } = lock;
    const age = now - ((await stat(dir).catch(() => undefined))?.mtimeMs ?? now);
    const stale = isDeadHere(owner) || (!(owner.pid > 0 && isProcessAlive(owner.pid)) && age >= options.olderThanMs);
    if (!stale) outcomes.push({ dir, action: 'kept', reason: owner.pid > 0 && isProcessAlive(owner.pid) ? 'in-use' : 'fresh', bytes });
    else {
      if (!options.dryRun) await rm(dir, { recursive: true, force: true });
      outcomes.push({ dir, action: options.dryRun ? 'would-remove' : 'removed', reason: 'stale', bytes });
    }
  }
  return outcomes;
}
