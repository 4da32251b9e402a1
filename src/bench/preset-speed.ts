/**
 * What speed costs: the ladder encoded once per x264 preset (the planner's process layout), each timed,
 * and its top rendition scored with SSIM and PSNR against the source at the same bit rate. The encode
 * times are this machine's cost model (core-seconds per output megapixel), which bench saves as the
 * calibration the speed floor reads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchListener } from './bench-events.js';
import { errorMessage } from './bench-util.js';
import { measureQuality } from './quality.js';
import { completeCostModel, ladderMegapixelsPerSecond, type CostModel } from '../core/plan/cost-model.js';
import { planLadder } from '../core/plan/plan-ladder.js';
import type { X264Preset } from '../core/plan/preset.js';
import type { MediaInfo } from '../core/probe/media-info.js';
import { transcode, type TranscodeOptions } from '../core/transcode.js';
import { throwIfAborted } from '../errors.js';

export interface PresetMeasurement {
  preset: X264Preset;
  ok: boolean;
  error: string | undefined;
  /** The whole transcode (probe to publish), seconds. */
  wallSeconds: number | undefined;
  /** The ffmpeg encode alone, seconds: what the cost model is made of. */
  encodeSeconds: number | undefined;
  /** Input seconds per wall second of the whole transcode. */
  speed: number | undefined;
  /** Encode seconds x cores / output megapixels. */
  coreSecondsPerMegapixel: number | undefined;
  ssim: number | undefined;
  psnr: number | undefined;
}

export interface PresetSpeedResult {
  cores: number;
  renditions: string[];
  /** The scored rendition: name, size and target bit rate. */
  top: { name: string; width: number; height: number; bitrate: number };
  megapixelsPerSecond: number;
  presets: PresetMeasurement[];
  /** The measured presets as a cost model, the others scaled from the built-in table; undefined when none succeeded. */
  costModel: CostModel | undefined;
}

export interface PresetSpeedOptions {
  input: string;
  media: MediaInfo;
  presets: readonly X264Preset[];
  cores: number;
  transcode: Omit<TranscodeOptions, 'input' | 'outputDir' | 'signal' | 'onEvent'>;
  workDir: string;
  signal?: AbortSignal | undefined;
  onEvent?: BenchListener | undefined;
}

export async function measurePresetSpeed(options: PresetSpeedOptions): Promise<PresetSpeedResult> {
  const plan = planLadder(options.media, { ...options.transcode.plan, cores: options.cores, preset: options.presets[0] });
  const top = plan.renditions[0]!;
  const megapixelsPerSecond = ladderMegapixelsPerSecond(plan.renditions, plan.video.fps);
  const presets: PresetMeasurement[] = [];
  for (const [index, preset] of options.presets.entries()) {
    throwIfAborted(options.signal);
    const outputDir = await mkdtemp(join(options.workDir, `preset-${preset}-`));
    const started = performance.now();
    let measurement: PresetMeasurement;
    try {
      const result = await transcode({
        ...options.transcode,
        input: options.input,
        outputDir,
        force: true,
        plan: { ...options.transcode.plan, cores: options.cores, preset },
        signal: options.signal,
      });
      const wallSeconds = (performance.now() - started) / 1000;
      const quality = await measureQuality(
        options.transcode.binaries.ffmpeg,
        { encoded: join(outputDir, result.renditions[0]!.playlist), source: options.input, sourceVideoStream: options.media.video.index, width: top.width, height: top.height, fps: plan.video.fps, sourceFps: options.media.video.fps },
        options.signal,
      );
      measurement = {
        preset,
        ok: true,
        error: undefined,
        wallSeconds,
        encodeSeconds: result.encodeSeconds,
        speed: result.input.duration / wallSeconds,
        coreSecondsPerMegapixel: (result.encodeSeconds * options.cores) / (megapixelsPerSecond * result.input.duration),
        ssim: quality.ssim,
        psnr: quality.psnr,
      };
    } catch (error) {
      throwIfAborted(options.signal);
      measurement = { preset, ok: false, error: errorMessage(error), wallSeconds: undefined, encodeSeconds: undefined, speed: undefined, coreSecondsPerMegapixel: undefined, ssim: undefined, psnr: undefined };
    } finally {
      await rm(outputDir, { recursive: true, force: true });
    }
    presets.push(measurement);
    options.onEvent?.({ type: 'preset-run', preset, step: index + 1, steps: options.presets.length, ok: measurement.ok, speed: measurement.speed, ssim: measurement.ssim, psnr: measurement.psnr, error: measurement.error });
  }
  const measured = presets.filter((p) => p.coreSecondsPerMegapixel !== undefined);
  return {
    cores: options.cores,
    renditions: plan.renditions.map((r) => r.name),
    top: { name: top.name, width: top.width, height: top.height, bitrate: top.videoBitrate },
    megapixelsPerSecond,
    presets,
    costModel: measured.length ? completeCostModel({ source: 'calibration', coreSecondsPerMegapixel: Object.fromEntries(measured.map((p) => [p.preset, p.coreSecondsPerMegapixel!])) }) : undefined,
  };
}
