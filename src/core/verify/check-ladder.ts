/** `verify` as a step of transcode: the report when every MUST holds, a one-line error naming the rules when not. */
import { LadderCheckError } from './ladder-check-error.js';
import type { VerifyReport } from './report.js';
import { verifyLadder } from './verify-ladder.js';

/** Runs every check on the ladder in `dir`; throws LadderCheckError when a MUST fails. */
export async function checkLadder(dir: string, ffprobe: string, signal?: AbortSignal): Promise<VerifyReport> {
  const report = await verifyLadder(dir, { ffprobe, signal });
  if (!report.summary.ok) {
    const failed = report.rules.filter((r) => r.status === 'FAIL').map((r) => `${r.id} (${r.title})`);
    throw new LadderCheckError(`the ladder fails HLS checks, nothing was published: ${failed.join('; ')}`, report);
  }
  return report;
}
