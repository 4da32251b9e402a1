/** planLadder: probe result + options → EncodePlan. Pure: no disk, no processes. */
import type { FieldSample } from '../probe/field-sample.js';
import type { AudioOnlyMediaInfo, SourceMedia } from '../probe/media-info.js';
import type { AudioLayout, EncodePlan, PlannedRendition, SegmentType } from './encode-plan.js';
import { outputSampleRate, planAudioRenditions, planSubtitleRenditions, type TrackOptions } from './plan-tracks.js';
import { h264Level } from './h264-level.js';
import { gopFrames, resolveKeyframeInterval } from './keyframes.js';
import { selectPreset, type X264Preset } from './preset.js';
import { BUILT_IN_COST_MODEL, DEFAULT_MIN_SPEED, choosePreset, ladderMegapixelsPerSecond, type CostModel, type PresetChoice } from './cost-model.js';
import { defaultProcessCount, groupRenditions } from './process-groups.js';
import { DEFAULT_LADDER, renditionBitrate, selectRenditionSizes, type RungSpec } from './rungs.js';
import { planSourceTreatment, type DeinterlaceOption } from './source-treatment.js';

export interface PlanOptions {
  ladder?: readonly RungSpec[] | undefined;
  preset?: X264Preset | undefined;
  crf?: number | undefined;
  segmentDuration?: number | undefined;
  segmentType?: SegmentType | undefined;
  /** Seconds between IDR frames (default 2); rounded to divide the segment duration evenly. */
  keyframeInterval?: number | undefined;
  /** Cores this job may use (machine cores / concurrent jobs). */
  cores: number;
  /** ffmpeg processes the ladder is split into; default from `cores`. */
  processes?: number | undefined;
  /** Processes running at once; default: all of them. */
  parallel?: number | undefined;
  threads?: number | undefined;
  /** Separate audio renditions (default) or audio inside every video rendition. */
  audio?: AudioLayout | undefined;
  audioTracks?: TrackOptions['audioTracks'];
  surround?: boolean | undefined;
  /** Speed floor, x realtime, for choosing the preset when none is given (0: off; default 0.8). */
  minSpeed?: number | undefined;
  /** What the floor's predictions come from (default: the built-in table). */
  costModel?: CostModel | undefined;
  deinterlace?: DeinterlaceOption | undefined;
}

/** What effectful checks found out about the source before planning. */
export interface SourceEvidence {
  /** idet over a sample of the picture (see probe/field-sample.ts). */
  fieldSample?: FieldSample | undefined;
}

const AUDIO_BITRATE = 128_000;

/** Output frame rate: the source's, halved until it is at most 60 (a 120 fps phone clip becomes 60). */
export function outputFps(sourceFps: number): number {
  let fps = sourceFps;
  while (fps > 60.5) fps /= 2;
  return fps;
}

/** The audio and subtitle part of a plan (renditions of their own, beside the video ladder). */
function planTracks(media: SourceMedia, options: PlanOptions): Pick<EncodePlan, 'audioLayout' | 'audioRenditions' | 'subtitleRenditions' | 'skipped'> {
  const tracks = media.audioTracks ?? (media.audio ? [media.audio] : []);
  const subtitles = planSubtitleRenditions(media.video ? (media.subtitles ?? []) : []);
  // Without video there is nothing to mux audio into: an audio-only ladder always has separate renditions.
  const audioLayout: AudioLayout = media.video ? (options.audio ?? 'separate') : 'separate';
  return {
    audioLayout,
    audioRenditions: audioLayout === 'separate' ? planAudioRenditions(tracks, options) : [],
    subtitleRenditions: subtitles.renditions,
    skipped: subtitles.skipped,
  };
}

