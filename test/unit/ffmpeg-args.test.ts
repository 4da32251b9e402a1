import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, buildFilterGraph, buildMediaArgs, timestampOffset } from '../../src/core/encode/ffmpeg-args.js';
import { planLadder } from '../../src/core/plan/plan-ladder.js';
import { INPUT_FORMAT_WHITELIST } from '../../src/core/tools/hardening.js';
import { mediaInfo, type MediaShape } from './media-info-builder.js';

const WORK = '/tmp/hlsify-work';

function plan(shape: MediaShape = {}, options: Partial<Parameters<typeof planLadder>[1]> = {}) {
  return planLadder(mediaInfo(shape), { cores: 2, ...options });
}

/** Every value that follows `flag` in `args`. */
function valuesOf(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));
}

/** The value after `flag`'s first occurrence before `-i`. */
function inputOption(args: readonly string[], flag: string): string | undefined {
  const before = args.slice(0, args.indexOf('-i'));
  const i = before.indexOf(flag);
  return i < 0 ? undefined : before[i + 1];
}

describe('buildFfmpegArgs: input', () => {
  const whole = plan();
  const args = buildFfmpegArgs(whole, [0, 1, 2, 3], WORK);

  it('is an array of strings, never a shell string', () => {
    expect(Array.isArray(args)).toBe(true);
    for (const arg of args) expect(typeof arg).toBe('string');
  });

  it('hardens the demuxer before the input: local files only, whitelisted containers, at most 16 streams', () => {
    expect(inputOption(args, '-protocol_whitelist')).toBe('file');
    expect(inputOption(args, '-format_whitelist')).toBe(INPUT_FORMAT_WHITELIST);
    expect(INPUT_FORMAT_WHITELIST.split(',')).not.toContain('hls');
    expect(INPUT_FORMAT_WHITELIST.split(',')).not.toContain('concat');
    expect(inputOption(args, '-max_streams')).toBe('16');
  });

  it('never reads stdin, so ffmpeg cannot swallow keystrokes or hang on a prompt', () => {
    expect(args.indexOf('-nostdin')).toBeGreaterThanOrEqual(0);
    expect(args.indexOf('-nostdin')).toBeLessThan(args.indexOf('-i'));
  });

  it('bounds the media time read before the input', () => {
    expect(inputOption(args, '-t')).toBe(whole.maxInputSeconds.toFixed(3));
  });

  it('reports progress on stdout', () => {
    expect(valuesOf(args, '-progress')).toEqual(['pipe:1']);
  });

  it('reads exactly one input, as a file: URL of the absolute path', () => {
    expect(valuesOf(args, '-i')).toEqual(['file:/videos/input.mp4']);
  });

  it('keeps names that look like protocols or options a plain local file', () => {
    for (const path of ['/videos/concat:a.mp4|b.mp4', '/videos/-y.mp4', '/videos/http:x.mp4', '/videos/my clip (1).mp4']) {
      expect(valuesOf(buildFfmpegArgs(plan({ path }), [0], WORK), '-i')).toEqual([`file:${path}`]);
    }
  });

  it('refuses a relative input path', () => {
    expect(() => buildFfmpegArgs(plan({ path: 'videos/input.mp4' }), [0], WORK)).toThrow(/absolute/);
  });
});

describe('buildFfmpegArgs: outputs', () => {
  it('writes one HLS output per rendition of the process, each to its own playlist', () => {
    const p = plan();
    const args = buildFfmpegArgs(p, [0, 1, 2, 3], WORK);
    expect(valuesOf(args, '-f')).toEqual(['hls', 'hls', 'hls', 'hls']);
    expect(valuesOf(args, '-hls_segment_filename')).toEqual(p.renditions.map((r) => `${WORK}/${r.name}/segment_%05d.ts`));
    const playlists = args.filter((arg) => arg.endsWith('index.m3u8'));
    expect(playlists).toEqual(['1080p', '720p', '480p', '360p'].map((name) => `${WORK}/${name}/index.m3u8`));
    expect(args.at(-1)).toBe(`${WORK}/360p/index.m3u8`);
  });

  it('writes only the renditions of its own process', () => {
    const p = plan({}, { processes: 2 });
    const args = buildFfmpegArgs(p, p.processes[1]!, WORK);
    expect(valuesOf(args, '-f')).toHaveLength(3);
    expect(args.filter((arg) => arg.endsWith('index.m3u8'))).toEqual(['720p', '480p', '360p'].map((name) => `${WORK}/${name}/index.m3u8`));
    expect(valuesOf(args, '-map').filter((m) => m.startsWith('['))).toEqual(['[v0]', '[v1]', '[v2]']);
  });

  it('writes a VOD playlist of independent segments of the planned duration', () => {
    const args = buildFfmpegArgs(plan({}, { segmentDuration: 4 }), [0], WORK);
    expect(valuesOf(args, '-hls_time')).toEqual(['4']);
    expect(valuesOf(args, '-hls_playlist_type')).toEqual(['vod']);
    expect(valuesOf(args, '-hls_list_size')).toEqual(['0']);
    expect(valuesOf(args, '-hls_flags')).toEqual(['independent_segments']);
  });

  it('writes MPEG-TS segments by default, with no init segment', () => {
    const args = buildFfmpegArgs(plan(), [0], WORK);
    expect(valuesOf(args, '-hls_segment_type')).toEqual(['mpegts']);
    expect(args).not.toContain('-hls_fmp4_init_filename');
  });

  it('writes fMP4 segments with an init segment per rendition when asked', () => {
    const args = buildFfmpegArgs(plan({}, { segmentType: 'fmp4' }), [0, 1], WORK);
    expect(valuesOf(args, '-hls_segment_type')).toEqual(['fmp4', 'fmp4']);
    expect(valuesOf(args, '-hls_fmp4_init_filename')).toEqual(['init.mp4', 'init.mp4']);
    expect(valuesOf(args, '-hls_segment_filename')).toEqual([`${WORK}/1080p/segment_%05d.m4s`, `${WORK}/720p/segment_%05d.m4s`]);
  });

  it('drops source metadata and chapters (no GPS or camera tags leak into the ladder)', () => {
    const args = buildFfmpegArgs(plan(), [0, 1], WORK);
    expect(valuesOf(args, '-map_metadata')).toEqual(['-1', '-1']);
    expect(valuesOf(args, '-map_chapters')).toEqual(['-1', '-1']);
  });
});

