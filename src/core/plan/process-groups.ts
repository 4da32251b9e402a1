/**
 * How many ffmpeg processes encode one ladder and which renditions share one. A process that carries
 * several renditions decodes the source once and splits it. Measured (see the README's design notes):
 * on 2 cores one decode-once process is fastest and uses ~30% less CPU; on 16 idle cores one process per
 * rendition finishes ~1.7x sooner. So: about one process per 4 cores this job may use.
 */

/** Default process count for a ladder of `renditionCount` renditions given the cores this job may use. */
export function defaultProcessCount(coresForJob: number, renditionCount: number): number {
  const wanted = Math.round(Math.max(1, coresForJob) / 4);
  return Math.min(renditionCount, Math.max(1, wanted));
}

/**
 * Splits renditions (given by their per-frame pixel work) into `count` groups with balanced work: largest
 * first, each into the lightest group (LPT). Returns rendition indices per group, each group in ladder order.
 */
export function groupRenditions(work: readonly number[], count: number): number[][] {
  const groups = Array.from({ length: Math.max(1, Math.min(count, work.length)) }, () => ({ load: 0, members: [] as number[] }));
  const order = work.map((load, index) => ({ load, index })).sort((a, b) => b.load - a.load || a.index - b.index);
  for (const item of order) {
    const lightest = groups.reduce((best, group) => (group.load < best.load ? group : best));
    lightest.load += item.load;
    lightest.members.push(item.index);
  }
  return groups.map((group) => group.members.sort((a, b) => a - b)).filter((members) => members.length > 0);
}
