/** The encode plan: plain data, built in memory by planLadder and carried out by the encode runner. */
import type { X264Preset } from './preset.js';
import type { PresetChoice } from './cost-model.js';
import type { SourceTreatment } from './source-treatment.js';

export type SegmentType = 'ts' | 'fmp4';

export interface PlannedRendition {
  /** Directory and display name, e.g. "720p". */
  name: string;
  width: number;
  height: number;
  /** Target video bit rate, b/s (with --crf: the cap's reference). */
  videoBitrate: number;
  maxrate: number;
  bufsize: number;
  /** H.264 level x264 must stay within (e.g. "4.0"); undefined lets x264 choose. */
  level: string | undefined;
}

export interface EncodePlan {
  input: {
    /** Absolute path of the local input file. */
    path: string;
    duration: number;
    /** Source frame rate; the fps filter runs only when the output rate differs. */
    fps: number;
    videoStream: number;
    audioStream: number | undefined;
  };
  renditions: PlannedRendition[];
  /** Deinterlacing, tone mapping, colour and frame-rate handling applied before scaling. */
  treatment: SourceTreatment;
  video: {
    preset: X264Preset;
    /** Capped CRF when set; otherwise constrained VBR at each rendition's bit rate. */
    crf: number | undefined;
    profile: 'high';
    /** Output frame rate, constant (the source's nominal rate, or field rate when deinterlaced; halved until <= 60). */
    fps: number;
    /** Seconds between IDR frames; the segment duration is a whole number of them. */
    keyframeInterval: number;
    /** x264's GOP cap in frames: one more than a keyframe interval holds (the IDRs are forced by time). */
    gop: number;
    /** x264 threads per rendition; 0 lets x264 decide. */
    threads: number;
  };
  audio: { bitrate: number; channels: 2; sampleRate: number } | undefined;
  segment: { duration: number; type: SegmentType };
  /** Rendition indices per ffmpeg process; a process with several decodes once and splits. */
  processes: number[][];
  /** How many of those processes run at once. */
  parallel: number;
  /** Upper bound on the media time ffmpeg reads, seconds (stops a lying or endless input). */
  maxInputSeconds: number;
  /** Which preset video.preset is and why (given, the size rule, or the speed floor). */
  presetChoice: PresetChoice;
}
