/** buildFfmpegArgs: one ffmpeg process of an EncodePlan → its argument array (never a shell string). */
import { join } from 'node:path';
import type { AudioRendition, EncodePlan, PlannedRendition, SubtitleRendition } from '../plan/encode-plan.js';
import { chunkSeek, type ChunkRange } from '../plan/chunks.js';
import { firstFrameLag, fpsExpression, frameIndexAt } from '../plan/frame-grid.js';
import { forceKeyFramesExpression } from '../plan/keyframes.js';
import { MAX_PIXELS, inputHardeningArgs, inputUrl } from '../tools/hardening.js';

/** Where a rendition's files go inside the work dir. */
export function renditionPaths(workDir: string, plan: EncodePlan, rendition: Pick<PlannedRendition, 'name'>, chunk?: ChunkRange) {
  const dir = join(workDir, rendition.name);
  const extension = plan.segment.type === 'fmp4' ? 'm4s' : 'ts';
  return {
    dir,
    // A chunk writes its own playlist beside the others; segment numbers are the whole file's.
    playlist: join(dir, chunk ? chunkPlaylistName(chunk) : 'index.m3u8'),
    segmentPattern: join(dir, `segment_%05d.${extension}`),
    initSegment: plan.segment.type === 'fmp4' ? 'init.mp4' : undefined,
  };
}

/** Where an audio rendition's files go inside the work dir (the same layout as a video rendition's). */
export function audioPaths(workDir: string, plan: EncodePlan, rendition: AudioRendition) {
  return renditionPaths(workDir, plan, rendition);
}

/** Where a subtitle rendition goes: ffmpeg writes the whole track as `source.vtt`, hlsify segments it. */
export function subtitlePaths(workDir: string, rendition: SubtitleRendition) {
  const dir = join(workDir, rendition.name);
  return { dir, playlist: join(dir, 'index.m3u8'), source: join(dir, 'source.vtt') };
}

/** The playlist ffmpeg writes for one chunk of a rendition (read back into the chunk's manifest). */
function chunkPlaylistName(chunk: Pick<ChunkRange, 'index'>): string {
  return `chunk_${String(chunk.index).padStart(5, '0')}.m3u8`;
}

function kbps(bitsPerSecond: number): string {
  return `${Math.round(bitsPerSecond / 1000)}k`;
}

/** bwdif, then HDR → SDR tone mapping: the source-wide steps that run once, before the split. */
export function treatmentFilters(plan: EncodePlan): string[] {
  const { deinterlace, toneMap } = plan.treatment;
  const filters: string[] = [];
  if (deinterlace) {
    // deint=all: flags lie, so every frame is treated as interlaced once the source was found to be.
    filters.push(`bwdif=mode=${deinterlace.rate === 'field' ? 'send_field' : 'send_frame'}:parity=${deinterlace.parity}:deint=all`);
  }
  if (toneMap) {
    // zscale linearises (100 nits = 1.0, SDR reference white), tonemap compresses highlights in linear
    // RGB (mobius: linear below 0.3, so mid-tones keep their SDR level; hable would darken a mid grey by
    // about 30%), zscale applies the BT.709 transfer and matrix in limited range.
    filters.push(
      `zscale=tin=${toneMap.transfer}:min=${toneMap.matrix}:pin=${toneMap.primaries}:rin=${toneMap.fullRange ? 'full' : 'limited'}:t=linear:npl=100`,
      'format=gbrpf32le',
      'zscale=p=bt709',
      'tonemap=tonemap=mobius:desat=0',
      'zscale=t=bt709:m=bt709:r=limited',
      'format=yuv420p',
    );
  }
  return filters;
}

