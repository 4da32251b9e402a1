/** Measures what ffmpeg produced for each rendition (segments, sizes, codecs) and writes master.m3u8. */
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncodeError } from '../../errors.js';
import type { AudioRendition, EncodePlan } from '../plan/encode-plan.js';
import { segmentFigures, type SegmentFigures, type SegmentMeasure } from './bandwidth.js';
import { AAC_LC, avcCodecFromAnnexB, avcCodecFromInitSegment } from './codecs.js';
import { buildMasterPlaylist, type MasterIframeStream, type MasterMedia, type MasterVariant } from './master-playlist.js';
import { parseMediaPlaylist, withTargetDuration, type MediaPlaylist } from './media-playlist.js';

export interface RenditionResult extends SegmentFigures {
  name: string;
  width: number;
  height: number;
  fps: number;
  /** Media playlist, relative to the ladder root. */
  playlist: string;
  /**
   * The peak and average of this rendition's own segments, b/s. `bandwidth` and `averageBandwidth` are
   * what the master declares: these plus the largest rendition of each of its groups (see withGroups).
   */
  videoBandwidth: number;
  videoAverageBandwidth: number;
  /** CODECS of the variant (video, then audio when it has any). */
  codecs: string[];
  targetBitrate: number;
  /** The media playlist's #EXT-X-VERSION. */
  playlistVersion: number;
}

/** A measured audio or subtitle rendition (an EXT-X-MEDIA of the master). */
export interface MediaRenditionResult extends SegmentFigures {
  type: 'AUDIO' | 'SUBTITLES';
  name: string;
  /** NAME, LANGUAGE and flags as the master declares them. */
  title: string;
  language: string;
  isDefault: boolean;
  forced: boolean;
  channels: number | undefined;
  playlist: string;
  codecs: string[];
  playlistVersion: number;
}

/** Reads a media playlist ffmpeg wrote and the size of each of its segments; anything missing is an EncodeError. */
export async function readMeasuredPlaylist(dir: string, label: string): Promise<{ playlist: MediaPlaylist; segments: SegmentMeasure[] }> {
  const playlistPath = join(dir, 'index.m3u8');
  let text: string;
  try {
    text = await readFile(playlistPath, 'utf8');
  } catch {
    throw new EncodeError(`rendition ${label}: ffmpeg wrote no playlist`);
  }
  // ffmpeg 5.1 can write a target below a rounded EXTINF (RFC 8216 §4.3.3.1): recomputed from the real ones.
  const fixed = withTargetDuration(text);
  if (fixed !== text) await writeFile(playlistPath, fixed);
  const playlist = parseMediaPlaylist(fixed);
  if (!playlist.ended) throw new EncodeError(`rendition ${label}: playlist has no #EXT-X-ENDLIST (encode stopped early)`);
  if (playlist.segments.length === 0) throw new EncodeError(`rendition ${label}: no segments were produced`);
  const segments = await Promise.all(
    playlist.segments.map(async (segment) => {
      const info = await stat(join(dir, segment.uri)).catch(() => undefined);
      if (!info || info.size === 0) throw new EncodeError(`rendition ${label}: segment ${segment.uri} is missing or empty`);
      return { duration: segment.duration, bytes: info.size };
    }),
  );
  return { playlist, segments };
}

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Measures one rendition directory under `workDir`. Missing or empty segments are an EncodeError. */
export async function measureRendition(plan: EncodePlan, index: number, workDir: string): Promise<RenditionResult> {
  const rendition = plan.renditions[index]!;
  const dir = join(workDir, rendition.name);
  const { playlist, segments } = await readMeasuredPlaylist(dir, rendition.name);
  const codecSource =
    plan.segment.type === 'fmp4'
      ? avcCodecFromInitSegment(await readHead(join(dir, playlist.initUri ?? 'init.mp4'), 64 * 1024))
      : avcCodecFromAnnexB(await readHead(join(dir, playlist.segments[0]!.uri), 64 * 1024));
  if (!codecSource) throw new EncodeError(`rendition ${rendition.name}: no H.264 parameter set found in the output`);
  return describeRendition(plan, index, segments, playlist.targetDuration, codecSource, playlist.version);
}

/** A video rendition's result from its segments' durations and sizes and its codec string. */
export function describeRendition(plan: EncodePlan, index: number, segments: readonly SegmentMeasure[], targetDuration: number, codec: string, playlistVersion: number): RenditionResult {
  const rendition = plan.renditions[index]!;
  const figures = segmentFigures(segments, targetDuration);
  return {
    name: rendition.name,
    width: rendition.width,
    height: rendition.height,
    fps: plan.video.fps,
    playlist: `${rendition.name}/index.m3u8`,
    ...figures,
    videoBandwidth: figures.bandwidth,
    videoAverageBandwidth: figures.averageBandwidth,
    codecs: plan.audio ? [codec, AAC_LC] : [codec],
    targetBitrate: rendition.videoBitrate + (plan.audio?.bitrate ?? 0),
    playlistVersion,
  };
}