describe('buildFfmpegArgs: video', () => {
  it('encodes H.264 High with the planned preset', () => {
    const args = buildFfmpegArgs(plan({}, { preset: 'veryfast' }), [0, 1], WORK);
    expect(valuesOf(args, '-c:v')).toEqual(['libx264', 'libx264']);
    expect(valuesOf(args, '-profile:v')).toEqual(['high', 'high']);
    expect(valuesOf(args, '-preset')).toEqual(['veryfast', 'veryfast']);
  });

  it('fixes the GOP at the planned length with no scene-cut keyframes, so segments align across renditions', () => {
    for (const fps of [24, 25, 30000 / 1001, 60]) {
      const p = plan({ fps });
      const args = buildFfmpegArgs(p, [0, 1, 2, 3], WORK);
      expect(valuesOf(args, '-g')).toEqual(Array(4).fill(String(p.video.gop)));
      expect(valuesOf(args, '-keyint_min')).toEqual(Array(4).fill(String(p.video.gop)));
      expect(valuesOf(args, '-sc_threshold')).toEqual(['0', '0', '0', '0']);
      expect(valuesOf(args, '-flags')).toEqual(['+cgop', '+cgop', '+cgop', '+cgop']);
    }
  });

  it('forces an IDR every keyframe interval (2 s by default), so 6 s segments are three whole GOPs', () => {
    const args = buildFfmpegArgs(plan({}, { segmentDuration: 6 }), [0, 1], WORK);
    expect(valuesOf(args, '-force_key_frames')).toEqual(['expr:gte(t,n_forced*2)', 'expr:gte(t,n_forced*2)']);
    expect(valuesOf(args, '-hls_time')).toEqual(['6', '6']);
    const rounded = buildFfmpegArgs(plan({}, { segmentDuration: 7 }), [0], WORK);
    expect(valuesOf(rounded, '-force_key_frames')).toEqual(['expr:gte(t,n_forced*1.75)']);
  });

  it('targets each rendition’s planned bit rate with its peak rate and buffer', () => {
    const p = plan();
    const args = buildFfmpegArgs(p, [0, 1, 2, 3], WORK);
    expect(valuesOf(args, '-b:v')).toEqual(['5000k', '2800k', '1400k', '800k']);
    expect(valuesOf(args, '-maxrate')).toEqual(p.renditions.map((r) => `${Math.round(r.maxrate / 1000)}k`));
    expect(valuesOf(args, '-bufsize')).toEqual(p.renditions.map((r) => `${Math.round(r.bufsize / 1000)}k`));
    expect(args).not.toContain('-crf');
  });

  it('uses -crf instead of -b:v when a CRF is planned, still capped by -maxrate', () => {
    const args = buildFfmpegArgs(plan({}, { crf: 23 }), [0, 1], WORK);
    expect(valuesOf(args, '-crf')).toEqual(['23', '23']);
    expect(args).not.toContain('-b:v');
    expect(valuesOf(args, '-maxrate')).toHaveLength(2);
  });

  it('keeps each rendition within its planned H.264 level', () => {
    const p = plan();
    const args = buildFfmpegArgs(p, [0, 1, 2, 3], WORK);
    expect(valuesOf(args, '-level:v')).toEqual(p.renditions.map((r) => r.level));
    expect(valuesOf(args, '-level:v')[0]).toBe('4.0');
  });

  it('passes the planned x264 thread count only when one is set', () => {
    expect(buildFfmpegArgs(plan(), [0], WORK)).not.toContain('-threads');
    expect(valuesOf(buildFfmpegArgs(plan({}, { threads: 2 }), [0, 1], WORK), '-threads')).toEqual(['2', '2']);
  });
});