/** Per-rendition scaler: square pixels, 8-bit 4:2:0, BT.709 matrix, limited range, whatever the source. */
export function scaleFilter(plan: EncodePlan, r: PlannedRendition): string {
  const { matrix, fullRange } = plan.treatment.input;
  // Matrix or range conversion needs exact rounding (plain bicubic turns a BT.601 full-range grey of 235 into 216, not 218).
  const flags = matrix === 'bt709' && !fullRange ? 'bicubic' : 'bicubic+accurate_rnd+full_chroma_int';
  const colour = `in_color_matrix=${matrix}:out_color_matrix=bt709:in_range=${fullRange ? 'pc' : 'tv'}:out_range=tv`;
  return `scale=w=${r.width}:h=${r.height}:flags=${flags}:${colour},setsar=1,format=yuv420p`;
}

/**
 * The filter graph: decode once, put the video on the output timeline (its first frame at 0, frames on
 * the constant output rate's grid), deinterlace and tone-map when the source needs it, split to every
 * rendition of this process, scale each to its size. A chunk seeks a little before its start (the seek
 * is added back, so timestamps stay the whole file's) and keeps exactly the output frames of its range:
 * the same frames, with the same timestamps, as the unchunked encode has there.
 */
export function buildFilterGraph(plan: EncodePlan, renditionIndices: readonly number[], chunk?: ChunkRange): string {
  const head = `[0:${plan.input.videoStream}]`;
  const shift = (chunk ? chunkSeek(chunk) : 0) - plan.input.videoStartTime;
  const timeline = Math.abs(shift) > 1e-9 ? [`setpts=PTS${shift > 0 ? '+' : '-'}${Number(Math.abs(shift).toFixed(6))}/TB`] : [];
  // eof_action=pass keeps the source's last frame (round could drop it at a chunk's or the file's end).
  const fps = `fps=${fpsExpression(plan.video.fps)}:eof_action=pass`;
  const range = chunk ? [`trim=start_pts=${frameIndexAt(chunk.start, plan.video.fps)}${chunk.end === undefined ? '' : `:end_pts=${frameIndexAt(chunk.end, plan.video.fps)}`}`] : [];
  const pre = [...timeline, ...treatmentFilters(plan), fps, ...range];
  const prefix = pre.map((f) => `${f},`).join('');
  const scale = (r: PlannedRendition) => scaleFilter(plan, r);
  const renditions = renditionIndices.map((i) => plan.renditions[i]!);
  if (renditions.length === 1) return `${head}${prefix}${scale(renditions[0]!)}[v0]`;
  const labels = renditions.map((_, i) => `[s${i}]`).join('');
  const branches = renditions.map((r, i) => `[s${i}]${scale(r)}[v${i}]`);
  return [`${head}${prefix}split=${renditions.length}${labels}`, ...branches].join(';');
}

/** SDR BT.709, limited range, progressive: said in the stream (VUI) so players never guess. */
export const OUTPUT_COLOUR_ARGS = ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv'];

/** Output options for one rendition (video, audio, HLS muxer). */
function renditionOutputArgs(plan: EncodePlan, rendition: PlannedRendition, label: string, workDir: string, chunk: ChunkRange | undefined): string[] {
  const paths = renditionPaths(workDir, plan, rendition, chunk);
  const { video, audio, segment } = plan;
  const rate = video.crf === undefined ? ['-b:v', kbps(rendition.videoBitrate)] : ['-crf', String(video.crf)];
  const args = [
    '-map', `[${label}]`,
    ...(audio && plan.input.audioStream !== undefined ? ['-map', `0:${plan.input.audioStream}`] : []),
    '-map_metadata', '-1', '-map_chapters', '-1',
    // The filter graph already made the rate constant; its timestamps go to the encoder as they are.
    '-fps_mode:v', 'passthrough',
    '-c:v', 'libx264', '-preset', video.preset, '-profile:v', video.profile,
    ...(rendition.level ? ['-level:v', rendition.level] : []),
    ...OUTPUT_COLOUR_ARGS,
    ...rate, '-maxrate', kbps(rendition.maxrate), '-bufsize', kbps(rendition.bufsize),
    // Aligned keyframes across renditions (RFC 8216 §6.2.4 switching): an IDR forced by time every
    // keyframe interval (robust for 29.97 and VFR sources), no scene-cut keyframes, closed GOPs, and a GOP
    // cap just above the interval. The HLS muxer cuts at the first keyframe at or after each multiple of
    // hls_time, which is a whole number of intervals, so segments stay whole GOPs.
    '-g', String(video.gop), '-keyint_min', String(video.gop), '-sc_threshold', '0', '-flags', '+cgop',
    '-force_key_frames', forceKeyFramesExpression(video.keyframeInterval, segment.duration, chunk ? firstFrameLag(plan, chunk) : 0),
    ...(video.threads > 0 ? ['-threads', String(video.threads)] : []),
    ...(audio ? ['-c:a', 'aac', '-b:a', kbps(audio.bitrate), '-ac', String(audio.channels), '-ar', String(audio.sampleRate)] : []),
    '-max_muxing_queue_size', '4096',
    ...hlsMuxerArgs(plan, paths, chunk),
  ];
  return args;
}

