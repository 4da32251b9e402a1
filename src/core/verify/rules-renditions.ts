/** Apple 8.10 (audio and subtitle renditions declare LANGUAGE) and 5.3 (WebVTT X-TIMESTAMP-MAP). */
import type { Ladder } from './ladder-model.js';
import { judge, type RuleResult } from './report.js';

export function renditionRules(ladder: Ladder): RuleResult[] {
  const declared = ladder.master.renditions.filter((r) => r.type === 'AUDIO' || r.type === 'SUBTITLES');
  const language = declared.filter((r) => !r.language).map((r) => `${r.type} "${r.name ?? r.uri ?? '?'}" (GROUP-ID ${r.groupId ?? '?'}): no LANGUAGE`);

  const subtitles = [...ladder.playlists.values()].filter((p) => p.role === 'subtitles');
  const timestampMap: string[] = [];
  for (const p of subtitles) {
    for (const s of p.segments) {
      if (s.text === undefined) {
        if (!s.readError) timestampMap.push(`${s.name}: not a WebVTT file`);
        continue;
      }
      const head = s.text.split(/\r?\n\r?\n/)[0] ?? '';
      if (!/^X-TIMESTAMP-MAP=/m.test(head)) timestampMap.push(`${s.name}: no X-TIMESTAMP-MAP in the WebVTT header`);
    }
  }
  return [
    judge({ id: '8.10', level: 'MUST', title: 'audio and subtitle renditions declare LANGUAGE' }, language, {
      applicable: declared.length > 0,
      passEvidence: declared.map((r) => `${r.type} "${r.name}": ${r.language}`),
    }),
    judge({ id: '5.3', level: 'MUST', title: 'WebVTT segments carry X-TIMESTAMP-MAP' }, timestampMap, { applicable: subtitles.length > 0 }),
  ];
}
