/** Measures what ffmpeg produced for each rendition (segments, sizes, codecs) and writes master.m3u8. */
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncodeError } from '../../errors.js';
import type { EncodePlan } from '../plan/encode-plan.js';
import { averageBandwidth, peakBandwidth } from './bandwidth.js';
import { AAC_LC, avcCodecFromAnnexB, avcCodecFromInitSegment } from './codecs.js';
import { buildMasterPlaylist, type MasterIframeStream } from './master-playlist.js';
import { parseMediaPlaylist, withTargetDuration } from './media-playlist.js';

export interface RenditionResult {
  name: string;
  width: number;
  height: number;
  fps: number;
  /** Media playlist, relative to the ladder root. */
  playlist: string;
  segments: number;
  /** Sum of EXTINF, seconds. */
  duration: number;
  bytes: number;
  /** Peak segment bit rate (BANDWIDTH), b/s. */
  bandwidth: number;
  /** AVERAGE-BANDWIDTH, b/s. */
  averageBandwidth: number;
  codecs: string[];
  targetBitrate: number;
  /** The media playlist's #EXT-X-VERSION. */
  playlistVersion: number;
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
  const playlistPath = join(dir, 'index.m3u8');
  let text: string;
  try {
    text = await readFile(playlistPath, 'utf8');
  } catch {
    throw new EncodeError(`rendition ${rendition.name}: ffmpeg wrote no playlist`);
  }
  const fixed = withTargetDuration(text);
  if (fixed !== text) await writeFile(playlistPath, fixed);
  const playlist = parseMediaPlaylist(fixed);
  if (!playlist.ended) throw new EncodeError(`rendition ${rendition.name}: playlist has no #EXT-X-ENDLIST (encode stopped early)`);
  if (playlist.segments.length === 0) throw new EncodeError(`rendition ${rendition.name}: no segments were produced`);
  const segments = await Promise.all(
    playlist.segments.map(async (segment) => {
      const info = await stat(join(dir, segment.uri)).catch(() => undefined);
      if (!info || info.size === 0) throw new EncodeError(`rendition ${rendition.name}: segment ${segment.uri} is missing or empty`);
      return { duration: segment.duration, bytes: info.size };
    }),
  );
  const codecSource =
    plan.segment.type === 'fmp4'
      ? avcCodecFromInitSegment(await readHead(join(dir, playlist.initUri ?? 'init.mp4'), 64 * 1024))
      : avcCodecFromAnnexB(await readHead(join(dir, playlist.segments[0]!.uri), 64 * 1024));
  if (!codecSource) throw new EncodeError(`rendition ${rendition.name}: no H.264 parameter set found in the output`);
  return {
    name: rendition.name,
    width: rendition.width,
    height: rendition.height,
    fps: plan.video.fps,
    playlist: `${rendition.name}/index.m3u8`,
    segments: segments.length,
    duration: segments.reduce((sum, s) => sum + s.duration, 0),
    bytes: segments.reduce((sum, s) => sum + s.bytes, 0),
    bandwidth: peakBandwidth(segments, playlist.targetDuration),
    averageBandwidth: averageBandwidth(segments),
    codecs: plan.audio ? [codecSource, AAC_LC] : [codecSource],
    targetBitrate: rendition.videoBitrate + (plan.audio?.bitrate ?? 0),
    playlistVersion: playlist.version,
  };
}

/** Writes master.m3u8 into `workDir` for the measured renditions; returns its path. */
export async function writeMasterPlaylist(plan: EncodePlan, renditions: readonly RenditionResult[], workDir: string, iframes: readonly MasterIframeStream[] = []): Promise<string> {
  const text = buildMasterPlaylist(
    renditions.map((r) => ({ uri: r.playlist, bandwidth: r.bandwidth, averageBandwidth: r.averageBandwidth, codecs: r.codecs, width: r.width, height: r.height, fps: r.fps })),
    // The master declares the highest version its media playlists use (ffmpeg: 6 for TS with
    // independent segments, 7 for fMP4), and at least 6 for fMP4's EXT-X-MAP.
    { version: Math.max(plan.segment.type === 'fmp4' ? 6 : 3, ...renditions.map((r) => r.playlistVersion)), iframes },
  );
  const path = join(workDir, 'master.m3u8');
  await writeFile(path, text);
  return path;
}
