/**
 * Times the ladder under each process layout the planner chooses between (one decode-once process; one
 * process per rendition, all at once or one after another; the top rendition alone + the rest together),
 * interleaved over `runs` runs, and compares the planner's default with the fastest by median wall time.
 * Beside them, the same ladder encoded in chunks (`transcode --chunk-seconds`), one chunk per core at once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { errorMessage } from './bench-util.js';
import type { BenchListener } from './bench-events.js';
import { median } from './upload-throughput.js';
import { chunkingProblem, planChunks } from '../core/plan/chunks.js';
import type { EncodePlan } from '../core/plan/encode-plan.js';
import { planLadder } from '../core/plan/plan-ladder.js';
import type { MediaInfo } from '../core/probe/media-info.js';
import type { PhaseSeconds } from '../core/phase-clock.js';
import type { PipelineStage } from '../core/events.js';
import { transcode, type TranscodeOptions } from '../core/transcode.js';
import { throwIfAborted } from '../errors.js';
import { selfAndChildrenCpuSeconds, type ProcConstants } from '../core/tools/proc-stats.js';

export interface EncodeStrategy {
  /** single | per-rendition | sequential | hybrid | default-N | chunked */
  name: string;
  description: string;
  /** ffmpeg processes (for the chunked strategy: chunks, each one process for every rendition). */
  processes: number;
  parallel: number;
  /** Chunk length, seconds, for the chunked strategy; undefined for a process layout. */
  chunkSeconds?: number | undefined;
}

export interface StrategyResult extends EncodeStrategy {
  isDefault: boolean;
  /** Rendition names per ffmpeg process, as the plan grouped them. */
  groups: string[][];
  wallSeconds: number[];
  cpuSeconds: (number | undefined)[];
  /** Seconds per stage of each run (transcode's `phases`). */
  phases: PhaseSeconds[];
  failures: string[];
  medianWallSeconds: number | undefined;
  medianCpuSeconds: number | undefined;
  /** Input seconds per wall second at the median. */
  speed: number | undefined;
  /** Median wall time over the fastest layout's (1 = the fastest; below 1 only for the chunked strategy). */
  ratioToFastest: number | undefined;
  /** The median of each stage's seconds over the runs. */
  medianPhases: PhaseSeconds | undefined;
  /** The checks' share of a run's wall time (its verify stage), median over the runs. */
  checksShare: number | undefined;
}

export interface EncodeStrategiesResult {
  renditions: string[];
  preset: string;
  runs: number;
  inputDuration: number;
  /** The process layouts, then the chunked strategy when the input can be cut into chunks. */
  strategies: StrategyResult[];
  /** The fastest process layout (the chunked strategy is compared with the default, not ranked among them). */
  fastest: string | undefined;
  defaultStrategy: string;
  /** Default's median wall time over the fastest's. */
  defaultVsFastest: number | undefined;
  /** The same ratio within each run (default / fastest-by-median in that run), and its median. */
  defaultVsFastestPerRun: number[];
  /** The chunked encode: its median wall time over the default's (below 1: chunks were faster), or why it was not run. */
  chunked: { measured: true; vsDefault: number | undefined } | { measured: false; reason: string };
}

/** The layouts to compare for a ladder of `renditions` renditions and the planner's default process count. */
export function candidateStrategies(renditions: number, defaultProcesses: number): EncodeStrategy[] {
  const list: EncodeStrategy[] = [{ name: 'single', description: 'one ffmpeg decodes once and encodes every rendition', processes: 1, parallel: 1 }];
  if (renditions > 1) {
    list.push({ name: 'per-rendition', description: 'one ffmpeg per rendition, all at once', processes: renditions, parallel: renditions });
    list.push({ name: 'sequential', description: 'one ffmpeg per rendition, one after another', processes: renditions, parallel: 1 });
  }
  if (renditions > 2) list.push({ name: 'hybrid', description: 'top rendition alone, the rest decoded once together, both at once', processes: 2, parallel: 2 });
  // The default runs all its processes at once; add it when it is none of the above (e.g. 3 of 4 on 12 cores).
  if (!list.some((s) => s.processes === defaultProcesses && s.parallel === defaultProcesses)) {
    list.push({ name: `default-${defaultProcesses}`, description: `${defaultProcesses} processes at once (the planner's default here)`, processes: defaultProcesses, parallel: defaultProcesses });
  }
  return list;
}

