/**
 * Apple 1.26, 1.27 (with 9.13) and 1.30: declared bit rates against those measured from the segments.
 * A variant played with a separate audio group is measured with the largest audio rendition of its group.
 */
import type { Ladder } from './ladder-model.js';
import { groupPlaylists, kbps, loadedVariants, measuredRate, type MeasuredRate } from './measure.js';
import type { LoadedPlaylist } from './ladder-model.js';
import { judge, type RuleResult } from './report.js';

/** Allowed distance between declared and measured, as a fraction of the declared value (Apple: 10%). */
export const BANDWIDTH_TOLERANCE = 0.1;

function withAudio(ladder: Ladder, video: MeasuredRate, audioGroup: string | undefined, own: LoadedPlaylist | undefined): { rate: MeasuredRate; note: string } {
  const group = groupPlaylists(ladder, 'AUDIO', audioGroup);
  const audio = group
    .map((r) => ({ name: r.name, rate: r.playlist ? measuredRate(r.playlist) : undefined }))
    .filter((r): r is { name: string; rate: MeasuredRate } => r.rate !== undefined);
  if (audio.length === 0) return { rate: video, note: '' };
  const peak = audio.reduce((best, r) => (r.rate.peak > best.rate.peak ? r : best));
  const average = audio.reduce((best, r) => (r.rate.average > best.rate.average ? r : best));
  // An audio-only variant whose URI is one of its group's renditions plays one of them, not both.
  if (own !== undefined && group.some((r) => r.playlist === own)) {
    return { rate: { peak: peak.rate.peak, average: average.rate.average }, note: ` (largest audio "${peak.name}")` };
  }
  return {
    rate: { peak: video.peak + peak.rate.peak, average: video.average + average.rate.average },
    note: ` (with audio "${peak.name}")`,
  };
}

function outside(measured: number, declared: number): boolean {
  return Math.abs(measured - declared) > declared * BANDWIDTH_TOLERANCE;
}

export function bandwidthRules(ladder: Ladder): RuleResult[] {
  const peak: string[] = [];
  const peakOk: string[] = [];
  const average: string[] = [];
  const averageOk: string[] = [];
  const ratio: string[] = [];
  const ratioOk: string[] = [];
  let measured = 0;
  for (const { variant, playlist } of loadedVariants(ladder)) {
    const video = playlist ? measuredRate(playlist) : undefined;
    if (!video) continue;
    measured++;
    const { rate, note } = withAudio(ladder, video, variant.audio, playlist);
    if (variant.bandwidth !== undefined) {
      const line = `${variant.uri}: measured peak ${kbps(rate.peak)}${note}, BANDWIDTH ${kbps(variant.bandwidth)} (${(((rate.peak - variant.bandwidth) / variant.bandwidth) * 100).toFixed(1)}%)`;
      (outside(rate.peak, variant.bandwidth) ? peak : peakOk).push(line);
    }
    if (variant.averageBandwidth !== undefined) {
      const line = `${variant.uri}: measured average ${kbps(rate.average)}${note}, AVERAGE-BANDWIDTH ${kbps(variant.averageBandwidth)} (${(((rate.average - variant.averageBandwidth) / variant.averageBandwidth) * 100).toFixed(1)}%)`;
      (outside(rate.average, variant.averageBandwidth) ? average : averageOk).push(line);
    }
    const line = `${variant.uri}: peak ${kbps(rate.peak)} = ${(rate.peak / rate.average).toFixed(2)}× average ${kbps(rate.average)}`;
    (rate.peak > 2 * rate.average ? ratio : ratioOk).push(line);
  }
  const anyAverage = ladder.master.variants.some((v) => v.averageBandwidth !== undefined);
  return [
    judge({ id: '1.27', level: 'MUST', title: 'measured peak bit rate (video + its audio, 9.13) within 10% of BANDWIDTH' }, peak, { applicable: measured > 0, passEvidence: peakOk }),
    judge({ id: '1.26', level: 'MUST', title: 'measured average bit rate within 10% of AVERAGE-BANDWIDTH' }, average, { applicable: measured > 0 && anyAverage, passEvidence: averageOk }),
    judge({ id: '1.30', level: 'SHOULD', title: 'peak bit rate at most 200% of the average' }, ratio, { applicable: measured > 0, passEvidence: ratioOk }),
  ];
}