describe('buildFfmpegArgs: filter graph', () => {
  it('decodes once and splits to every rendition when several share a process', () => {
    const p = plan();
    const graph = buildFilterGraph(p, [0, 1, 2, 3]);
    expect(graph).toContain('split=4[s0][s1][s2][s3]');
    expect(graph.startsWith('[0:0]')).toBe(true);
    for (const [i, r] of p.renditions.entries()) expect(graph).toContain(`[s${i}]scale=w=${r.width}:h=${r.height}:`);
    expect(valuesOf(buildFfmpegArgs(p, [0, 1, 2, 3], WORK), '-filter_complex')).toEqual([graph]);
  });

  it('does not split for a single rendition', () => {
    const p = plan({}, { cores: 16 });
    const graph = buildFilterGraph(p, [2]);
    expect(graph).not.toContain('split');
    expect(graph).toBe('[0:0]fps=25:eof_action=pass,scale=w=854:h=480:flags=bicubic:in_color_matrix=bt709:out_color_matrix=bt709:in_range=tv:out_range=tv,setsar=1,format=yuv420p[v0]');
  });

  it('always converts to square-pixel 8-bit 4:2:0, once per rendition', () => {
    const graph = buildFilterGraph(plan(), [0, 1, 2, 3]);
    expect(graph.match(/format=yuv420p(?!\d)/g)).toHaveLength(4);
    expect(graph.match(/setsar=1/g)).toHaveLength(4);
  });

  it('puts every frame on the output rate grid (fps filter, last frame kept) and passes those timestamps to the encoder', () => {
    expect(buildFilterGraph(plan({ fps: 25 }), [0])).toMatch(/^\[0:0\]fps=25:eof_action=pass,scale=/);
    expect(buildFilterGraph(plan({ fps: 30000 / 1001 }), [0])).toMatch(/^\[0:0\]fps=30000\/1001:eof_action=pass,scale=/);
    expect(buildFilterGraph(plan({ fps: 120 }), [0, 1])).toMatch(/^\[0:0\]fps=60:eof_action=pass,split=2/);
    expect(buildFilterGraph(plan({ fps: 120000 / 1001 }), [0])).toMatch(/^\[0:0\]fps=60000\/1001:eof_action=pass,scale=/);
    expect(valuesOf(buildFfmpegArgs(plan(), [0], WORK), '-fps_mode:v')).toEqual(['passthrough']);
  });
});

describe('buildFfmpegArgs: audio', () => {
  it('maps the source audio into every rendition as stereo AAC with --audio muxed', () => {
    const args = buildFfmpegArgs(plan({ audio: 44100 }, { audio: 'muxed' }), [0, 1], WORK);
    expect(valuesOf(args, '-map')).toEqual(['[v0]', '0:1', '[v1]', '0:1']);
    expect(valuesOf(args, '-c:a')).toEqual(['aac', 'aac']);
    expect(valuesOf(args, '-b:a')).toEqual(['128k', '128k']);
    expect(valuesOf(args, '-ac')).toEqual(['2', '2']);
    expect(valuesOf(args, '-ar')).toEqual(['44100', '44100']);
  });

  it('maps no audio into the video renditions by default (audio has renditions of its own)', () => {
    const args = buildFfmpegArgs(plan({ audio: 48000 }), [0, 1], WORK);
    expect(valuesOf(args, '-map')).toEqual(['[v0]', '[v1]']);
    expect(args).not.toContain('-c:a');
  });

  it('maps no audio when the source has none', () => {
    const args = buildFfmpegArgs(plan({ audio: false }), [0, 1], WORK);
    expect(valuesOf(args, '-map')).toEqual(['[v0]', '[v1]']);
    expect(args).not.toContain('-c:a');
  });
});

describe('timestampOffset: one timestamp origin for separate audio and video', () => {
  it('is the larger of the B-frame reorder delay and the AAC priming, on every video and audio output', () => {
    const p = plan({ fps: 30 }, { preset: 'veryfast' });
    expect(timestampOffset(p)).toBe(0.067);
    const video = buildFfmpegArgs(p, [0], WORK);
    expect(valuesOf(video, '-output_ts_offset')).toEqual(['0.067']);
    expect(p.audioRenditions).toHaveLength(1);
    expect(valuesOf(buildMediaArgs(p, WORK)!, '-output_ts_offset')).toEqual(['0.067']);
  });

  it('is the AAC priming with ultrafast (no B-frames), and nothing without audio and B-frames', () => {
    const withAudio = plan({ fps: 30 }, { preset: 'ultrafast' });
    expect(timestampOffset(withAudio)).toBe(0.022); // 1024 samples at 48 kHz
    const silent = plan({ fps: 30, audio: false }, { preset: 'ultrafast' });
    expect(timestampOffset(silent)).toBe(0);
    expect(valuesOf(buildFfmpegArgs(silent, [0], WORK), '-output_ts_offset')).toEqual([]);
  });
});