/** Segments per chunk tried first: 12 s chunks at the default 6 s segments. */
const SEGMENTS_PER_CHUNK = 2;

/**
 * The chunked strategy for `plan` on `cores` cores: chunks of two segments when that makes at least one
 * chunk per core, else of one segment; the reason instead when the input does not make two chunks.
 */
export function chunkedStrategy(plan: EncodePlan, cores: number): EncodeStrategy | { reason: string } {
  const segment = plan.segment.duration;
  const problem = chunkingProblem(plan, SEGMENTS_PER_CHUNK * segment);
  if (problem) return { reason: problem };
  const chunksOf = (segments: number) => ({ segments, chunks: planChunks(plan, segments * segment).length });
  const two = chunksOf(SEGMENTS_PER_CHUNK);
  const one = chunksOf(1);
  const chosen = two.chunks >= Math.max(2, cores) ? two : one.chunks >= 2 ? one : undefined;
  if (!chosen) return { reason: `the ${plan.input.duration.toFixed(1)} s input is shorter than two ${segment} s segments: one chunk at most; --duration ${2 * segment} or a longer input makes two` };
  const parallel = Math.min(cores, chosen.chunks);
  return {
    name: 'chunked',
    description: `${chosen.chunks} chunks of ${chosen.segments * segment} s (${chosen.segments} segment${chosen.segments === 1 ? '' : 's'}), ${parallel} at once, each one ffmpeg decoding once for every rendition`,
    processes: chosen.chunks,
    parallel,
    chunkSeconds: chosen.segments * segment,
  };
}

export interface EncodeStrategiesOptions {
  input: string;
  media: MediaInfo;
  transcode: Omit<TranscodeOptions, 'input' | 'outputDir' | 'signal' | 'onEvent'>;
  runs: number;
  workDir: string;
  constants: ProcConstants;
  signal?: AbortSignal | undefined;
  onEvent?: BenchListener | undefined;
}

