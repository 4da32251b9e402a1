/**
 * Independent checks of a ladder on disk, the way a player or Apple's validator would see it: playlists
 * parsed by hls-parser (not hlsify's own parser), streams read back with ffprobe/ffmpeg.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import HLS from 'hls-parser';
import type { types } from 'hls-parser';

export interface LadderVariant {
  variant: types.Variant;
  dir: string;
  media: types.MediaPlaylist;
  /** Segment sizes in bytes, in playlist order. */
  sizes: number[];
}

export async function readLadder(outputDir: string): Promise<{ master: types.MasterPlaylist; variants: LadderVariant[]; masterText: string }> {
  const masterText = await readFile(join(outputDir, 'master.m3u8'), 'utf8');
  const master = HLS.parse(masterText);
  if (!master.isMasterPlaylist) throw new Error('master.m3u8 is not a master playlist');
  const variants: LadderVariant[] = [];
  // I-frame streams (EXT-X-I-FRAME-STREAM-INF) are checked on their own, not as variants to play.
  for (const variant of (master as types.MasterPlaylist).variants.filter((v) => !v.isIFrameOnly)) {
    const playlistPath = join(outputDir, variant.uri);
    const media = HLS.parse(await readFile(playlistPath, 'utf8')) as types.MediaPlaylist;
    const dir = dirname(playlistPath);
    const sizes = await Promise.all(media.segments.map(async (s) => (await stat(join(dir, s.uri))).size));
    variants.push({ variant, dir, media, sizes });
  }
  return { master: master as types.MasterPlaylist, variants, masterText };
}

/** RFC 8216 §4.3.4.2 peak segment bit rate, computed here independently of hlsify. */
export function measuredPeak(durations: number[], sizes: number[], target: number): number {
  let peak = 0;
  for (let i = 0; i < durations.length; i++) {
    let d = 0;
    let b = 0;
    for (let j = i; j < durations.length; j++) {
      d += durations[j]!;
      b += sizes[j]! * 8;
      if (d >= 0.5 * target && d <= 1.5 * target) peak = Math.max(peak, b / d);
    }
  }
  return peak;
}

export function measuredAverage(durations: number[], sizes: number[]): number {
  return (sizes.reduce((a, b) => a + b, 0) * 8) / durations.reduce((a, b) => a + b, 0);
}

/** A file ffprobe can read on its own: TS segments as they are, fMP4 segments behind their init segment. */
async function withInit<T>(segmentPath: string, initPath: string | undefined, read: (path: string) => Promise<T>): Promise<T> {
  if (!initPath) return read(segmentPath);
  const joined = `${segmentPath}.with-init.mp4`;
  await writeFile(joined, Buffer.concat([await readFile(initPath), await readFile(segmentPath)]));
  try {
    return await read(joined);
  } finally {
    await rm(joined, { force: true });
  }
}

async function ffprobeJson<T>(path: string, args: string[]): Promise<T> {
  const { stdout } = await execa('ffprobe', ['-v', 'error', ...args, '-of', 'json', path]);
  return JSON.parse(stdout) as T;
}

/** ffprobe of a segment's first video stream. */
export function probeVideo(segmentPath: string, initPath?: string) {
  type Stream = { width: number; height: number; pix_fmt: string; profile: string; level: number; avg_frame_rate: string; codec_name: string };
  return withInit(segmentPath, initPath, async (path) =>
    (await ffprobeJson<{ streams: Stream[] }>(path, ['-select_streams', 'v:0', '-show_entries', 'stream=width,height,pix_fmt,profile,level,avg_frame_rate,codec_name'])).streams[0]!,
  );
}

/** A segment's audio streams. */
export function audioStreams(segmentPath: string, initPath?: string) {
  type Stream = { codec_name: string; channels: number; profile: string };
  return withInit(segmentPath, initPath, async (path) => (await ffprobeJson<{ streams: Stream[] }>(path, ['-select_streams', 'a', '-show_entries', 'stream=codec_name,channels,profile'])).streams);
}

/** The first video packet of a segment: its pts and whether it is a keyframe. */
export function firstVideoPacket(segmentPath: string, initPath?: string): Promise<{ pts: number; key: boolean }> {
  return withInit(segmentPath, initPath, async (path) => {
    const { stdout } = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-read_intervals', '%+#1', '-of', 'csv=p=0', path]);
    const [pts, flags] = stdout.trim().split('\n')[0]!.split(',');
    return { pts: Number(pts), key: (flags ?? '').includes('K') };
  });
}

/** Decodes a whole media playlist with ffmpeg; returns stderr (empty when clean). */
export async function decodeErrors(playlistPath: string): Promise<{ exitCode: number | undefined; stderr: string }> {
  const result = await execa('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', playlistPath, '-f', 'null', '-'], { reject: false });
  return { exitCode: result.exitCode, stderr: String(result.stderr) };
}

/** avc1.PPCCLL → profile_idc and level_idc. */
export function parseAvc1(codec: string): { profile: number; level: number } {
  const match = /^avc1\.([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(codec);
  if (!match) throw new Error(`not an avc1 codec string: ${codec}`);
  return { profile: parseInt(match[1]!, 16), level: parseInt(match[3]!, 16) };
}
