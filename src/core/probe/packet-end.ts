/**
 * Where the video's packets really end: a container's duration is a number in its header (a Matroska
 * DURATION tag, an mp4 `mvhd`), which a truncated or crafted file gets wrong. Planning chunks from it would
 * let a 2-second file that claims 99 hours fan out into tens of thousands of tasks. This reads the packets
 * near the claimed end (a seek, then demuxing only, no decode); when none are found there, the whole
 * file's packets (still no decode), so the answer is always backed by data in the file.
 */
import { EncodeError } from '../../errors.js';
import { inputHardeningArgs, inputUrl } from '../tools/hardening.js';
import { runTool } from '../tools/run-tool.js';

/** Seconds before the claimed end that the first, cheap read starts at. */
const TAIL_SECONDS = 20;

export interface PacketEndOptions {
  /** The video stream's index in the input. */
  videoStream: number;
  /** The duration the container claims, seconds from the start of the file's timeline. */
  claimedEnd: number;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

/** The end (pts + duration of the last video packet) in the input's timeline, seconds; undefined when it has no packets. */
export async function videoPacketEnd(ffprobe: string, path: string, options: PacketEndOptions): Promise<number | undefined> {
  const tail = await lastPacketEnd(ffprobe, path, options, Math.max(0, options.claimedEnd - TAIL_SECONDS));
  // Packets within the last few seconds of the claim: it is backed. Otherwise the seek landed nowhere
  // near it (a file shorter than it says): read every packet to learn where they end.
  if (tail !== undefined && tail >= options.claimedEnd - TAIL_SECONDS / 2) return tail;
  return lastPacketEnd(ffprobe, path, options, undefined);
}

async function lastPacketEnd(ffprobe: string, path: string, options: PacketEndOptions, from: number | undefined): Promise<number | undefined> {
  const args = [
    '-v', 'error',
    ...inputHardeningArgs(),
    ...(from === undefined ? [] : ['-read_intervals', `${from.toFixed(3)}%`]),
    '-select_streams', String(options.videoStream),
    '-show_entries', 'packet=pts_time,dts_time,duration_time',
    '-of', 'csv=p=0',
    inputUrl(path),
  ];
  const result = await runTool(ffprobe, args, { signal: options.signal, timeoutMs: options.timeoutMs ?? 300_000, maxBuffer: 256 * 1024 * 1024 });
  if (result.exitCode !== 0 && !result.stdout) throw new EncodeError(`could not read the input's packets: ${String(result.stderr).trim().split('\n').at(-1) ?? 'ffprobe failed'}`);
  let end: number | undefined;
  for (const line of String(result.stdout).split('\n')) {
    const [pts, dts, duration] = line.split(',').map((field) => Number.parseFloat(field));
    const time = Number.isFinite(pts) ? pts! : dts!;
    if (!Number.isFinite(time)) continue;
    const packetEnd = time + (Number.isFinite(duration) ? duration! : 0);
    if (end === undefined || packetEnd > end) end = packetEnd;
  }
  return end;
}
