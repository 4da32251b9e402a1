/**
 * The speed floor: which x264 preset still encodes a ladder at least `minSpeed` x realtime on this
 * machine, predicted from a cost model (core-seconds per output megapixel at each preset). Pure: the
 * model is data, measured by `hlsify bench` (the calibration file) or the built-in table below.
 */
import { X264_PRESETS, type X264Preset } from './preset.js';

export interface CostModel {
  /** Where the costs come from: this machine's calibration, or the conservative built-in table. */
  source: 'calibration' | 'built-in';
  /**
   * Encoder cost per preset: core-seconds of wall time per megapixel of output (width x height x frames,
   * summed over the ladder's renditions). A preset left out cannot be predicted.
   */
  coreSecondsPerMegapixel: Partial<Record<X264Preset, number>>;
}

/**
 * Measured on a 2-core machine (Debian 12's ffmpeg 5.1): user+system CPU seconds of the 10 s 1080p25 sample
 * through the default four-rung ladder (908 output megapixels) in one decode-once process, per preset;
 * divided by the 0.78 of two cores such a process keeps busy there (veryfast: 12.3 CPU seconds in 7.8 s
 * of wall time), then raised by a quarter so that a somewhat slower or busier machine still reaches the
 * floor. `slower` and `veryslow` are left out: the size rule never picks them, so the floor never
 * predicts them.
 */
export const BUILT_IN_COST_MODEL: CostModel = {
  source: 'built-in',
  coreSecondsPerMegapixel: {
    ultrafast: 0.0106,
    superfast: 0.0165,
    veryfast: 0.0216,
    faster: 0.0306,
    fast: 0.038,
    medium: 0.0434,
    slow: 0.062,
  },
};

/**
 * A measured model made whole: each preset it lacks gets the built-in cost scaled by how this machine
 * compared with the built-in table on the presets it measured (the median ratio), so that measuring a
 * few presets still predicts all of them.
 */
export function completeCostModel(measured: CostModel, builtIn: CostModel = BUILT_IN_COST_MODEL): CostModel {
  const ratios = X264_PRESETS.flatMap((p) => {
    const m = measured.coreSecondsPerMegapixel[p];
    const b = builtIn.coreSecondsPerMegapixel[p];
    return m !== undefined && b !== undefined ? [m / b] : [];
  }).sort((a, b) => a - b);
  if (ratios.length === 0) return measured;
  const mid = Math.floor(ratios.length / 2);
  const factor = ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
  const costs: CostModel['coreSecondsPerMegapixel'] = {};
  for (const p of X264_PRESETS) {
    const cost = measured.coreSecondsPerMegapixel[p] ?? (builtIn.coreSecondsPerMegapixel[p] === undefined ? undefined : builtIn.coreSecondsPerMegapixel[p]! * factor);
    if (cost !== undefined) costs[p] = cost;
  }
  return { source: measured.source, coreSecondsPerMegapixel: costs };
}

/** The default floor: the bottom of the 0.8–1.2x realtime target band. */
export const DEFAULT_MIN_SPEED = 0.8;

/** Output megapixels per second of media for renditions of these sizes at `fps`. */
export function ladderMegapixelsPerSecond(renditions: readonly { width: number; height: number }[], fps: number): number {
  return (renditions.reduce((sum, r) => sum + r.width * r.height, 0) * fps) / 1e6;
}

/** Predicted media seconds per wall second at `preset` with `cores` cores; undefined when the model lacks the preset. */
export function predictSpeed(model: CostModel, preset: X264Preset, megapixelsPerSecond: number, cores: number): number | undefined {
  const cost = model.coreSecondsPerMegapixel[preset];
  if (cost === undefined || !(cost > 0) || !(megapixelsPerSecond > 0)) return undefined;
  return Math.max(1, cores) / (cost * megapixelsPerSecond);
}

/**
 * What a run costs besides the encode, measured on a 10 s 1080p30 ladder of 4 renditions on 2 cores
 * (1090 output megapixels): about 0.4 s of probing and the interlace sample, and what is left of the
 * checks once the encode ends — they decode every segment, beside the encode on its idle cycles, the rest
 * after it: 1.3-1.65 s after an 8.6 s encode (medians of interleaved runs), about 2.7 core-seconds.
 */
export const RUN_OVERHEAD = { fixedSeconds: 0.4, checkCoreSecondsPerMegapixel: 0.0025 } as const;

