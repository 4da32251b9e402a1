/** Apple 7.4 (every segment starts with an IDR), 1.13 (an IDR every 2 s) and 8.22 (aligned boundaries). */
import type { Ladder, LoadedPlaylist } from './ladder-model.js';
import { frameDuration, loadedVariants, segmentStart } from './measure.js';
import { judge, type RuleResult } from './report.js';

/** Longest allowed distance between IDR frames (Apple 1.13), seconds. */
export const MAX_IDR_INTERVAL = 2;

function videoPlaylists(ladder: Ladder): LoadedPlaylist[] {
  return [...ladder.playlists.values()].filter((p) => p.playlist && (p.role === 'variant' || p.role === 'video') && p.segments.some((s) => (s.probe?.videoPackets.length ?? 0) > 0));
}

/** Segment boundaries (start times) of a playlist from EXTINF, relative to its first segment. */
function extinfStarts(playlist: LoadedPlaylist): number[] {
  let t = 0;
  return playlist.segments.map((s) => {
    const start = t;
    t += s.extinf;
    return start;
  });
}

export function keyframeRules(ladder: Ladder): RuleResult[] {
  const playlists = videoPlaylists(ladder);

  const idr: string[] = [];
  for (const p of playlists) {
    for (const s of p.segments) {
      const first = s.probe?.videoPackets[0];
      if (first && !first.key) {
        const frame = s.probe?.videoFrames?.[0];
        idr.push(`${s.name}: first frame is not a keyframe${frame?.pictType ? ` (first decoded frame: ${frame.pictType}${frame.key ? ', key' : ''})` : ''}`);
      }
    }
  }

  const interval: string[] = [];
  const intervalOk: string[] = [];
  for (const p of playlists) {
    const keys = [...new Set(p.segments.flatMap((s) => (s.probe?.videoPackets ?? []).filter((k) => k.key && Number.isFinite(k.pts)).map((k) => k.pts)))].sort((a, b) => a - b);
    let worst = 0;
    let at = 0;
    for (let i = 1; i < keys.length; i++) {
      if (keys[i]! - keys[i - 1]! > worst) {
        worst = keys[i]! - keys[i - 1]!;
        at = keys[i - 1]!;
      }
    }
    const slack = (frameDuration(p) ?? 0) / 2;
    const line = `${p.name}: keyframes at most ${worst.toFixed(2)} s apart`;
    if (worst > MAX_IDR_INTERVAL + slack) interval.push(`${line} (from ${at.toFixed(2)} s)`);
    else intervalOk.push(line);
  }

  // 8.22: video variants by measured start times (within half a frame); other renditions by EXTINF.
  const aligned: string[] = [];
  const variants = loadedVariants(ladder).map((v) => v.playlist).filter((p): p is LoadedPlaylist => p !== undefined && playlists.includes(p));
  const reference = variants[0];
  let compared = 0;
  if (reference) {
    const refStarts = reference.segments.map(segmentStart);
    const tolerance = (frameDuration(reference) ?? 0.04) / 2;
    for (const p of new Set(variants.slice(1))) {
      compared++;
      if (p.segments.length !== reference.segments.length) {
        aligned.push(`${p.name}: ${p.segments.length} segments, ${reference.name}: ${reference.segments.length}`);
        continue;
      }
      const starts = p.segments.map(segmentStart);
      const off = starts.findIndex((s, i) => s !== undefined && refStarts[i] !== undefined && Math.abs(s - refStarts[i]!) > tolerance);
      if (off >= 0) aligned.push(`${p.segments[off]!.name} starts at ${starts[off]!.toFixed(3)} s, ${reference.segments[off]!.name} at ${refStarts[off]!.toFixed(3)} s`);
    }
    // Boundaries of other renditions (audio, subtitles) by EXTINF, within 0.1 s of the video's: a short
    // last segment (AAC priming spilling past the video's end) starts at the video's end and is allowed.
    const refExtinf = extinfStarts(reference);
    const refEnd = reference.segments.reduce((sum, s) => sum + s.extinf, 0);
    const near = (t: number, list: number[]) => list.some((b) => Math.abs(b - t) <= 0.1);
    for (const p of ladder.playlists.values()) {
      if (!p.playlist || (p.role !== 'audio' && p.role !== 'subtitles')) continue;
      compared++;
      const starts = extinfStarts(p);
      const stray = starts.findIndex((s) => !near(s, [...refExtinf, refEnd]));
      const missing = refExtinf.findIndex((b) => !near(b, starts));
      if (stray >= 0) aligned.push(`${p.segments[stray]!.name} starts at ${starts[stray]!.toFixed(3)} s (EXTINF), no ${reference.name} segment starts there`);
      else if (missing >= 0) aligned.push(`${p.name}: no segment starts at ${refExtinf[missing]!.toFixed(3)} s, where ${reference.segments[missing]!.name} starts`);
    }
  }

  return [
    judge({ id: '7.4', level: 'MUST', title: 'every segment starts with an IDR frame' }, idr, { applicable: playlists.length > 0 }),
    judge({ id: '1.13', level: 'SHOULD', title: 'an IDR frame at least every 2 s' }, interval, { applicable: playlists.length > 0, passEvidence: intervalOk }),
    judge({ id: '8.22', level: 'SHOULD', title: 'segment boundaries aligned across variants and renditions' }, aligned, {
      applicable: compared > 0,
      passEvidence: [`${compared + 1} playlists, boundaries within half a frame`],
    }),
  ];
}
