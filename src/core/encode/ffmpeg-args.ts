/** buildFfmpegArgs: one ffmpeg process of an EncodePlan → its argument array (never a shell string). */
import { join } from 'node:path';
import type { EncodePlan, PlannedRendition } from '../plan/encode-plan.js';
import { forceKeyFramesExpression } from '../plan/keyframes.js';
import { MAX_PIXELS, inputHardeningArgs, inputUrl } from '../tools/hardening.js';

/** Where a rendition's files go inside the work dir. */
export function renditionPaths(workDir: string, plan: EncodePlan, rendition: PlannedRendition) {
  const dir = join(workDir, rendition.name);
  const extension = plan.segment.type === 'fmp4' ? 'm4s' : 'ts';
  return {
    dir,
    playlist: join(dir, 'index.m3u8'),
    segmentPattern: join(dir, `segment_%05d.${extension}`),
    initSegment: plan.segment.type === 'fmp4' ? 'init.mp4' : undefined,
  };
}

function kbps(bitsPerSecond: number): string {
  return `${Math.round(bitsPerSecond / 1000)}k`;
}

/** Formats a frame rate for ffmpeg's fps filter exactly enough (29.97 → 30000/1001). */
export function fpsExpression(fps: number): string {
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(fps - (ntsc * 1000) / 1001) < 0.001 && Math.abs(fps - ntsc) > 0.001) return `${ntsc * 1000}/1001`;
  return String(Math.round(fps * 1000) / 1000);
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
 * The filter graph: decode once, deinterlace and tone-map when the source needs it, make the frame rate
 * constant, split to every rendition of this process, scale each to its size.
 */
export function buildFilterGraph(plan: EncodePlan, renditionIndices: readonly number[]): string {
  const head = `[0:${plan.input.videoStream}]`;
  const needsFps = plan.treatment.variableFrameRate || Math.abs(plan.treatment.decodedFps - plan.video.fps) > 0.01;
  const pre = [...treatmentFilters(plan), ...(needsFps ? [`fps=${fpsExpression(plan.video.fps)}`] : [])];
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
function renditionOutputArgs(plan: EncodePlan, rendition: PlannedRendition, label: string, workDir: string): string[] {
  const paths = renditionPaths(workDir, plan, rendition);
  const { video, audio, segment } = plan;
  const rate = video.crf === undefined ? ['-b:v', kbps(rendition.videoBitrate)] : ['-crf', String(video.crf)];
  const args = [
    '-map', `[${label}]`,
    ...(audio && plan.input.audioStream !== undefined ? ['-map', `0:${plan.input.audioStream}`] : []),
    '-map_metadata', '-1', '-map_chapters', '-1',
    '-c:v', 'libx264', '-preset', video.preset, '-profile:v', video.profile,
    ...(rendition.level ? ['-level:v', rendition.level] : []),
    ...OUTPUT_COLOUR_ARGS,
    ...rate, '-maxrate', kbps(rendition.maxrate), '-bufsize', kbps(rendition.bufsize),
    // Aligned keyframes across renditions (RFC 8216 §6.2.4 switching): an IDR forced by time every
    // keyframe interval (robust for 29.97 and VFR sources), no scene-cut keyframes, closed GOPs, and a GOP
    // cap just above the interval. The HLS muxer cuts at the first keyframe at or after each multiple of
    // hls_time, which is a whole number of intervals, so segments stay whole GOPs.
    '-g', String(video.gop), '-keyint_min', String(video.gop), '-sc_threshold', '0', '-flags', '+cgop',
    '-force_key_frames', forceKeyFramesExpression(video.keyframeInterval, segment.duration),
    ...(video.threads > 0 ? ['-threads', String(video.threads)] : []),
    ...(audio ? ['-c:a', 'aac', '-b:a', kbps(audio.bitrate), '-ac', String(audio.channels), '-ar', String(audio.sampleRate)] : []),
    '-max_muxing_queue_size', '4096',
    // Timestamps start at 0 (MPEG-TS would otherwise add a 1.4 s mux delay to every stream).
    '-muxdelay', '0', '-muxpreload', '0',
    '-f', 'hls', '-hls_time', String(segment.duration), '-hls_playlist_type', 'vod', '-hls_list_size', '0',
    '-hls_flags', 'independent_segments',
    '-hls_segment_type', segment.type === 'fmp4' ? 'fmp4' : 'mpegts',
    ...(paths.initSegment ? ['-hls_fmp4_init_filename', paths.initSegment] : []),
    '-hls_segment_filename', paths.segmentPattern,
    paths.playlist,
  ];
  return args;
}

/**
 * Arguments for the ffmpeg process that encodes `renditionIndices` of `plan` into `workDir`. Progress goes
 * to stdout as `-progress pipe:1` blocks; errors only to stderr.
 */
export function buildFfmpegArgs(plan: EncodePlan, renditionIndices: readonly number[], workDir: string): string[] {
  const graph = buildFilterGraph(plan, renditionIndices);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-progress', 'pipe:1', '-stats_period', '1',
    ...inputHardeningArgs(),
    '-max_pixels', String(MAX_PIXELS),
    '-t', plan.maxInputSeconds.toFixed(3),
    '-i', inputUrl(plan.input.path),
    '-filter_complex', graph,
    ...renditionIndices.flatMap((index, position) => renditionOutputArgs(plan, plan.renditions[index]!, `v${position}`, workDir)),
  ];
}
