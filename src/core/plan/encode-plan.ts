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

/** `separate`: audio in its own renditions (EXT-X-MEDIA), encoded once; `muxed`: inside every video rendition. */
export type AudioLayout = 'separate' | 'muxed';

/** One audio rendition: a source audio track encoded once as its own media playlist. */
export interface AudioRendition {
  /** Directory name, e.g. "audio-en-stereo". */
  name: string;
  /** Source stream index (`-map 0:N`). */
  inputStream: number;
  /** LANGUAGE: an RFC 5646 tag ("en", "und" when the stream has none). */
  language: string;
  /** NAME, unique within the group. */
  title: string;
  isDefault: boolean;
  channels: 2 | 6;
  bitrate: number;
  sampleRate: number;
}

/** One WebVTT subtitle rendition made from a text subtitle stream. */
export interface SubtitleRendition {
  /** Directory name, e.g. "subs-en". */
  name: string;
  inputStream: number;
  language: string;
  title: string;
  isDefault: boolean;
  forced: boolean;
}

export interface EncodePlan {
  input: {
    /** Absolute path of the local input file. */
    path: string;
    duration: number;
    /** Source frame rate; the fps filter runs only when the output rate differs. */
    fps: number;
    /** -1 for an audio-only ladder. */
    videoStream: number;
    audioStream: number | undefined;
    /** Seconds from output time 0 to the first video frame in the source (subtitle timing). */
    videoStartTime: number;
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
  /** Audio inside every video rendition (the `muxed` layout); undefined otherwise. */
  audio: { bitrate: number; channels: 2; sampleRate: number } | undefined;
  audioLayout: AudioLayout;
  /** Separate audio renditions, one group; encoded by one extra ffmpeg process with the subtitles. */
  audioRenditions: AudioRendition[];
  subtitleRenditions: SubtitleRendition[];
  /** Source streams left out and why (bitmap subtitles): reported as warnings. */
  skipped: string[];
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
