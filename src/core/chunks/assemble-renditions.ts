/**
 * The video renditions of a chunked encode, put together from every chunk's manifest: one media playlist
 * and one I-frame playlist per rendition, with the figures the master declares measured over all the
 * segments (peak windows that cross a chunk join included), exactly as for an unchunked encode.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncodeError } from '../../errors.js';
import type { EncodePlan } from '../plan/encode-plan.js';
import type { MasterIframeStream } from '../playlist/master-playlist.js';
import { describeRendition, type RenditionResult } from '../playlist/measure-renditions.js';
import { buildMediaPlaylist, targetDurationFor } from '../playlist/media-playlist.js';
import { tsKeyframeIndex, writeIndexedIframePlaylist } from '../playlist/write-iframe-playlists.js';
import type { ChunkManifest } from './chunk-manifest.js';

export interface AssembledRenditions {
  renditions: RenditionResult[];
  iframes: MasterIframeStream[];
  /** Presentation time of the first video frame, seconds (ties subtitle cues to the video). */
  firstPts: number;
}

/** Writes every video rendition's index.m3u8 and iframes.m3u8 under `workDir` from `manifests` (one per chunk). */
export async function assembleRenditions(plan: EncodePlan, manifests: readonly ChunkManifest[], workDir: string): Promise<AssembledRenditions> {
  const ordered = [...manifests].sort((a, b) => a.chunk - b.chunk);
  ordered.forEach((m, i) => {
    if (m.chunk !== i) throw new EncodeError(`chunk ${i} has no manifest`);
  });
  const renditions: RenditionResult[] = [];
  const iframes: MasterIframeStream[] = [];
  for (const [index, planned] of plan.renditions.entries()) {
    const parts = ordered.map((m) => m.renditions.find((r) => r.name === planned.name));
    const missing = parts.findIndex((p) => p === undefined);
    if (missing >= 0) throw new EncodeError(`rendition ${planned.name}: chunk ${missing} did not encode it`);
    const codecs = new Set(parts.map((p) => p!.codec));
    if (codecs.size > 1) throw new EncodeError(`rendition ${planned.name}: chunks disagree on its codec (${[...codecs].join(', ')})`);
    const segments = parts.flatMap((p) => p!.segments);
    segments.forEach((s, i) => {
      if (s.uri !== `segment_${String(i).padStart(5, '0')}.ts`) throw new EncodeError(`rendition ${planned.name}: segment ${i} is ${s.uri}`);
    });
    const version = Math.max(...parts.map((p) => p!.playlistVersion));
    await mkdir(join(workDir, planned.name), { recursive: true });
    await writeFile(join(workDir, planned.name, 'index.m3u8'), buildMediaPlaylist(segments, { version }));
    const result = describeRendition(plan, index, segments, targetDurationFor(segments.map((s) => s.duration)), parts[0]!.codec, version);
    renditions.push(result);
    iframes.push(await writeIndexedIframePlaylist(result, tsKeyframeIndex(segments), workDir));
  }
  const first = ordered[0]?.renditions[0]?.segments[0]?.keyframes[0];
  if (!first) throw new EncodeError('the first segment has no keyframe');
  return { renditions, iframes, firstPts: first.pts / 90_000 };
}
