/**
 * `hlsify bench`: what hlsify achieves on this machine. Runs the sections asked for (encode layouts, local
 * load, upload, queue), each measured, never assumed; a section that cannot run says why. Reports through
 * BenchEvents; never prints.
 */
import { rm } from 'node:fs/promises';
import type { BenchListener, BenchSection } from './bench-events.js';
import { errorMessage } from './bench-util.js';
import { measureEncodeStrategies } from './encode-strategies.js';
import { runLocalLoad } from './local-load.js';
import { describeMachine, type MachineInfo } from './machine-info.js';
import { procConstants } from '../core/tools/proc-stats.js';
import { runQueueLoad } from './queue-load.js';
import { buildReport, type BenchMeasurements, type BenchReport, type SectionOutcome } from './report.js';
import { generateSample } from './sample-input.js';
import { measureUploadSection } from './upload-section.js';
import type { RungSpec } from '../core/plan/rungs.js';
import type { X264Preset } from '../core/plan/preset.js';
import { planLadder } from '../core/plan/plan-ladder.js';
import type { PresetChoice } from '../core/plan/cost-model.js';
import { readCalibration, writeCalibration } from '../core/calibration/calibration-file.js';
import { measurePresetSpeed } from './preset-speed.js';
import { probeInput } from '../core/probe/probe.js';
import type { TranscodeOptions } from '../core/transcode.js';
import type { Binaries } from '../core/tools/binaries.js';
import { throwIfAborted } from '../errors.js';
import { createOwnedTempDir } from '../core/finish/owned-temp-dir.js';

import { BENCH_SECTIONS } from './sections.js';

export { BENCH_SECTIONS, defaultConcurrency } from './sections.js';

export interface BenchOptions {
  /** A file to bench with; else a sample is generated. */
  input?: string | undefined;
  sample: { width: number; height: number; durationSeconds: number };
  /** The long run (`--full`) rather than the short default; recorded in the result. */
  full: boolean;
  runs: number;
  jobs: number;
  concurrency: number;
  skip: ReadonlySet<BenchSection>;
  ladder?: RungSpec[] | undefined;
  preset?: X264Preset | undefined;
  /** Presets the presets section encodes with, fastest first. */
  presets: readonly X264Preset[];
  /** Speed floor for the planner's preset (0: off). */
  minSpeed: number;
  /** Where the calibration is read from and written to; null: neither. */
  calibrationFile: string | null;
  endpoint?: string | undefined;
  bucket?: string | undefined;
  amqpUrl?: string | undefined;
  queue: string;
  eventsExchange: string;
  /** Segments per rendition of the upload section's synthetic ladder. */
  uploadSegments: number;
  uploadConcurrency: number;
  queueTimeoutSeconds: number;
  binaries: Binaries;
  tmpRoot?: string | undefined;
  maxVideoSize: number;
  minDiskSpace: number;
  timeoutSeconds: number;
  killGraceMs: number;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
  onEvent?: BenchListener | undefined;
}

export interface BenchResult {
  machine: MachineInfo;
  input: { path: string; generated: boolean; width: number; height: number; durationSeconds: number; sizeBytes: number; fps: number };
  preset: { name: X264Preset; source: PresetChoice['source']; reason: string; minSpeed: number; costModel: PresetChoice['costModel'] | null };
  /** The calibration file: written from the presets section, or why not. */
  calibration: { path: string | null; written: boolean; reason: string };
  settings: { full: boolean; runs: number; jobs: number; concurrency: number; skipped: BenchSection[]; ladder: number[] | undefined; presets: X264Preset[] };
  measurements: BenchMeasurements;
  report: BenchReport;
  wallSeconds: number;
}

/** The least output (megapixels, all renditions) whose encode times are saved as the calibration. */
const MIN_CALIBRATION_MEGAPIXELS = 40;

