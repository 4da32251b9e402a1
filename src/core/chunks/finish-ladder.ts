/**
 * The last step of a chunked job, without a segment at hand: every chunk's manifest and the audio and
 * subtitle manifest in, the playlists out (video, I-frame, audio, subtitles with their WebVTT segments,
 * and the master), written under `workDir` for the finisher to upload.
 */
import type { EncodePlan } from '../plan/encode-plan.js';
import { withGroups, writeMasterPlaylist, type MediaRenditionResult, type RenditionResult } from '../playlist/measure-renditions.js';
import { assembleRenditions } from './assemble-renditions.js';
import type { ChunkManifest } from './chunk-manifest.js';
import { writeMediaRenditions, type MediaManifest } from './media-manifest.js';

export interface FinishedLadder {
  renditions: RenditionResult[];
  media: MediaRenditionResult[];
}

export async function finishLadder(plan: EncodePlan, chunks: readonly ChunkManifest[], media: MediaManifest | undefined, workDir: string, ffprobe: string, signal: AbortSignal): Promise<FinishedLadder> {
  const video = await assembleRenditions(plan, chunks, workDir);
  const first = video.renditions[0]!;
  const timeline = {
    dir: workDir,
    firstSegment: 'segment_00000.ts',
    initSegment: undefined,
    segmentDurations: first.segmentDurations,
    targetDuration: first.targetDuration,
    firstPts: video.firstPts,
  };
  const renditionsMedia = media ? await writeMediaRenditions(plan, media, timeline, workDir, ffprobe, signal) : [];
  const renditions = withGroups(video.renditions, renditionsMedia);
  await writeMasterPlaylist(plan, renditions, workDir, renditionsMedia, video.iframes);
  return { renditions, media: renditionsMedia };
}
