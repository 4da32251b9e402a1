/** Combines per-process progress into per-rendition and whole-ladder figures with speed and ETA. */
import type { EncodePlan } from '../plan/encode-plan.js';
import type { PipelineEvent } from '../events.js';

export function createProgressTracker(plan: EncodePlan, now: () => number = Date.now) {
  const started = now();
  // A process's share of the ladder's work: the pixels it encodes per frame.
  const weights = plan.processes.map((members) => members.reduce((sum, i) => sum + plan.renditions[i]!.width * plan.renditions[i]!.height, 0));
  // The audio and subtitle process (index processes.length) counts as a small share, or all of it without video.
  const mediaNames = [...plan.audioRenditions, ...plan.subtitleRenditions].map((r) => r.name);
  if (mediaNames.length > 0) weights.push(Math.max(1, Math.round(weights.reduce((a, b) => a + b, 0) * 0.02)));
  const processFraction = weights.map(() => 0);
  const totalWeight = weights.reduce((a, b) => a + b, 0) || 1;

  return {
    /** Records that process `index` reached `outTimeSeconds` and returns the event to emit. */
    update(index: number, outTimeSeconds: number): Extract<PipelineEvent, { type: 'encode-progress' }> {
      processFraction[index] = Math.min(1, Math.max(processFraction[index] ?? 0, outTimeSeconds / plan.input.duration));
      return this.snapshot();
    },
    snapshot(): Extract<PipelineEvent, { type: 'encode-progress' }> {
      const fraction = processFraction.reduce((sum, f, i) => sum + f * weights[i]!, 0) / totalWeight;
      const elapsedSeconds = (now() - started) / 1000;
      const renditions = plan.renditions.map((r, ri) => ({
        name: r.name,
        fraction: processFraction[plan.processes.findIndex((members) => members.includes(ri))] ?? 0,
      }));
      for (const name of mediaNames) renditions.push({ name, fraction: processFraction[plan.processes.length] ?? 0 });
      return {
        type: 'encode-progress',
        renditions,
        fraction,
        speed: elapsedSeconds > 0 ? (fraction * plan.input.duration) / elapsedSeconds : 0,
        elapsedSeconds,
        etaSeconds: fraction > 0.01 ? (elapsedSeconds * (1 - fraction)) / fraction : undefined,
      };
    },
  };
}
