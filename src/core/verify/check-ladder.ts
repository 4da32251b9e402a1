/** `verify` as a step of transcode: the report when every MUST holds, a one-line error naming the rules when not. */
import { LadderCheckError } from './ladder-check-error.js';
import type { ProbeCache } from './probe-cache.js';
import type { ResourceReader } from './resource-reader.js';
import type { VerifyReport } from './report.js';
import { verifyLadder, verifyReader, type VerifyOptions } from './verify-ladder.js';

/** Runs every check on the ladder in `dir`; throws LadderCheckError when a MUST fails. */
export async function checkLadder(dir: string, binaries: { ffmpeg: string; ffprobe: string }, signal?: AbortSignal, cache?: ProbeCache): Promise<VerifyReport> {
  return passed(await verifyLadder(dir, { ffprobe: binaries.ffprobe, ffmpeg: binaries.ffmpeg, cache, signal }));
}

/** checkLadder for a ladder only a reader reaches (one being published: its playlists local, its segments uploaded). */
export async function checkReader(reader: ResourceReader, options: VerifyOptions): Promise<VerifyReport> {
  return passed(await verifyReader(reader, options));
}

function passed(report: VerifyReport): VerifyReport {
  if (!report.summary.ok) {
    const failed = report.rules.filter((r) => r.status === 'FAIL').map((r) => `${r.id} (${r.title})`);
    throw new LadderCheckError(`the ladder fails HLS checks, nothing was published: ${failed.join('; ')}`, report);
  }
  return report;
}
