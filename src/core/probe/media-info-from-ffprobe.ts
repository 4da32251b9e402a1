/** Pure conversion of validated ffprobe JSON into MediaInfo; every gap in the data is an InputError. */
import { InputError } from '../../errors.js';
import { MAX_PIXELS, maxPixelsText } from '../tools/hardening.js';
import type { FfprobeOutput, FfprobeStream } from './ffprobe-schema.js';
import type { AudioInfo, AudioOnlyMediaInfo, MediaInfo, SourceMedia, SubtitleInfo, VideoInfo } from './media-info.js';

/** Parses "30000/1001" or "25" into a number; undefined for 0/0, 0 or garbage. */
export function parseRate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const [num, den = '1'] = text.split('/');
  const value = Number(num) / Number(den);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Bit depth from bits_per_raw_sample, else from the pixel format name (yuv420p10le → 10). */
export function bitDepthOf(stream: Pick<FfprobeStream, 'bits_per_raw_sample' | 'pix_fmt'>): number {
  const raw = stream.bits_per_raw_sample;
  if (raw !== undefined && Number.isFinite(raw) && raw > 0) return raw;
  // yuv420p10le, p010le, gray12le → 10, 10, 12; packed RGB names count all components (rgb48le), so cap at 16.
  const match = /(\d{1,2})(le|be)$/.exec(stream.pix_fmt ?? '');
  return match ? Math.min(16, Number(match[1])) : 8;
}

/** Rotation the player applies, normalised to 0/90/180/270 (display matrix first, then the old `rotate` tag). */
export function rotationOf(stream: Pick<FfprobeStream, 'side_data_list' | 'tags'>): number {
  const matrix = stream.side_data_list?.find((data) => data.rotation !== undefined);
  const raw = matrix?.rotation ?? Number(stream.tags?.rotate ?? 0);
  if (!Number.isFinite(raw)) return 0;
  return ((Math.round(raw / 90) * 90) % 360 + 360) % 360;
}

function videoInfo(stream: FfprobeStream): VideoInfo {
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (width <= 0 || height <= 0) throw new InputError('its video stream has no frame size (corrupt or unsupported video)');
  // ffmpeg's -max_pixels refuses such frames only once the encode has started, as a filter-graph failure.
  if (width * height > MAX_PIXELS) throw new InputError(`its video is ${width}×${height}, larger than hlsify's limit of ${maxPixelsText()}`);
  const fps = parseRate(stream.avg_frame_rate) ?? parseRate(stream.r_frame_rate);
  if (fps === undefined || fps > 1000) throw new InputError('its video stream has no usable frame rate');
  const sar = parseRate(stream.sample_aspect_ratio?.replace(':', '/')) ?? 1;
  const rotation = rotationOf(stream);
  const squareWidth = Math.round(width * sar);
  const swap = rotation === 90 || rotation === 270;
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    codedWidth: width,
    codedHeight: height,
    displayWidth: swap ? height : squareWidth,
    displayHeight: swap ? squareWidth : height,
    rotation,
    fps,
    pixFmt: stream.pix_fmt ?? 'unknown',
    bitDepth: bitDepthOf(stream),
    nominalFps: parseRate(stream.r_frame_rate),
    fieldOrder: stream.field_order ?? 'unknown',
    colour: {
      range: known(stream.color_range),
      matrix: known(stream.color_space),
      transfer: known(stream.color_transfer),
      primaries: known(stream.color_primaries),
    },
    streamDuration: streamDurationOf(stream),
    startTime: finite(stream.start_time),
  };
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** A tag by name, whatever its case (Matroska writes LANGUAGE in some files, mp4 language). */
function tag(stream: FfprobeStream, name: string): string | undefined {
  const entry = Object.entries(stream.tags ?? {}).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1].trim();
  return value ? value : undefined;
}

/** Subtitle codecs that are text and convert to WebVTT; the rest (PGS, DVB, VobSub) are bitmaps. */
export const TEXT_SUBTITLE_CODECS: ReadonlySet<string> = new Set(['subrip', 'srt', 'ass', 'ssa', 'mov_text', 'webvtt', 'text']);

