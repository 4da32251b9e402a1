/** RFC 8216 rules: structure, URIs, target duration, ENDLIST, EXT-X-VERSION, decodable segments. */
import type { Ladder, LoadedPlaylist } from './ladder-model.js';
import { judge, type RuleResult } from './report.js';

const media = (ladder: Ladder): LoadedPlaylist[] => [...ladder.playlists.values()].filter((p) => p.playlist);

/** Every RFC 8216 rule verify checks. */
export function structureRules(ladder: Ladder): RuleResult[] {
  const playlists = media(ladder);

  const structure = [
    ...ladder.master.structure.map((p) => `master: ${p}`),
    ...playlists.flatMap((p) => p.playlist!.structure.map((problem) => `${p.name}: ${problem}`)),
  ];

  const targetDuration: string[] = [];
  for (const p of playlists) {
    const target = p.playlist!.targetDuration;
    if (target === undefined) continue;
    p.playlist!.segments.forEach((s, i) => {
      // §4.3.3.1: the EXTINF duration, rounded to the nearest integer, MUST be <= the target duration.
      if (Math.round(s.duration) > target) targetDuration.push(`${p.name}: segment ${i} (${s.uri}) EXTINF ${s.duration} rounds to ${Math.round(s.duration)} > TARGETDURATION ${target}`);
    });
  }

  const endlist = playlists.filter((p) => !p.playlist!.ended).map((p) => `${p.name}: no EXT-X-ENDLIST`);

  const version: string[] = [];
  const versionCheck = (name: string, declared: number, needs: { version: number; feature: string }[]) => {
    const worst = new Map<string, number>();
    for (const need of needs) worst.set(need.feature, Math.max(worst.get(need.feature) ?? 0, need.version));
    for (const [feature, needed] of worst) if (needed > declared) version.push(`${name}: ${feature} needs EXT-X-VERSION ${needed}, declared ${declared}`);
  };
  versionCheck('master', ladder.master.version, ladder.master.versionNeeds);
  for (const p of playlists) versionCheck(p.name, p.playlist!.version, p.playlist!.versionNeeds);

  const decode: string[] = [];
  let decodedSegments = 0;
  // I-frame byte ranges have their own rule (RFC 8216 §4.3.3.6).
  for (const p of playlists.filter((p) => p.role !== 'iframe')) {
    for (const s of p.segments) {
      if (!s.probe || s.probe.container === 'webvtt') continue;
      if (s.probe.videoFrames !== undefined) decodedSegments++;
      if (s.probe.errors.length > 0) decode.push(`${s.name}: ${s.probe.errors.slice(0, 2).join(' | ')}`);
      else if (s.probe.videoFrames !== undefined && s.probe.streams.some((st) => st.type === 'video') && s.probe.videoFrames.length === 0) decode.push(`${s.name}: no video frame decoded`);
      else if (s.probe.streams.length === 0) decode.push(`${s.name}: no stream found`);
    }
  }

  return [
    judge({ id: 'RFC 8216 §4', level: 'MUST', title: 'playlists well-formed: tags, attribute types, required tags' }, structure, {
      passEvidence: [`master and ${playlists.length} media playlists parsed`],
    }),
    judge({ id: 'RFC 8216 §4.1', level: 'MUST', title: 'every URI relative, inside the ladder and readable' }, ladder.resourceProblems, {
      passEvidence: [`${ladder.segments.total} segments, ${ladder.iFrameRanges.total} I-frame ranges read`],
    }),
    judge({ id: 'RFC 8216 §4.3.3.1', level: 'MUST', title: 'TARGETDURATION >= every rounded EXTINF' }, targetDuration, { applicable: playlists.length > 0 }),
    judge({ id: 'RFC 8216 §4.3.3.4', level: 'MUST', title: 'EXT-X-ENDLIST in every media playlist (VOD)' }, endlist, { applicable: playlists.length > 0 }),
    judge({ id: 'RFC 8216 §7', level: 'MUST', title: 'EXT-X-VERSION high enough for the features used' }, version),
    judge({ id: 'RFC 8216 §3', level: 'MUST', title: 'every segment decodable (ffmpeg)' }, decode, {
      applicable: decodedSegments > 0,
      passEvidence: [`${decodedSegments} segments decoded without error`],
    }),
  ];
}
