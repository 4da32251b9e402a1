/** Apple's playlist rules: VOD type, EXT-X-MAP, AVERAGE-BANDWIDTH, INDEPENDENT-SEGMENTS, durations. */
import type { Ladder } from './ladder-model.js';
import { frameDuration, loadedVariants, measuredDurations } from './measure.js';
import { judge, type RuleResult } from './report.js';

export function playlistTagRules(ladder: Ladder): RuleResult[] {
  const media = [...ladder.playlists.values()].filter((p) => p.playlist && p.role !== 'iframe');
  const all = [...ladder.playlists.values()].filter((p) => p.playlist);

  const vod = all.filter((p) => p.playlist!.playlistType !== 'VOD').map((p) => `${p.name}: ${p.playlist!.playlistType === undefined ? 'no EXT-X-PLAYLIST-TYPE' : `EXT-X-PLAYLIST-TYPE:${p.playlist!.playlistType}`}`);

  const fmp4 = all.filter((p) => p.segments.some((s) => s.probe?.container === 'mov'));
  const map = fmp4.filter((p) => p.playlist!.segments.some((s) => !s.map)).map((p) => `${p.name}: fragmented MP4 segments without EXT-X-MAP`);

  const average = ladder.master.variants.filter((v) => v.averageBandwidth === undefined).map((v) => `${v.uri}: no AVERAGE-BANDWIDTH`);

  const everyIdr = media.every((p) => p.segments.every((s) => !s.probe || s.probe.videoPackets.length === 0 || s.probe.videoPackets[0]!.key));
  const independent = ladder.master.independentSegments || media.every((p) => p.playlist!.independentSegments);

  const tooLong: string[] = [];
  for (const p of media) {
    const target = p.playlist!.targetDuration;
    if (target === undefined) continue;
    p.playlist!.segments.forEach((s, i) => {
      if (s.duration > target + 0.5) tooLong.push(`${p.name}: segment ${i} EXTINF ${s.duration} s > TARGETDURATION ${target} s + 0.5 s`);
    });
  }

  const targets = new Map<number, string[]>();
  for (const p of media) {
    const t = p.playlist!.targetDuration;
    if (t !== undefined) targets.set(t, [...(targets.get(t) ?? []), p.name]);
  }
  const sameTarget = targets.size > 1 ? [...targets].map(([t, names]) => `TARGETDURATION ${t}: ${names.join(', ')}`) : [];

  const sums: string[] = [];
  const sumEvidence: string[] = [];
  for (const { playlist } of loadedVariants(ladder)) {
    if (!playlist?.playlist || playlist.segments.some((s) => !s.probe || s.probe.videoPackets.length === 0)) continue;
    const frame = frameDuration(playlist);
    if (!frame) continue;
    const declared = playlist.playlist.segments.reduce((sum, s) => sum + s.duration, 0);
    const measured = measuredDurations(playlist).reduce((sum, d) => sum + d, 0);
    const line = `${playlist.name}: EXTINF sum ${declared.toFixed(3)} s, media ${measured.toFixed(3)} s`;
    if (Math.abs(declared - measured) > frame + 1e-3) sums.push(`${line} (more than one frame, ${frame.toFixed(3)} s, apart)`);
    else sumEvidence.push(line);
  }

  return [
    judge({ id: '8.6', level: 'MUST', title: 'EXT-X-PLAYLIST-TYPE:VOD' }, vod, { applicable: all.length > 0 }),
    judge({ id: '8.20', level: 'MUST', title: 'fragmented MP4 media playlists have EXT-X-MAP' }, map, { applicable: fmp4.length > 0 }),
    judge({ id: '9.14', level: 'MUST', title: 'AVERAGE-BANDWIDTH on every variant' }, average),
    judge({ id: '9.11', level: 'SHOULD', title: 'EXT-X-INDEPENDENT-SEGMENTS when every segment starts with an IDR' }, independent ? [] : ['master: no EXT-X-INDEPENDENT-SEGMENTS although every segment starts with an IDR'], {
      applicable: everyIdr,
    }),
    judge({ id: '7.7', level: 'MUST', title: 'no segment longer than TARGETDURATION + 0.5 s' }, tooLong, { applicable: media.length > 0 }),
    judge({ id: '8.2', level: 'MUST', title: 'one TARGETDURATION across audio and video media playlists' }, sameTarget, { applicable: media.length > 1 }),
    judge({ id: '8.1', level: 'MUST', title: 'EXTINF sum within one frame of the media duration' }, sums, { applicable: sums.length + sumEvidence.length > 0, passEvidence: sumEvidence }),
  ];
}
