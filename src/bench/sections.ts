/** The bench's sections and defaults, cheap to import for the CLI's flag declarations. */
import { availableParallelism } from 'node:os';
import type { BenchSection } from './bench-events.js';

export const BENCH_SECTIONS: readonly BenchSection[] = ['encode', 'load', 'upload', 'queue'];

/** Jobs at once by default: one per core (each job then plans for one core). */
export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
}
