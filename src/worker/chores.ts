/** The worker's periodic chores: the sweep of stale work dirs and the process-tree memory sample. */
import { cleanupStaleWorkspaces } from '../core/finish/cleanup.js';
import type { Logger } from './logger.js';
import { childrenRss, type Metrics } from './metrics.js';

export async function sweepWorkDirs(cleanup: { root: string; retentionMs: number }, logger: Logger): Promise<void> {
  const outcomes = await cleanupStaleWorkspaces({ root: cleanup.root, olderThanMs: cleanup.retentionMs }).catch(() => []);
  const removed = outcomes.filter((o) => o.action === 'removed');
  if (removed.length) logger.info({ op: 'cleanup', removed: removed.length, bytes: removed.reduce((s, o) => s + o.bytes, 0) }, 'removed stale work dirs');
}

export async function sampleMemory(metrics: Metrics, logger: Logger, warnBytes: number): Promise<void> {
  const own = process.memoryUsage().rss;
  const children = await childrenRss();
  metrics.treeMemory.set({ process: 'worker' }, own);
  metrics.treeMemory.set({ process: 'ffmpeg' }, children);
  if (own + children > warnBytes) logger.warn({ op: 'memory', rss: own, ffmpegRss: children, limit: warnBytes }, 'process tree memory above the warning threshold');
}