export async function measureEncodeStrategies(options: EncodeStrategiesOptions): Promise<EncodeStrategiesResult> {
  const cores = options.transcode.plan.cores ?? availableParallelism();
  const defaultPlan = planLadder(options.media, { ...options.transcode.plan, cores, processes: undefined, parallel: undefined });
  const defaultProcesses = defaultPlan.processes.length;
  const layouts = candidateStrategies(defaultPlan.renditions.length, defaultProcesses);
  const defaultName = layouts.find((s) => s.processes === defaultProcesses && s.parallel === defaultProcesses)!.name;
  const chunked = chunkedStrategy(defaultPlan, cores);
  const strategies = 'reason' in chunked ? layouts : [...layouts, chunked];
  const results: StrategyResult[] = strategies.map((s) => {
    const plan = planLadder(options.media, { ...options.transcode.plan, cores, processes: s.chunkSeconds === undefined ? s.processes : undefined, parallel: s.parallel });
    return {
      ...s,
      isDefault: s.name === defaultName,
      // A chunk's one process encodes every rendition.
      groups: s.chunkSeconds === undefined ? plan.processes.map((members) => members.map((i) => plan.renditions[i]!.name)) : [plan.renditions.map((r) => r.name)],
      wallSeconds: [],
      cpuSeconds: [],
      phases: [],
      failures: [],
      medianPhases: undefined,
      checksShare: undefined,
      medianWallSeconds: undefined,
      medianCpuSeconds: undefined,
      speed: undefined,
      ratioToFastest: undefined,
    };
  });
  const perRun: Map<string, number>[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const times = new Map<string, number>();
    // Rotate the order each run so no layout always runs first (page cache, thermal state).
    const order = results.map((_, i) => results[(i + run - 1) % results.length]!);
    for (const strategy of order) {
      throwIfAborted(options.signal);
      const outputDir = await mkdtemp(join(options.workDir, `encode-${strategy.name}-`));
      const cpuBefore = await selfAndChildrenCpuSeconds(options.constants);
      const started = performance.now();
      try {
        const result = await transcode({
          ...options.transcode,
          input: options.input,
          outputDir,
          force: true,
          plan: { ...options.transcode.plan, cores, processes: strategy.chunkSeconds === undefined ? strategy.processes : undefined, parallel: strategy.parallel },
          chunkSeconds: strategy.chunkSeconds,
          signal: options.signal,
        });
        const seconds = (performance.now() - started) / 1000;
        const cpuAfter = await selfAndChildrenCpuSeconds(options.constants);
        strategy.wallSeconds.push(seconds);
        strategy.phases.push(result.phases);
        strategy.cpuSeconds.push(cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore);
        times.set(strategy.name, seconds);
        options.onEvent?.({ type: 'encode-run', strategy: strategy.name, run, runs: options.runs, wallSeconds: seconds, ok: true });
      } catch (error) {
        throwIfAborted(options.signal);
        strategy.failures.push(errorMessage(error));
        options.onEvent?.({ type: 'encode-run', strategy: strategy.name, run, runs: options.runs, wallSeconds: (performance.now() - started) / 1000, ok: false, error: errorMessage(error) });
      } finally {
        await rm(outputDir, { recursive: true, force: true });
      }
    }
    perRun.push(times);
  }
  for (const s of results) {
    if (s.wallSeconds.length === 0) continue;
    s.medianWallSeconds = median(s.wallSeconds);
    const cpu = s.cpuSeconds.filter((c): c is number => c !== undefined);
    s.medianCpuSeconds = cpu.length ? median(cpu) : undefined;
    s.speed = options.media.duration / s.medianWallSeconds;
    s.medianPhases = medianPhases(s.phases);
    const shares = s.phases.flatMap((phases, i) => (phases.verify === undefined ? [] : [phases.verify / s.wallSeconds[i]!]));
    s.checksShare = shares.length > 0 ? median(shares) : undefined;
  }
  const measured = results.filter((s) => s.medianWallSeconds !== undefined);
  const fastest = measured.filter((s) => s.chunkSeconds === undefined).reduce<StrategyResult | undefined>((best, s) => (best === undefined || s.medianWallSeconds! < best.medianWallSeconds! ? s : best), undefined);
  for (const s of measured) s.ratioToFastest = fastest ? s.medianWallSeconds! / fastest.medianWallSeconds! : undefined;
  const def = results.find((s) => s.isDefault)!;
  const chunkedResult = results.find((s) => s.chunkSeconds !== undefined);
  const defaultVsFastestPerRun = fastest
    ? perRun.flatMap((times) => {
        const d = times.get(def.name);
        const f = times.get(fastest.name);
        return d !== undefined && f !== undefined ? [d / f] : [];
      })
    : [];
  return {
    renditions: defaultPlan.renditions.map((r) => r.name),
    preset: defaultPlan.video.preset,
    runs: options.runs,
    inputDuration: options.media.duration,
    strategies: results,
    fastest: fastest?.name,
    defaultStrategy: def.name,
    defaultVsFastest: def.ratioToFastest,
    defaultVsFastestPerRun,
    chunked:
      'reason' in chunked
        ? { measured: false, reason: chunked.reason }
        : { measured: true, vsDefault: chunkedResult?.medianWallSeconds !== undefined && def.medianWallSeconds !== undefined ? chunkedResult.medianWallSeconds / def.medianWallSeconds : undefined },
  };
}

/** Each stage's median over the runs that timed it, in the order the stages ran. */
function medianPhases(runs: readonly PhaseSeconds[]): PhaseSeconds | undefined {
  if (runs.length === 0) return undefined;
  const stages = [...new Set(runs.flatMap((phases) => Object.keys(phases) as PipelineStage[]))];
  return Object.fromEntries(stages.map((stage) => [stage, Number(median(runs.flatMap((phases) => (phases[stage] === undefined ? [] : [phases[stage]]))).toFixed(3))]));
}
