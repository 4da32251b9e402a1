/**
 * Probe → field sample → plan: what a transcode does before it encodes, shared by `transcode` and by a
 * worker splitting a job into chunks (which plans once for every task). Reports through events.
 */
import { availableParallelism } from 'node:os';
import { InputError, throwIfAborted } from '../errors.js';
import { defaultCalibrationPath, readCalibration } from './calibration/calibration-file.js';
import type { PipelineListener } from './events.js';
import { formatBytes } from './finish/disk-space.js';
import { DEFAULT_MIN_SPEED, type CostModel } from './plan/cost-model.js';
import type { EncodePlan } from './plan/encode-plan.js';
import { planLadder } from './plan/plan-ladder.js';
import { sampleFields } from './probe/field-sample.js';
import type { SourceMedia } from './probe/media-info.js';
import { probeInput } from './probe/probe.js';
import type { TranscodeOptions } from './transcode.js';

/** `afterProbe` runs once the input is known to be a usable video (transcode checks its output dir there). */
export async function probeAndPlan(
  options: Pick<TranscodeOptions, 'input' | 'binaries' | 'plan' | 'calibrationFile' | 'allowAudioOnly' | 'maxVideoSize' | 'maxDurationSeconds'>,
  signal: AbortSignal,
  emit: PipelineListener,
  afterProbe: () => Promise<void> = async () => {},
): Promise<{ media: SourceMedia; plan: EncodePlan }> {
  emit({ type: 'stage', stage: 'probe' });
  const media: SourceMedia = await probeInput(options.binaries.ffprobe, options.input, { signal, allowAudioOnly: options.allowAudioOnly ?? false });
  if (media.size > options.maxVideoSize) {
    throw new InputError(`input ${options.input}: ${formatBytes(media.size)} is above the ${formatBytes(options.maxVideoSize)} limit (MAX_VIDEO_SIZE)`);
  }
  if (options.maxDurationSeconds !== undefined && media.duration > options.maxDurationSeconds) {
    throw new InputError(`the input is ${formatSeconds(media.duration)} long, above the ${formatSeconds(options.maxDurationSeconds)} limit (--max-duration)`);
  }
  emit({ type: 'probed', media });
  await afterProbe();
  throwIfAborted(signal);

  // Interlacing is judged from the picture too (flags lie), unless deinterlacing is switched off.
  const fieldSample = options.plan.deinterlace === 'off' || !media.video ? undefined : await sampleFields(options.binaries.ffmpeg, media, { signal, launcher: options.binaries.launcher });
  throwIfAborted(signal);

  emit({ type: 'stage', stage: 'plan' });
  const costModel = await costModelFor(options, emit);
  const plan: EncodePlan = planLadder(media, { cores: availableParallelism(), ...options.plan, costModel }, { fieldSample });
  return { media, plan };
}

function formatSeconds(seconds: number): string {
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : seconds >= 60 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(1)} s`;
}

/** The cost model for the speed floor: the caller's, else this machine's calibration when it is current. */
async function costModelFor(options: Pick<TranscodeOptions, 'plan' | 'calibrationFile' | 'binaries'>, emit: PipelineListener): Promise<CostModel | undefined> {
  const { plan } = options;
  if (plan.costModel || plan.preset !== undefined || !((plan.minSpeed ?? DEFAULT_MIN_SPEED) > 0) || options.calibrationFile === null) return plan.costModel;
  const read = await readCalibration(options.calibrationFile ?? defaultCalibrationPath(), { cores: availableParallelism(), ffmpegVersion: options.binaries.ffmpegVersion });
  if (read.state === 'corrupt') emit({ type: 'warning', message: `ignoring the speed calibration (${read.reason}); run hlsify bench to measure it again` });
  return read.state === 'calibrated' ? read.model : undefined;
}