/** An audio-only ladder: no video renditions, one audio rendition per track. */
function planAudioOnly(media: AudioOnlyMediaInfo, options: PlanOptions): EncodePlan {
  const presetChoice: PresetChoice = { preset: options.preset ?? 'veryfast', source: options.preset ? 'flag' : 'size-rule', reason: 'no video to encode', predictedSpeed: undefined, minSpeed: 0, costModel: undefined };
  return {
    input: { path: media.path, duration: media.duration, fps: 0, videoStream: -1, audioStream: media.audio.index, videoStartTime: 0 },
    renditions: [],
    // Neutral video fields: nothing is decoded, scaled or encoded as video.
    treatment: { deinterlace: undefined, toneMap: undefined, input: { matrix: 'bt709', fullRange: false }, decodedFps: 0, variableFrameRate: false },
    video: { preset: presetChoice.preset, crf: options.crf, profile: 'high', fps: 0, keyframeInterval: options.keyframeInterval ?? 2, gop: 1, threads: options.threads ?? 0 },
    audio: undefined,
    ...planTracks(media, options),
    segment: { duration: options.segmentDuration ?? 6, type: options.segmentType ?? 'ts' },
    processes: [],
    parallel: 1,
    maxInputSeconds: media.duration + Math.max(5, media.duration * 0.1),
    presetChoice,
  };
}

/** Plans the ladder for `media`; a source without video (allowed by the caller) gets an audio-only ladder. */
export function planLadder(media: SourceMedia, options: PlanOptions, evidence: SourceEvidence = {}): EncodePlan {
  if (!media.video) return planAudioOnly(media, options);
  const segmentDuration = options.segmentDuration ?? 6;
  const keyframeInterval = resolveKeyframeInterval(segmentDuration, options.keyframeInterval).interval;
  const treatment = planSourceTreatment(media.video, { deinterlace: options.deinterlace, fieldSample: evidence.fieldSample });
  const fps = outputFps(treatment.decodedFps);
  const sizes = selectRenditionSizes(media.video.displayWidth, media.video.displayHeight, options.ladder ?? DEFAULT_LADDER);
  const given = new Map((options.ladder ?? []).map((rung) => [rung.size, rung.bitrate]));
  const renditions: PlannedRendition[] = sizes.map((size) => {
    const videoBitrate = renditionBitrate(size, fps, given.get(size.rung));
    const maxrate = Math.round(videoBitrate * 1.07);
    return {
      name: size.name,
      width: size.width,
      height: size.height,
      videoBitrate,
      // Constrained VBR (maxrate 1.07x, bufsize 1.5x the target): keeps the peak segment near the average.
      maxrate,
      bufsize: Math.round(videoBitrate * 1.5),
      level: h264Level(size.width, size.height, fps, maxrate),
    };
  });
  const processCount = options.processes ?? defaultProcessCount(options.cores, renditions.length);
  const processes = groupRenditions(
    renditions.map((r) => r.width * r.height),
    processCount,
  );
  const presetChoice = choosePreset({
    explicit: options.preset,
    ruled: selectPreset(media.size, media.duration),
    minSpeed: options.minSpeed ?? DEFAULT_MIN_SPEED,
    model: options.costModel ?? BUILT_IN_COST_MODEL,
    megapixelsPerSecond: ladderMegapixelsPerSecond(renditions, fps),
    cores: options.cores,
    mediaSeconds: media.duration,
  });
  return {
    input: {
      path: media.path,
      duration: media.duration,
      fps: media.video.fps,
      videoStream: media.video.index,
      audioStream: media.audio?.index,
      videoStartTime: media.video.startTime ?? 0,
    },
    renditions,
    treatment,
    video: {
      preset: presetChoice.preset,
      crf: options.crf,
      profile: 'high',
      fps,
      keyframeInterval,
      gop: gopFrames(keyframeInterval, fps),
      threads: options.threads ?? 0,
    },
    ...planTracks(media, options),
    audio: media.audio && (options.audio ?? 'separate') === 'muxed'
      ? { bitrate: AUDIO_BITRATE, channels: 2, sampleRate: outputSampleRate(media.audio.sampleRate) }
      : undefined,
    segment: { duration: segmentDuration, type: options.segmentType ?? 'ts' },
    processes,
    parallel: Math.max(1, Math.min(options.parallel ?? processes.length, processes.length)),
    maxInputSeconds: media.duration + Math.max(5, media.duration * 0.1),
    presetChoice,
  };
}
