/** The error a ladder failing its checks raises, apart from the checks so that the CLI can know it without loading them. */
import { EncodeError } from '../../errors.js';
import type { VerifyReport } from './report.js';

/** A ladder hlsify produced fails a MUST rule; `report` has the evidence. */
export class LadderCheckError extends EncodeError {
  constructor(
    message: string,
    readonly report: VerifyReport,
  ) {
    super(message, { details: report.rules.filter((r) => r.status === 'FAIL').flatMap((r) => [`${r.id} ${r.title}:`, ...r.evidence.map((e) => `  ${e}`)]).join('\n') });
  }
}