/** Wall seconds a run spends outside the encode, for `mediaSeconds` of media (see RUN_OVERHEAD). */
export function runOverheadSeconds(megapixelsPerSecond: number, mediaSeconds: number, cores: number): number {
  return RUN_OVERHEAD.fixedSeconds + (RUN_OVERHEAD.checkCoreSecondsPerMegapixel * megapixelsPerSecond * mediaSeconds) / Math.max(1, cores);
}

/** Whole-run speed (media seconds per wall second) from the encode's speed and the run's overhead. */
export function wholeRunSpeed(encodeSpeed: number, megapixelsPerSecond: number, mediaSeconds: number, cores: number): number {
  return mediaSeconds / (mediaSeconds / encodeSpeed + runOverheadSeconds(megapixelsPerSecond, mediaSeconds, cores));
}

export interface PresetChoice {
  preset: X264Preset;
  /** flag: given by the caller; size-rule: the input's size/duration rule; speed-floor: a faster preset to reach the floor. */
  source: 'flag' | 'size-rule' | 'speed-floor';
  /** One line for people, e.g. "slow predicted 0.41x < 0.8x floor". */
  reason: string;
  /** The chosen preset's predicted speed, x realtime, when predicted. */
  predictedSpeed: number | undefined;
  /** The floor applied (0: off). */
  minSpeed: number;
  /** The model predictions came from; undefined when none was needed. */
  costModel: CostModel['source'] | undefined;
}

export interface PresetChoiceInput {
  /** A preset the caller asked for: always wins. */
  explicit: X264Preset | undefined;
  /** The size rule's preset: the quality wanted when the machine can afford it. */
  ruled: X264Preset;
  minSpeed: number;
  model: CostModel;
  megapixelsPerSecond: number;
  cores: number;
  /** Seconds of media: when given, predictions are of the whole run (the encode plus RUN_OVERHEAD), as a user sees it. */
  mediaSeconds?: number | undefined;
}

const x = (speed: number) => `${speed.toFixed(2)}x`;

/** Picks the slowest preset, no slower than the size rule's, predicted to reach the floor; else the fastest. */
export function choosePreset(input: PresetChoiceInput): PresetChoice {
  const { explicit, ruled, minSpeed, model } = input;
  const base = { minSpeed, costModel: undefined, predictedSpeed: undefined };
  if (explicit) return { ...base, preset: explicit, source: 'flag', reason: 'given explicitly (--preset / FFMPEG_PRESET)' };
  if (!(minSpeed > 0)) return { ...base, minSpeed: 0, preset: ruled, source: 'size-rule', reason: 'from the input size and duration; speed floor off' };
  const predict = (preset: X264Preset) => {
    const encode = predictSpeed(model, preset, input.megapixelsPerSecond, input.cores);
    if (encode === undefined || input.mediaSeconds === undefined || !(input.mediaSeconds > 0)) return encode;
    return wholeRunSpeed(encode, input.megapixelsPerSecond, input.mediaSeconds, input.cores);
  };
  const ruledSpeed = predict(ruled);
  const withModel = { minSpeed, costModel: model.source };
  if (ruledSpeed === undefined) return { ...withModel, predictedSpeed: undefined, preset: ruled, source: 'size-rule', reason: `from the input size and duration; no ${model.source} cost for ${ruled}` };
  if (ruledSpeed >= minSpeed) return { ...withModel, predictedSpeed: ruledSpeed, preset: ruled, source: 'size-rule', reason: `${ruled} predicted ${x(ruledSpeed)} >= ${x(minSpeed)} floor` };
  const faster = X264_PRESETS.slice(0, X264_PRESETS.indexOf(ruled)).reverse();
  for (const preset of faster) {
    const speed = predict(preset);
    if (speed !== undefined && speed >= minSpeed) {
      return { ...withModel, predictedSpeed: speed, preset, source: 'speed-floor', reason: `${ruled} predicted ${x(ruledSpeed)} < ${x(minSpeed)} floor; ${preset} predicted ${x(speed)}` };
    }
  }
  const fastest = X264_PRESETS[0];
  const fastestSpeed = predict(fastest);
  return {
    ...withModel,
    predictedSpeed: fastestSpeed,
    preset: fastest,
    source: 'speed-floor',
    reason: `${ruled} predicted ${x(ruledSpeed)} < ${x(minSpeed)} floor; no preset reaches it, ${fastest} predicted ${fastestSpeed === undefined ? 'unknown' : x(fastestSpeed)}`,
  };
}
