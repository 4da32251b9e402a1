/**
 * The audio and subtitle part of a chunked job, encoded once for the whole file by one task: each audio
 * rendition's playlist (as ffmpeg wrote it) with its segments' sizes, and each subtitle track as WebVTT.
 * The finisher cuts the subtitles to the video's segments, which only the chunks' manifests know.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseJsonWith } from './parse-json.js';
import { EncodeError, InputError } from '../../errors.js';
import { subtitlePaths } from '../encode/ffmpeg-args.js';
import type { EncodePlan } from '../plan/encode-plan.js';
import { describeAudioRendition, readMeasuredPlaylist, type MediaRenditionResult } from '../playlist/measure-renditions.js';
import { parseMediaPlaylist } from '../playlist/media-playlist.js';
import { writeSubtitleRenditions, type SegmentTimeline } from '../playlist/subtitle-renditions.js';
import { checkSegments, type CheckOptions, type SegmentCheck } from '../verify/stored-check.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);

export const mediaManifestSchema = z
  .object({
    version: z.literal(1),
    audio: z.array(z.object({ name, playlist: z.string().max(4_000_000), bytes: z.array(z.number().int().positive()).max(100_000) }).strict()).max(32),
    subtitles: z.array(z.object({ name, vtt: z.string().max(16_000_000) }).strict()).max(32),
  })
  .strict();

export type MediaManifest = z.infer<typeof mediaManifestSchema>;

export function parseMediaManifest(text: string, label: string): MediaManifest {
  return parseJsonWith(mediaManifestSchema, text, label);
}

/** Reads what the audio and subtitle process wrote under `workDir` into a manifest. */
export async function readMediaOutput(plan: EncodePlan, workDir: string): Promise<MediaManifest> {
  const audio = await Promise.all(
    plan.audioRenditions.map(async (rendition) => {
      const dir = join(workDir, rendition.name);
      const { segments } = await readMeasuredPlaylist(dir, rendition.name);
      return { name: rendition.name, playlist: await readFile(join(dir, 'index.m3u8'), 'utf8'), bytes: segments.map((s) => s.bytes) };
    }),
  );
  const subtitles = await Promise.all(
    plan.subtitleRenditions.map(async (rendition) => {
      const vtt = await readFile(subtitlePaths(workDir, rendition).source, 'utf8').catch(() => {
        throw new EncodeError(`rendition ${rendition.name}: ffmpeg wrote no WebVTT`);
      });
      return { name: rendition.name, vtt };
    }),
  );
  return { version: 1, audio, subtitles };
}

/** verify's check of every audio segment of `manifest`, by ladder key, made where they are still on disk. */
export async function checkAudioSegments(manifest: MediaManifest, workDir: string, options: CheckOptions): Promise<Record<string, SegmentCheck>> {
  const keys = manifest.audio.flatMap((a) => parseMediaPlaylist(a.playlist).segments.map((s) => `${a.name}/${s.uri}`));
  const contents = await Promise.all(keys.map((key) => readFile(join(workDir, key))));
  const checks = await checkSegments(contents.map((bytes) => ({ bytes, ranges: [] })), options);
  return Object.fromEntries(keys.map((key, i) => [key, checks[i]!]));
}

/**
 * Writes the audio playlists and the subtitle renditions of `manifest` under `workDir` (subtitles cut to
 * `timeline`, the video's segments) and returns them measured, as the master declares them.
 */
export async function writeMediaRenditions(plan: EncodePlan, manifest: MediaManifest, timeline: SegmentTimeline, workDir: string, ffprobe: string, signal: AbortSignal): Promise<MediaRenditionResult[]> {
  const audio = await Promise.all(
    plan.audioRenditions.map(async (rendition) => {
      const part = manifest.audio.find((a) => a.name === rendition.name);
      if (!part) throw new EncodeError(`rendition ${rendition.name}: the audio task did not encode it`);
      const playlist = parseMediaPlaylist(part.playlist);
      if (!playlist.ended || playlist.segments.length !== part.bytes.length || playlist.initUri !== undefined || playlist.segments.some((s) => !/^segment_\d{5,9}\.ts$/.test(s.uri))) {
        throw new InputError(`rendition ${rendition.name}: the audio task's playlist does not name its own segments`);
      }
      await mkdir(join(workDir, rendition.name), { recursive: true });
      await writeFile(join(workDir, rendition.name, 'index.m3u8'), part.playlist);
      const segments = playlist.segments.map((s, i) => ({ duration: s.duration, bytes: part.bytes[i]! }));
      return describeAudioRendition(rendition, segments, playlist.targetDuration, playlist.version);
    }),
  );
  for (const rendition of plan.subtitleRenditions) {
    const part = manifest.subtitles.find((s) => s.name === rendition.name);
    if (!part) throw new EncodeError(`rendition ${rendition.name}: the audio task did not extract it`);
    const paths = subtitlePaths(workDir, rendition);
    await mkdir(paths.dir, { recursive: true });
    await writeFile(paths.source, part.vtt);
  }
  const subtitles = await writeSubtitleRenditions(plan, timeline, workDir, ffprobe, signal);
  return [...audio, ...subtitles];
}
