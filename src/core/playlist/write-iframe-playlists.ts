/**
 * Writes `iframes.m3u8` beside each rendition's `index.m3u8`: byte ranges of the keyframes in the segments
 * ffmpeg wrote (no second copy of the data), measured for the master's EXT-X-I-FRAME-STREAM-INF.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncodeError } from '../../errors.js';
import { averageBandwidth, peakBandwidth } from './bandwidth.js';
import { buildIframePlaylist, iframeDurations, ticksToSeconds, type IframeEntry, type IframeMap } from './iframe-playlist.js';
import type { MasterIframeStream } from './master-playlist.js';
import { parseMediaPlaylist } from './media-playlist.js';
import type { RenditionResult } from './measure-renditions.js';
import { mp4Keyframes, mp4VideoTrack } from './mp4-keyframes.js';
import { tsKeyframes, type TsKeyframes } from './ts-keyframes.js';

/** File name of a rendition's I-frame playlist. */
export const IFRAME_PLAYLIST = 'iframes.m3u8';

export interface Located {
  uri: string;
  offset: number;
  length: number;
  ticks: number;
}

/** The keyframes of a rendition's segments, where they are, and the map ranges without PAT/PMT need. */
export interface KeyframeIndex {
  found: Located[];
  map: IframeMap | undefined;
  timescale: number;
}

/** One TS segment's keyframes as tsKeyframes found them. */
export interface TsSegmentKeyframes extends TsKeyframes {
  uri: string;
}

/** The keyframe index of TS segments in playlist order; a map to the first segment's PAT/PMT when a range lacks them. */
export function tsKeyframeIndex(segments: readonly TsSegmentKeyframes[]): KeyframeIndex {
  const found: Located[] = [];
  let header: { uri: string; length: number } | undefined;
  let needsMap = false;
  for (const { uri, keyframes, headerLength } of segments) {
    header ??= { uri, length: headerLength };
    for (const k of keyframes) {
      needsMap ||= !k.selfContained;
      found.push({ uri, offset: k.offset, length: k.length, ticks: k.pts });
    }
  }
  const map = needsMap && header && header.length > 0 ? { uri: header.uri, byterange: { offset: 0, length: header.length } } : undefined;
  return { found, map, timescale: 90_000 };
}

/** Keyframes of every TS segment of a rendition directory. */
async function tsRanges(dir: string, uris: readonly string[]): Promise<KeyframeIndex> {
  const segments: TsSegmentKeyframes[] = [];
  for (const uri of uris) segments.push({ uri, ...tsKeyframes(await readFile(join(dir, uri))) });
  return tsKeyframeIndex(segments);
}

/** Keyframes at the start of every fMP4 fragment, with the rendition's init segment as the map. */
async function mp4Ranges(dir: string, uris: readonly string[], initUri: string): Promise<KeyframeIndex> {
  const track = mp4VideoTrack(await readFile(join(dir, initUri)));
  const found: Located[] = [];
  for (const uri of uris) {
    for (const k of mp4Keyframes(await readFile(join(dir, uri)), track)) found.push({ uri, offset: k.offset, length: k.length, ticks: k.pts });
  }
  return { found, map: { uri: initUri }, timescale: track.timescale };
}

/** Writes the I-frame playlist of one measured rendition under `workDir`; returns its master line's data. */
export async function writeIframePlaylist(rendition: RenditionResult, workDir: string): Promise<MasterIframeStream> {
  const dir = join(workDir, rendition.name);
  const playlist = parseMediaPlaylist(await readFile(join(dir, 'index.m3u8'), 'utf8'));
  const uris = playlist.segments.map((s) => s.uri);
  let located: KeyframeIndex;
  try {
    located = playlist.initUri ? await mp4Ranges(dir, uris, playlist.initUri) : await tsRanges(dir, uris);
  } catch (error) {
    throw new EncodeError(`rendition ${rendition.name}: cannot index its keyframes: ${(error as Error).message}`, { cause: error });
  }
  return writeIndexedIframePlaylist(rendition, located, workDir);
}

/** Writes the I-frame playlist of a rendition whose keyframes are already indexed (a chunked encode's manifests). */
export async function writeIndexedIframePlaylist(rendition: RenditionResult, located: KeyframeIndex, workDir: string): Promise<MasterIframeStream> {
  const { found, map, timescale } = located;
  if (found.length === 0) throw new EncodeError(`rendition ${rendition.name}: no keyframe found in its segments`);
  const durations = iframeDurations(ticksToSeconds(found.map((f) => f.ticks), timescale), rendition.duration);
  const entries: IframeEntry[] = found.map((f, i) => ({ uri: f.uri, offset: f.offset, length: f.length, duration: durations[i]! }));
  await writeFile(join(workDir, rendition.name, IFRAME_PLAYLIST), buildIframePlaylist(entries, map));
  const measures = entries.map((e) => ({ duration: e.duration, bytes: e.length }));
  return {
    uri: `${rendition.name}/${IFRAME_PLAYLIST}`,
    bandwidth: peakBandwidth(measures, Math.max(1, ...entries.map((e) => Math.round(e.duration)))),
    averageBandwidth: averageBandwidth(measures),
    codecs: rendition.codecs.filter((codec) => !/^(mp4a|ac-3|ec-3|opus|flac)/.test(codec)),
    width: rendition.width,
    height: rendition.height,
  };
}
