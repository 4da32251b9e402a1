/**
 * Turns each subtitle track ffmpeg converted to WebVTT into a subtitle rendition: segments on the video's
 * boundaries, each with an X-TIMESTAMP-MAP that ties cue time 0 to the video's presentation timestamps.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { EncodeError, abortReason } from '../../errors.js';
import type { EncodePlan, SubtitleRendition } from '../plan/encode-plan.js';
import { subtitlePaths } from '../encode/ffmpeg-args.js';
import { segmentFigures } from './bandwidth.js';
import type { MediaRenditionResult } from './measure-renditions.js';
import { assignCues, buildSubtitlePlaylist, buildWebVttSegment, parseWebVtt, segmentName } from './webvtt-segments.js';

/** The timeline subtitles are cut to: a video rendition's segments (all renditions share them). */
export interface SegmentTimeline {
  /** Directory of the rendition, its first segment and (fMP4) init segment, relative to it. */
  dir: string;
  firstSegment: string;
  initSegment: string | undefined;
  segmentDurations: readonly number[];
  targetDuration: number;
  /** The first video frame's presentation time, seconds, when already known (else read from the first segment). */
  firstPts?: number | undefined;
}

/**
 * Presentation time of the first video frame of a segment, in seconds, read back with ffprobe (MPEG-TS
 * output starts near 1.4 s, fMP4 near 0, later when B-frames delay the first frame).
 */
export async function firstVideoPts(ffprobe: string, timeline: SegmentTimeline, signal: AbortSignal): Promise<number> {
  let path = join(timeline.dir, timeline.firstSegment);
  let joined: string | undefined;
  if (timeline.initSegment) {
    // An fMP4 segment is only readable behind its init segment.
    joined = join(timeline.dir, '.first-segment.mp4');
    await writeFile(joined, Buffer.concat([await readFile(join(timeline.dir, timeline.initSegment)), await readFile(path)]));
    path = joined;
  }
  try {
    const result = await execa(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-read_intervals', '%+#1', '-of', 'csv=p=0', path], {
      cancelSignal: signal,
      reject: false,
      timeout: 30_000,
    });
    if (result.isCanceled) throw abortReason(signal);
    const pts = Number.parseFloat(String(result.stdout).trim().split('\n')[0] ?? '');
    if (result.failed || !Number.isFinite(pts)) throw new EncodeError(`could not read the first video timestamp of ${timeline.firstSegment}`, { details: String(result.stderr) });
    return pts;
  } finally {
    if (joined) await rm(joined, { force: true });
  }
}

/** Segments one converted track and writes its playlist; removes ffmpeg's whole-track file. */
async function writeSubtitleRendition(rendition: SubtitleRendition, timeline: SegmentTimeline, mpegts: number, offset: number, workDir: string): Promise<MediaRenditionResult> {
  const paths = subtitlePaths(workDir, rendition);
  let text: string;
  try {
    text = await readFile(paths.source, 'utf8');
  } catch {
    throw new EncodeError(`rendition ${rendition.name}: ffmpeg wrote no WebVTT`);
  }
  const file = parseWebVtt(text);
  const perSegment = assignCues(file.cues, timeline.segmentDurations, offset);
  const segments = await Promise.all(
    perSegment.map(async (cues, i) => {
      const body = buildWebVttSegment(file, cues, mpegts);
      await writeFile(join(paths.dir, segmentName(i)), body);
      return { duration: timeline.segmentDurations[i]!, bytes: Buffer.byteLength(body) };
    }),
  );
  await writeFile(paths.playlist, buildSubtitlePlaylist(timeline.segmentDurations, timeline.targetDuration));
  await rm(paths.source, { force: true });
  return {
    type: 'SUBTITLES',
    name: rendition.name,
    title: rendition.title,
    language: rendition.language,
    isDefault: rendition.isDefault,
    forced: rendition.forced,
    channels: undefined,
    playlist: `${rendition.name}/index.m3u8`,
    ...segmentFigures(segments, timeline.targetDuration),
    codecs: ['wvtt'],
    playlistVersion: 3,
  };
}

/** Writes every subtitle rendition of `plan` (none without video). */
export async function writeSubtitleRenditions(plan: EncodePlan, timeline: SegmentTimeline | undefined, workDir: string, ffprobe: string, signal: AbortSignal): Promise<MediaRenditionResult[]> {
  if (plan.subtitleRenditions.length === 0 || !timeline) return [];
  const firstPts = timeline.firstPts ?? (await firstVideoPts(ffprobe, timeline, signal));
  // Cue time t of the track is source time t; the first video frame is source time videoStartTime.
  const mpegts = Math.max(0, Math.round((firstPts - plan.input.videoStartTime) * 90_000));
  return Promise.all(plan.subtitleRenditions.map((r) => writeSubtitleRendition(r, timeline, mpegts, plan.input.videoStartTime, workDir)));
}