/** Runs one section, turning a failure (not an interruption) into "not measured" with the reason. */
async function section<T>(name: BenchSection, options: BenchOptions, run: () => Promise<T | { measured: false; reason: string }>): Promise<SectionOutcome<T>> {
  if (options.skip.has(name)) {
    options.onEvent?.({ type: 'bench-section-skipped', section: name, reason: '--skip' });
    return { state: 'skipped' };
  }
  throwIfAborted(options.signal);
  try {
    const result = await run();
    if (typeof result === 'object' && result !== null && 'measured' in result && result.measured === false) {
      options.onEvent?.({ type: 'bench-section-skipped', section: name, reason: result.reason });
      return { state: 'not-measured', reason: result.reason };
    }
    return { state: 'measured', result: result as T };
  } catch (error) {
    throwIfAborted(options.signal);
    const reason = `failed: ${errorMessage(error)}`;
    options.onEvent?.({ type: 'bench-section-skipped', section: name, reason });
    return { state: 'not-measured', reason };
  }
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const emit = options.onEvent ?? (() => {});
  // Locked like a job's workspace: `hlsify cleanup` removes it once this process is gone (a SIGKILLed bench).
  const workDir = await createOwnedTempDir('hlsify-bench-', options.tmpRoot);
  try {
    const constants = await procConstants();
    const machine = describeMachine(options.binaries.ffmpegVersion);
    let inputPath = options.input;
    if (inputPath === undefined) {
      emit({ type: 'bench-note', message: `generating a ${options.sample.width}x${options.sample.height} ${options.sample.durationSeconds} s sample with ffmpeg` });
      inputPath = await generateSample(options.binaries.ffmpeg, workDir, options.sample, options.signal);
    }
    const media = await probeInput(options.binaries.ffprobe, inputPath, { signal: options.signal });
    emit({ type: 'bench-sample', path: media.path, width: media.video.displayWidth, height: media.video.displayHeight, durationSeconds: media.duration });
    const baseOptions: Omit<TranscodeOptions, 'input' | 'outputDir' | 'signal' | 'onEvent' | 'plan'> = {
      binaries: options.binaries,
      calibrationFile: options.calibrationFile,
      tmpRoot: options.tmpRoot,
      maxVideoSize: options.maxVideoSize,
      minDiskSpace: options.minDiskSpace,
      timeoutSeconds: options.timeoutSeconds,
      killGraceMs: options.killGraceMs,
    };

    const presets = await section('presets', options, () => {
      emit({ type: 'bench-section', section: 'presets', description: `the ladder once per x264 preset (${options.presets.join(', ')}): speed, and the top rendition's SSIM and PSNR against the source` });
      return measurePresetSpeed({ input: inputPath, media, presets: options.presets, cores: machine.cores, transcode: { ...baseOptions, plan: { ladder: options.ladder } }, workDir, signal: options.signal, onEvent: emit });
    });
    // This run's measurements are the cost model from here on, and the calibration later transcodes read.
    let costModel = presets.state === 'measured' ? presets.result.costModel : undefined;
    let calibration: BenchResult['calibration'];
    if (options.calibrationFile === null) calibration = { path: null, written: false, reason: 'no calibration file' };
    else if (!costModel) {
      const read = await readCalibration(options.calibrationFile, { cores: machine.cores, ffmpegVersion: options.binaries.ffmpegVersion });
      costModel = read.state === 'calibrated' ? read.model : undefined;
      if (read.state === 'corrupt') emit({ type: 'bench-note', message: `ignoring the speed calibration: ${read.reason}` });
      calibration = { path: options.calibrationFile, written: false, reason: read.state === 'calibrated' ? 'presets not measured; the saved calibration was used' : `presets not measured; calibration ${read.state}` };
    } else if (presets.state === 'measured' && presets.result.megapixelsPerSecond * media.duration < MIN_CALIBRATION_MEGAPIXELS) {
      // Start-up costs swamp a tiny encode: it would predict full-size encodes far too slow.
      calibration = { path: options.calibrationFile, written: false, reason: `not saved: the sample is too small to predict full-size encodes (${Math.round(presets.result.megapixelsPerSecond * media.duration)} output megapixels, at least ${MIN_CALIBRATION_MEGAPIXELS} needed, e.g. 1280x720 for 2 s)` };
    } else {
      // Only what was measured is saved; readers scale the rest from the built-in table as this run did.
      const measured = presets.state === 'measured' ? presets.result.presets.filter((p) => p.coreSecondsPerMegapixel !== undefined) : [];
      try {
        await writeCalibration(options.calibrationFile, { version: 1, cores: machine.cores, ffmpegVersion: options.binaries.ffmpegVersion, measuredAt: new Date().toISOString(), coreSecondsPerMegapixel: Object.fromEntries(measured.map((p) => [p.preset, p.coreSecondsPerMegapixel!])) });
        calibration = { path: options.calibrationFile, written: true, reason: `measured ${measured.map((p) => p.preset).join(', ')}` };
        emit({ type: 'bench-note', message: `speed calibration saved to ${options.calibrationFile}` });
      } catch (error) {
        calibration = { path: options.calibrationFile, written: false, reason: `not saved: ${errorMessage(error)}` };
      }
    }
    const choice = planLadder(media, { cores: machine.cores, ladder: options.ladder, preset: options.preset, minSpeed: options.minSpeed, costModel }).presetChoice;
    const preset = choice.preset;
    emit({ type: 'bench-note', message: `x264 preset ${preset}: ${choice.reason}` });
    const transcodeBase: Omit<TranscodeOptions, 'input' | 'outputDir' | 'signal' | 'onEvent'> = {
      ...baseOptions,
      plan: { ladder: options.ladder, preset, minSpeed: options.minSpeed, costModel },
    };

    const encode = await section('encode', options, () => {
      emit({ type: 'bench-section', section: 'encode', description: `encode layouts, ${options.runs} run(s) each, interleaved` });
      return measureEncodeStrategies({ input: inputPath, media, transcode: { ...transcodeBase, plan: { ...transcodeBase.plan, cores: machine.cores } }, runs: options.runs, workDir, constants, signal: options.signal, onEvent: emit });
    });
    const load = await section('load', options, () => {
      emit({ type: 'bench-section', section: 'load', description: `${options.jobs} jobs through the core pipeline, ${options.concurrency} at once` });
      // Each job chooses its own preset for its share of the cores, as a worker does.
      return runLocalLoad({ input: inputPath, inputDuration: media.duration, jobs: options.jobs, concurrency: options.concurrency, machineCores: machine.cores, transcode: { ...transcodeBase, plan: { ...transcodeBase.plan, preset: options.preset } }, workDir, constants, signal: options.signal, onEvent: emit });
    });
    const upload = await section('upload', options, async () => {
      emit({ type: 'bench-section', section: 'upload', description: `upload throughput, ${options.runs} run(s)` });
      const result = await measureUploadSection({ endpoint: options.endpoint, bucket: options.bucket, runs: options.runs, concurrency: options.uploadConcurrency, segments: options.uploadSegments, workDir, launcher: options.binaries.launcher, env: options.env, signal: options.signal, onEvent: emit });
      return result.measured ? result : { measured: false as const, reason: result.reason };
    });
    const queue = await section('queue', options, async () => {
      if (!options.amqpUrl) return { measured: false as const, reason: 'no --amqp' };
      if (!options.bucket) return { measured: false as const, reason: 'no --bucket the workers can read and write' };
      emit({ type: 'bench-section', section: 'queue', description: `${options.jobs} jobs to the workers on "${options.queue}"` });
      const result = await runQueueLoad({
        amqpUrl: options.amqpUrl,
        queue: options.queue,
        eventsExchange: options.eventsExchange,
        jobs: options.jobs,
        input: inputPath,
        bucket: options.bucket,
        endpoint: options.endpoint,
        env: options.env,
        ladder: options.ladder,
        preset,
        timeoutMs: options.queueTimeoutSeconds * 1000,
        signal: options.signal,
        onEvent: emit,
      });
      return result.measured ? result : { measured: false as const, reason: result.reason };
    });

    const measurements: BenchMeasurements = { presets, encode, load, upload, queue };
    return {
      machine,
      input: { path: media.path, generated: options.input === undefined, width: media.video.displayWidth, height: media.video.displayHeight, durationSeconds: media.duration, sizeBytes: media.size, fps: media.video.fps },
      preset: { name: preset, source: choice.source, reason: choice.reason, minSpeed: choice.minSpeed, costModel: choice.costModel ?? null },
      calibration,
      settings: { full: options.full, presets: [...options.presets], runs: options.runs, jobs: options.jobs, concurrency: options.concurrency, skipped: BENCH_SECTIONS.filter((s) => options.skip.has(s)), ladder: options.ladder?.map((r) => r.size) },
      measurements,
      report: buildReport(measurements, preset),
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}


