/**
 * Probes a group of segments: video-only MPEG-TS and fMP4 segments (and I-frame ranges) are read in-process
 * (packet times and IDR flags from the bytes) and decoded together in one ffmpeg process, each on its
 * own; anything else, or any segment of a group whose decode reported an error, goes through ffprobe
 * one segment at a time, which names the segment and the fault.
 */
import { batchDecode, type DecodedInput } from './batch-decode.js';
import type { ProbeCache } from './probe-cache.js';
import { probeSegment, type SegmentProbe } from './segment-probe.js';
import { demuxVideoSegment, type DemuxedVideo } from './video-demux.js';

export interface ProbeRequest {
  /** Init segment or map first, then the segment (or I-frame range). */
  bytes: Uint8Array;
  decode: boolean;
}

export interface ProbeSegmentsOptions {
  ffprobe: string;
  /** ffmpeg for the batched decode; without it every segment goes through ffprobe. */
  ffmpeg?: string | undefined;
  /** The group is fMP4 I-frame ranges, which end inside their fragment. */
  partialRanges?: boolean | undefined;
  /** Probes made earlier (while the encoder ran), by the bytes probed. */
  cache?: ProbeCache | undefined;
  /** Niceness of the ffmpeg and ffprobe processes. */
  priority?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The probe of every request, in order. */
export async function probeSegments(all: readonly ProbeRequest[], options: ProbeSegmentsOptions): Promise<SegmentProbe[]> {
  const cached = all.map((r) => options.cache?.get(r.bytes));
  const missed = all.flatMap((r, i) => (cached[i] ? [] : [i]));
  const probes = await probeUncached(missed.map((i) => all[i]!), options);
  const results = new Map(missed.map((i, k) => [i, probes[k]!]));
  return Promise.all(all.map(async (request, i) => results.get(i) ?? (await cached[i]!.catch(async () => (await probeUncached([request], options))[0]!))));
}

async function probeUncached(requests: readonly ProbeRequest[], options: ProbeSegmentsOptions): Promise<SegmentProbe[]> {
  if (requests.length === 0) return [];
  const demuxed = requests.map((r) => (options.ffmpeg === undefined ? undefined : demuxVideoSegment(r.bytes)));
  const toDecode = requests.flatMap((r, i) => (r.decode && demuxed[i] ? [i] : []));
  const decoded = new Map<number, DecodedInput>();
  if (toDecode.length > 0 && options.ffmpeg !== undefined) {
    const inputs = toDecode.map((i) => ({ bytes: requests[i]!.bytes, container: demuxed[i]!.container }));
    const frames = await batchDecode(inputs, { ffmpeg: options.ffmpeg, partialRanges: options.partialRanges, priority: options.priority, signal: options.signal });
    frames?.forEach((f, k) => decoded.set(toDecode[k]!, f));
  }
  const probes: SegmentProbe[] = [];
  for (const [i, request] of requests.entries()) {
    const video = demuxed[i];
    const frames = decoded.get(i);
    if (video && (!request.decode || frames)) probes.push(fromBytes(video, frames));
    else probes.push(await probeSegment(request.bytes, { ffprobe: options.ffprobe, decode: request.decode, priority: options.priority, signal: options.signal }));
  }
  return probes;
}

/** What ffprobe would have said, from the in-process demux and the batch's frames. */
function fromBytes(video: DemuxedVideo, decoded: DecodedInput | undefined): SegmentProbe {
  const first = decoded?.frames[0];
  return {
    container: video.container,
    streams: [{ type: 'video', codec: video.codec, profile: undefined, width: first?.width, height: first?.height, fieldOrder: decoded?.fieldOrder, colorTransfer: decoded?.colorTransfer }],
    videoPackets: video.packets,
    audio: undefined,
    videoFrames: decoded?.frames,
    errors: [],
  };
}
