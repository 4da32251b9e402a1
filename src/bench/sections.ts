/** The bench's sections and defaults, cheap to import for the CLI's flag declarations. */
import { availableParallelism } from 'node:os';
import type { BenchSection } from './bench-events.js';
import { X264_PRESETS, type X264Preset } from '../core/plan/preset.js';

export const BENCH_SECTIONS: readonly BenchSection[] = ['presets', 'encode', 'load', 'upload', 'queue'];

/** Jobs at once by default: one per core (each job then plans for one core). */
export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
}

/** What a bench run does unless flags say otherwise: a short first look by default, the long run with --full. */
export interface BenchProfile {
  durationSeconds: number;
  runs: number;
  jobs: number;
  uploadSegments: number;
  presets: readonly X264Preset[];
}

export const BENCH_PROFILES: Record<'short' | 'full', BenchProfile> = {
  // About a minute on 2 cores: every figure measured once, on a 2 s sample; presets the size rule and the
  // speed floor choose between (ultrafast to slow).
  short: { durationSeconds: 2, runs: 1, jobs: 4, uploadSegments: 4, presets: X264_PRESETS.slice(0, X264_PRESETS.indexOf('slow') + 1) },
  full: { durationSeconds: 10, runs: 3, jobs: 20, uploadSegments: 15, presets: X264_PRESETS },
};
