/**
 * What one chunk of a chunked encode produced, per video rendition: its segments (duration, size) and
 * where their keyframes are (for the I-frame playlists), plus the rendition's codec string. A worker
 * uploads it beside its segments; the finisher reads every chunk's back (zod: they cross the bucket) and
 * writes the playlists from them without downloading a segment.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { parseJsonWith } from './parse-json.js';
import { EncodeError } from '../../errors.js';
import { renditionPaths } from '../encode/ffmpeg-args.js';
import type { ChunkRange } from '../plan/chunks.js';
import type { EncodePlan } from '../plan/encode-plan.js';
import { avcCodecFromAnnexB } from '../playlist/codecs.js';
import { parseMediaPlaylist } from '../playlist/media-playlist.js';
import { tsKeyframes } from '../playlist/ts-keyframes.js';
import { checkSegments, type CheckOptions, type SegmentCheck } from '../verify/stored-check.js';

const segmentSchema = z
  .object({
    uri: z.string().regex(/^segment_\d{5,9}\.ts$/),
    duration: z.number().positive().max(3600),
    bytes: z.number().int().positive(),
    /** Length of the PAT/PMT (and SDT) packets the segment starts with. */
    headerLength: z.number().int().min(0),
    keyframes: z.array(z.object({ offset: z.number().int().min(0), length: z.number().int().positive(), pts: z.number().int().min(0), selfContained: z.boolean() }).strict()).max(10_000),
  })
  .strict();

export const chunkManifestSchema = z
  .object({
    version: z.literal(1),
    chunk: z.number().int().min(0),
    renditions: z
      .array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
            codec: z.string().regex(/^avc1\.[0-9A-Fa-f]{6}$/),
            playlistVersion: z.number().int().min(1).max(12),
            segments: z.array(segmentSchema).min(1).max(100_000),
          })
          .strict(),
      )
      .min(1)
      .max(16),
  })
  .strict();

export type ChunkManifest = z.infer<typeof chunkManifestSchema>;
export type ChunkSegment = z.infer<typeof segmentSchema>;

/** Parses a manifest read back from the bucket; anything else is an InputError naming the problem. */
export function parseChunkManifest(text: string, label: string): ChunkManifest {
  return parseJsonWith(chunkManifestSchema, text, label);
}

/** Segments a chunk must have in every rendition: its length in segments, or at least one for the last. */
function expectedSegments(plan: EncodePlan, chunk: ChunkRange): number | undefined {
  return chunk.end === undefined ? undefined : Math.round((chunk.end - chunk.start) / plan.segment.duration);
}

/**
 * Reads what ffmpeg wrote for `chunk` under `workDir`: every rendition's chunk playlist, its segments'
 * sizes and keyframes. Checks that the chunk cut exactly its whole segments, numbered from its first.
 */
export async function readChunkOutput(plan: EncodePlan, chunk: ChunkRange, workDir: string): Promise<ChunkManifest> {
  const renditions = await Promise.all(
    plan.renditions.map(async (rendition) => {
      const paths = renditionPaths(workDir, plan, rendition, chunk);
      const label = `rendition ${rendition.name}, chunk ${chunk.index}`;
      let text: string;
      try {
        text = await readFile(paths.playlist, 'utf8');
      } catch {
        throw new EncodeError(`${label}: ffmpeg wrote no playlist`);
      }
      const playlist = parseMediaPlaylist(text);
      if (!playlist.ended) throw new EncodeError(`${label}: playlist has no #EXT-X-ENDLIST (encode stopped early)`);
      const expected = expectedSegments(plan, chunk);
      if (playlist.segments.length === 0 || (expected !== undefined && playlist.segments.length !== expected)) {
        throw new EncodeError(`${label}: ${playlist.segments.length} segments where ${expected ?? 'at least one'} belong`);
      }
      let codec: string | undefined;
      const segments = await Promise.all(
        playlist.segments.map(async (segment, i) => {
          const name = basename(segment.uri);
          if (name !== `segment_${String(chunk.firstSegment + i).padStart(5, '0')}.ts`) throw new EncodeError(`${label}: segment ${name} out of sequence`);
          // Read once: its size, its keyframes and (the first segment) the codec string all come from it.
          const content = await readFile(join(paths.dir, name)).catch(() => undefined);
          if (!content?.length) throw new EncodeError(`${label}: segment ${name} is missing or empty`);
          const { keyframes, headerLength } = tsKeyframes(content);
          if (keyframes.length === 0 || keyframes[0]!.offset > headerLength) throw new EncodeError(`${label}: segment ${name} does not start with a keyframe`);
          if (i === 0) codec = avcCodecFromAnnexB(content.subarray(0, 64 * 1024));
          return { uri: name, duration: segment.duration, bytes: content.length, headerLength, keyframes };
        }),
      );
      if (!codec) throw new EncodeError(`${label}: no H.264 parameter set found in the output`);
      return { name: rendition.name, codec, playlistVersion: playlist.version, segments };
    }),
  );
  return { version: 1, chunk: chunk.index, renditions };
}

/**
 * verify's check of every segment of `manifest` and its self-contained keyframe ranges, by ladder key,
 * made here where the segments are still on disk, on this worker's cores: the finisher need not read
 * them back.
 */
export async function checkChunkSegments(manifest: ChunkManifest, workDir: string, options: CheckOptions): Promise<Record<string, SegmentCheck>> {
  const segments = manifest.renditions.flatMap((r) => r.segments.map((s) => ({ key: `${r.name}/${s.uri}`, segment: s })));
  const contents = await Promise.all(segments.map(({ key }) => readFile(join(workDir, key))));
  const checks = await checkSegments(
    segments.map(({ segment }, i) => ({ bytes: contents[i]!, ranges: segment.keyframes.filter((k) => k.selfContained).map((k) => ({ offset: k.offset, length: k.length })) })),
    options,
  );
  return Object.fromEntries(segments.map(({ key }, i) => [key, checks[i]!]));
}

/** The chunk playlists a chunk leaves in the rendition folders (not part of the ladder). */
export function chunkPlaylistPaths(plan: EncodePlan, chunk: ChunkRange, workDir: string): string[] {
  return plan.renditions.map((r) => renditionPaths(workDir, plan, r, chunk).playlist);
}