function subtitleInfo(stream: FfprobeStream): SubtitleInfo {
  const codec = stream.codec_name ?? 'unknown';
  return {
    index: stream.index,
    codec,
    text: TEXT_SUBTITLE_CODECS.has(codec),
    language: tag(stream, 'language'),
    title: tag(stream, 'title'),
    isDefault: stream.disposition?.default === 1,
    forced: stream.disposition?.forced === 1,
  };
}

/** ffprobe prints "unknown" (or nothing) for an untagged colour property. */
function known(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value === 'unknown' || value === 'unspecified' ? undefined : value;
}

/** Parses Matroska's "00:00:04.000000000" DURATION tag into seconds. */
export function parseClockDuration(text: string | undefined): number | undefined {
  const match = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text?.trim() ?? '');
  if (!match) return undefined;
  const seconds = Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** The stream's own duration: ffprobe's field (MP4, TS), else Matroska's per-stream DURATION tag. */
function streamDurationOf(stream: FfprobeStream): number | undefined {
  const own = stream.duration;
  if (own !== undefined && Number.isFinite(own) && own > 0) return own;
  return parseClockDuration(stream.tags?.DURATION ?? stream.tags?.duration);
}

function audioInfo(stream: FfprobeStream): AudioInfo {
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    channels: stream.channels ?? 2,
    channelLayout: stream.channel_layout,
    sampleRate: stream.sample_rate ?? 48000,
    language: tag(stream, 'language'),
    title: tag(stream, 'title'),
    isDefault: stream.disposition?.default === 1,
  };
}

/** Builds MediaInfo from ffprobe's validated output; without a video stream, audio-only media when allowed. */
export function mediaInfoFromFfprobe(probe: FfprobeOutput, path: string, fileSize: number): MediaInfo;
export function mediaInfoFromFfprobe(probe: FfprobeOutput, path: string, fileSize: number, options: { allowAudioOnly?: boolean }): SourceMedia;
export function mediaInfoFromFfprobe(probe: FfprobeOutput, path: string, fileSize: number, options: { allowAudioOnly?: boolean } = {}): SourceMedia {
  const videoStream = probe.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audioTracks = probe.streams.filter((s) => s.codec_type === 'audio' && (s.channels ?? 1) > 0).map(audioInfo);
  const subtitles = probe.streams.filter((s) => s.codec_type === 'subtitle').map(subtitleInfo);
  const audio = audioTracks[0];
  if (!videoStream) {
    if (!options.allowAudioOnly || !audio) throw new InputError(audio ? 'it has no video stream (an audio-only ladder needs --allow-audio-only)' : 'it has no video stream');
    const audioStream = probe.streams.find((s) => s.index === audio.index)!;
    const duration = [audioStream.duration, probe.format.duration].find((d) => d !== undefined && Number.isFinite(d) && d > 0);
    if (duration === undefined) throw new InputError('its duration is unknown (truncated?)');
    const bitrate = probe.format.bit_rate;
    const media: AudioOnlyMediaInfo = {
      path,
      size: fileSize,
      format: probe.format.format_name,
      duration,
      bitrate: bitrate !== undefined && Number.isFinite(bitrate) ? bitrate : Math.round((fileSize * 8) / duration),
      video: undefined,
      audio,
      audioTracks,
      subtitles,
    };
    return media;
  }
  const video = videoInfo(videoStream);
  // Relative to the container start, which is where ffmpeg puts output time 0.
  const formatStart = finite(probe.format.start_time) ?? 0;
  if (video.startTime !== undefined) video.startTime = Math.max(0, video.startTime - formatStart);
  // The video stream's length, not the container's: audio or subtitles may run longer than the picture.
  const duration = [video.streamDuration, probe.format.duration].find((d) => d !== undefined && Number.isFinite(d) && d > 0);
  if (duration === undefined) throw new InputError('its duration is unknown (truncated or a still image?)');
  const bitrate = probe.format.bit_rate;
  return {
    path,
    size: fileSize,
    format: probe.format.format_name,
    duration,
    bitrate: bitrate !== undefined && Number.isFinite(bitrate) ? bitrate : Math.round((fileSize * 8) / duration),
    video,
    audio,
    audioTracks,
    subtitles,
  };
}