/**
 * One timestamp origin for every process of a plan, so players line separate audio up with video by
 * PTS. Left alone, each muxer shifts its own output just enough to avoid negative timestamps: the video
 * by x264's B-frame reorder delay (2 frames with B-pyramid; none with ultrafast), the audio by AAC's
 * 1024-sample priming, so separate audio would land 20-50 ms off the video. Offsetting every output by
 * the larger of the two keeps all timestamps non-negative, so no muxer shifts anything on its own.
 */
export function timestampOffset(plan: EncodePlan): number {
  const reorder = plan.renditions.length > 0 && plan.video.preset !== 'ultrafast' && plan.video.fps > 0 ? 2 / plan.video.fps : 0;
  const rates = [...plan.audioRenditions.map((r) => r.sampleRate), ...(plan.audio ? [plan.audio.sampleRate] : [])];
  const priming = rates.length > 0 ? 1024 / Math.min(...rates) : 0;
  return Math.ceil(Math.max(reorder, priming) * 1000) / 1000;
}

/** `-output_ts_offset` for one output (see timestampOffset). */
function offsetArgs(plan: EncodePlan): string[] {
  const offset = timestampOffset(plan);
  return offset > 0 ? ['-output_ts_offset', offset.toFixed(3)] : [];
}

/**
 * ffmpeg's HLS muxer cuts at the first keyframe at least hls_time × n after the output's first packet.
 * A chunk's first packet comes `lag` (under a frame) after its boundary, so the k-th boundary keyframe
 * lies between k × duration − lag and a frame later: hls_time = duration − lag cuts on it, and not on
 * the keyframe an interval earlier while lag × (k − 1) stays under an interval less a frame
 * (chunkingProblem refuses chunks too long for that).
 */
function chunkSegmentTime(plan: EncodePlan, chunk: ChunkRange): string {
  return (Math.floor((plan.segment.duration - firstFrameLag(plan, chunk)) * 1e6) / 1e6).toFixed(6);
}

/** The HLS muxer options shared by video and audio renditions. */
function hlsMuxerArgs(plan: EncodePlan, paths: ReturnType<typeof renditionPaths>, chunk?: ChunkRange): string[] {
  const { segment } = plan;
  return [
    // Timestamps start at 0 (MPEG-TS would otherwise add a 1.4 s mux delay to every stream), plus the
    // plan's common offset (see timestampOffset): one origin for video and audio renditions alike.
    '-muxdelay', '0', '-muxpreload', '0',
    ...offsetArgs(plan),
    '-f', 'hls', '-hls_time', chunk ? chunkSegmentTime(plan, chunk) : String(segment.duration), '-hls_playlist_type', 'vod', '-hls_list_size', '0',
    ...(chunk ? ['-start_number', String(chunk.firstSegment)] : []),
    '-hls_flags', 'independent_segments',
    '-hls_segment_type', segment.type === 'fmp4' ? 'fmp4' : 'mpegts',
    ...(paths.initSegment ? ['-hls_fmp4_init_filename', paths.initSegment] : []),
    '-hls_segment_filename', paths.segmentPattern,
    paths.playlist,
  ];
}

