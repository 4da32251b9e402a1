/**
 * How long each stage of a run took, read from the run's own `stage` events: a stage lasts from its event
 * until the next stage's event, or until the run ends. Wraps the run's listener, so every stage the
 * pipeline announces is timed without timers sprinkled through it.
 */
import type { PipelineEvent, PipelineListener, PipelineStage } from './events.js';

/** Seconds per stage, in the order the stages ran (a stage that ran twice adds up). */
export type PhaseSeconds = Partial<Record<PipelineStage, number>>;

export interface PhaseClock {
  /** The listener to hand the pipeline: it times stage events and passes every event on. */
  emit: PipelineListener;
  /** Ends the stage in progress and returns the totals (milliseconds rounded). */
  finish(): PhaseSeconds;
}

export function phaseClock(next: PipelineListener, now: () => number = () => performance.now()): PhaseClock {
  const totals: PhaseSeconds = {};
  let current: { stage: PipelineStage; since: number } | undefined;
  const close = () => {
    if (!current) return;
    totals[current.stage] = (totals[current.stage] ?? 0) + (now() - current.since) / 1000;
    current = undefined;
  };
  return {
    emit(event: PipelineEvent) {
      if (event.type === 'stage') {
        close();
        current = { stage: event.stage, since: now() };
      }
      next(event);
    },
    finish() {
      close();
      return Object.fromEntries(Object.entries(totals).map(([stage, seconds]) => [stage, Number(seconds.toFixed(3))])) as PhaseSeconds;
    },
  };
}