/** Measures one audio rendition directory under `workDir`. */
export async function measureAudioRendition(rendition: AudioRendition, workDir: string): Promise<MediaRenditionResult> {
  const { playlist, segments } = await readMeasuredPlaylist(join(workDir, rendition.name), rendition.name);
  return describeAudioRendition(rendition, segments, playlist.targetDuration, playlist.version);
}

/** An audio rendition's result from its segments' durations and sizes. */
export function describeAudioRendition(rendition: AudioRendition, segments: readonly SegmentMeasure[], targetDuration: number, playlistVersion: number): MediaRenditionResult {
  return {
    type: 'AUDIO',
    name: rendition.name,
    title: rendition.title,
    language: rendition.language,
    isDefault: rendition.isDefault,
    forced: false,
    channels: rendition.channels,
    playlist: `${rendition.name}/index.m3u8`,
    ...segmentFigures(segments, targetDuration),
    codecs: [AAC_LC],
    playlistVersion,
  };
}

export const AUDIO_GROUP = 'audio';
export const SUBTITLES_GROUP = 'subs';

const largest = (results: readonly MediaRenditionResult[], key: 'bandwidth' | 'averageBandwidth') => Math.max(0, ...results.map((r) => r[key]));

/**
 * The variants' declared figures: each video rendition's own peak and average plus the largest audio and
 * subtitle rendition of the groups it plays with (RFC 8216 §4.3.4.2: the largest sum over any playable
 * combination; Apple 9.13), and the audio codec in CODECS.
 */
export function withGroups(renditions: readonly RenditionResult[], media: readonly MediaRenditionResult[]): RenditionResult[] {
  const audio = media.filter((m) => m.type === 'AUDIO');
  const subtitles = media.filter((m) => m.type === 'SUBTITLES');
  const extraPeak = largest(audio, 'bandwidth') + largest(subtitles, 'bandwidth');
  const extraAverage = largest(audio, 'averageBandwidth') + largest(subtitles, 'averageBandwidth');
  return renditions.map((r) => ({
    ...r,
    bandwidth: r.videoBandwidth + extraPeak,
    averageBandwidth: r.videoAverageBandwidth + extraAverage,
    codecs: audio.length > 0 && !r.codecs.includes(AAC_LC) ? [...r.codecs, AAC_LC] : r.codecs,
  }));
}

/** The EXT-X-MEDIA entries for measured audio and subtitle renditions. */
export function masterMedia(media: readonly MediaRenditionResult[]): MasterMedia[] {
  return media.map((m) => ({
    type: m.type,
    groupId: m.type === 'AUDIO' ? AUDIO_GROUP : SUBTITLES_GROUP,
    name: m.title,
    language: m.language,
    isDefault: m.isDefault,
    autoselect: true,
    forced: m.forced,
    channels: m.channels,
    uri: m.playlist,
  }));
}

/** The master's variants: one per video rendition, or for an audio-only ladder one on its default audio rendition. */
export function masterVariants(renditions: readonly RenditionResult[], media: readonly MediaRenditionResult[]): MasterVariant[] {
  const audio = media.filter((m) => m.type === 'AUDIO');
  const subtitles = media.some((m) => m.type === 'SUBTITLES');
  if (renditions.length === 0) {
    const first = audio.find((a) => a.isDefault) ?? audio[0];
    if (!first) return [];
    return [{ uri: first.playlist, bandwidth: largest(audio, 'bandwidth'), averageBandwidth: largest(audio, 'averageBandwidth'), codecs: [AAC_LC], audioGroup: AUDIO_GROUP }];
  }
  return renditions.map((r) => ({
    uri: r.playlist,
    bandwidth: r.bandwidth,
    averageBandwidth: r.averageBandwidth,
    codecs: r.codecs,
    width: r.width,
    height: r.height,
    fps: r.fps,
    audioGroup: audio.length > 0 ? AUDIO_GROUP : undefined,
    subtitlesGroup: subtitles ? SUBTITLES_GROUP : undefined,
  }));
}

/** Writes master.m3u8 into `workDir` for the measured renditions (figures from withGroups); returns its path. */
export async function writeMasterPlaylist(plan: EncodePlan, renditions: readonly RenditionResult[], workDir: string, media: readonly MediaRenditionResult[] = [], iframes: readonly MasterIframeStream[] = []): Promise<string> {
  const text = buildMasterPlaylist(masterVariants(renditions, media), {
    // The master declares the highest version its media playlists use (ffmpeg: 6 for TS with
    // independent segments, 7 for fMP4), and at least 6 for fMP4's EXT-X-MAP.
    version: Math.max(plan.segment.type === 'fmp4' ? 6 : 3, ...renditions.map((r) => r.playlistVersion), ...media.map((m) => m.playlistVersion)),
    media: masterMedia(media),
    iframes,
  });
  const path = join(workDir, 'master.m3u8');
  await writeFile(path, text);
  return path;
}