/**
 * Output options for one audio rendition: AAC-LC, cut at the video's duration so that a longer audio track
 * adds no segment past the video's end. Without video, ffmpeg's HLS muxer may cut at any audio frame, so
 * segments end within one AAC frame (21 ms at 48 kHz) of the video's boundaries.
 */
function audioOutputArgs(plan: EncodePlan, rendition: AudioRendition, workDir: string): string[] {
  return [
    '-map', `0:${rendition.inputStream}`,
    '-map_metadata', '-1', '-map_chapters', '-1',
    '-c:a', 'aac', '-b:a', kbps(rendition.bitrate), '-ac', String(rendition.channels), '-ar', String(rendition.sampleRate),
    // The AAC encoder flushes one frame more than it was fed: stopping one frame early keeps the last
    // packet before the video's end, so no sliver of a segment follows the video's last one. The video's
    // first frame is output time 0 (its start in the source comes off), so its end is that much earlier too.
    '-t', Math.max(0.1, plan.input.duration - plan.input.videoStartTime - 1024 / rendition.sampleRate).toFixed(3),
    ...hlsMuxerArgs(plan, audioPaths(workDir, plan, rendition)),
  ];
}

/** Output options for one subtitle stream: the whole track as one WebVTT file (segmented afterwards). */
function subtitleOutputArgs(rendition: SubtitleRendition, workDir: string): string[] {
  return ['-map', `0:${rendition.inputStream}`, '-map_metadata', '-1', '-c:s', 'webvtt', '-f', 'webvtt', subtitlePaths(workDir, rendition).source];
}

/**
 * Input options: hardened, bounded in media time. A chunk seeks to its lead-in (decoding from the
 * keyframe before it, frames before the seek point dropped) and reads one second past its end.
 */
function inputArgs(plan: EncodePlan, chunk?: ChunkRange): string[] {
  const seek = chunk ? chunkSeek(chunk) : 0;
  const until = chunk?.end === undefined ? plan.maxInputSeconds : Math.min(plan.maxInputSeconds, chunk.end + 1 + plan.input.videoStartTime);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-progress', 'pipe:1', '-stats_period', '1',
    ...inputHardeningArgs(),
    '-max_pixels', String(MAX_PIXELS),
    ...(seek > 0 ? ['-ss', String(seek)] : []),
    '-t', (until - seek).toFixed(3),
    '-i', inputUrl(plan.input.path),
  ];
}

/**
 * Arguments for the one ffmpeg process that encodes every audio rendition (each track decoded once, also
 * when it feeds a stereo and a 5.1 rendition) and extracts every subtitle track; undefined when the plan
 * has neither. It reads no video: the video renditions' processes never touch audio in this layout.
 */
export function buildMediaArgs(plan: EncodePlan, workDir: string): string[] | undefined {
  if (plan.audioRenditions.length === 0 && plan.subtitleRenditions.length === 0) return undefined;
  return [
    ...inputArgs(plan),
    ...plan.audioRenditions.flatMap((rendition) => audioOutputArgs(plan, rendition, workDir)),
    ...plan.subtitleRenditions.flatMap((rendition) => subtitleOutputArgs(rendition, workDir)),
  ];
}

/**
 * Arguments for the ffmpeg process that encodes `renditionIndices` of `plan` into `workDir` (only the
 * time range of `chunk` when given). Progress goes to stdout as `-progress pipe:1` blocks; errors only to stderr.
 */
export function buildFfmpegArgs(plan: EncodePlan, renditionIndices: readonly number[], workDir: string, chunk?: ChunkRange): string[] {
  const graph = buildFilterGraph(plan, renditionIndices, chunk);
  return [
    ...inputArgs(plan, chunk),
    '-filter_complex', graph,
    ...renditionIndices.flatMap((index, position) => renditionOutputArgs(plan, plan.renditions[index]!, `v${position}`, workDir, chunk)),
  ];
}
