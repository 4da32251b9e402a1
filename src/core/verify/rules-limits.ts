/** The rules about what verify itself could check: the whole ladder within its limits, and no encryption. */
import type { Ladder } from './ladder-model.js';
import { judge, type RuleResult } from './report.js';

/** A ladder verify read only in part, or could not decrypt, fails: "every MUST holds" is said only of what was checked. */
export function limitRules(ladder: Ladder): RuleResult[] {
  return [
    judge({ id: 'hlsify limits', level: 'MUST', title: 'the whole ladder read within verify\'s limits (playlists, segments, bytes per run)' }, ladder.limitProblems, {
      passEvidence: [`${ladder.playlists.size} media playlists, ${ladder.segments.total + ladder.iFrameRanges.total} segments and ranges`],
    }),
    // RFC 8216 §4.3.2.4: verify does not decrypt, so encrypted segments cannot be checked; METHOD=NONE is fine.
    judge({ id: 'RFC 8216 §4.3.2.4', level: 'MUST', title: 'segments not encrypted (EXT-X-KEY: encrypted ladders are not supported by verify)' }, ladder.keyProblems, {
      passEvidence: ['no EXT-X-KEY or EXT-X-SESSION-KEY with a METHOD other than NONE'],
    }),
  ];
}
