import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, buildFilterGraph } from '../../src/core/encode/ffmpeg-args.js';
import { frameIndexAt } from '../../src/core/plan/frame-grid.js';
import { chunkingProblem, chunkSecondsProblem, planChunks } from '../../src/core/plan/chunks.js';
import { forceKeyFramesExpression } from '../../src/core/plan/keyframes.js';
import { planLadder } from '../../src/core/plan/plan-ladder.js';
import { mediaInfo, type MediaShape } from './media-info-builder.js';

const WORK = '/tmp/hlsify-work';

function plan(shape: MediaShape = {}, options: Partial<Parameters<typeof planLadder>[1]> = {}) {
  return planLadder(mediaInfo(shape), { cores: 2, ...options });
}

function valuesOf(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));
}

describe('planChunks', () => {
  it('cuts runs of whole segments, numbered as the whole file numbers them, the last to the end', () => {
    expect(planChunks(plan({ duration: 60.014 }), 12)).toEqual([
      { index: 0, start: 0, end: 12, firstSegment: 0 },
      { index: 1, start: 12, end: 24, firstSegment: 2 },
      { index: 2, start: 24, end: 36, firstSegment: 4 },
      { index: 3, start: 36, end: 48, firstSegment: 6 },
      { index: 4, start: 48, end: undefined, firstSegment: 8 },
    ]);
  });

  it('joins a remainder shorter than half a segment to the last chunk, and keeps a longer one', () => {
    expect(planChunks(plan({ duration: 62.9 }), 12).map((c) => c.start)).toEqual([0, 12, 24, 36, 48]);
    expect(planChunks(plan({ duration: 63.1 }), 12).map((c) => c.start)).toEqual([0, 12, 24, 36, 48, 60]);
    expect(planChunks(plan({ duration: 5 }), 12)).toEqual([{ index: 0, start: 0, end: undefined, firstSegment: 0 }]);
  });

  it('refuses lengths that are not whole segments, fMP4, muxed audio and audio-only ladders', () => {
    expect(chunkSecondsProblem(12, 6)).toBeUndefined();
    expect(chunkSecondsProblem(10, 6)).toMatch(/not a whole number of 6 s segments/);
    expect(chunkSecondsProblem(0, 6)).toMatch(/positive/);
    expect(chunkingProblem(plan({}, { segmentType: 'fmp4' }), 12)).toMatch(/MPEG-TS/);
    expect(chunkingProblem(plan({}, { audio: 'muxed' }), 12)).toMatch(/audio/);
    expect(() => planChunks(plan(), 7)).toThrow(/whole number/);
    // At 29.97 fps a chunk's cuts drift by its first frame's lag per segment: a 10-minute chunk is too long.
    expect(chunkingProblem(plan({ fps: 30000 / 1001, duration: 3600 }), 600)).toMatch(/too long for the keyframe timing of 29.970 fps: use at most 348 s/);
    expect(chunkingProblem(plan({ fps: 30000 / 1001, duration: 3600 }), 60)).toBeUndefined();
    expect(chunkingProblem(plan({ fps: 25, duration: 3600 }), 600)).toBeUndefined();
  });
});

describe('chunk arguments', () => {
  const p = plan({ fps: 30000 / 1001, duration: 60 });
  const [first, second, , , last] = planChunks(p, 12);

  it('finds output frames on the exact rate: the first frame at or after a time', () => {
    expect(frameIndexAt(12, 30000 / 1001)).toBe(360); // 359.64
    expect(frameIndexAt(24, 30000 / 1001)).toBe(720); // 719.28: rounding to nearest would take 719
    expect(frameIndexAt(12, 25)).toBe(300);
    expect(frameIndexAt(0, 25)).toBe(0);
  });

  it('seeks a second before the chunk, adds the seek back, and keeps exactly the frames of its range', () => {
    const graph = buildFilterGraph(p, [0, 1], second);
    expect(graph).toMatch(/^\[0:0\]setpts=PTS\+11\/TB,fps=30000\/1001:eof_action=pass,trim=start_pts=360:end_pts=720,split=2/);
    const args = buildFfmpegArgs(p, [0, 1], WORK, second);
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-i'))).toEqual(['-ss', '11', '-t', '14.000']);
    expect(buildFilterGraph(p, [0], first)).toMatch(/^\[0:0\]fps=30000\/1001:eof_action=pass,trim=start_pts=0:end_pts=360,scale=/);
    expect(buildFfmpegArgs(p, [0], WORK, first)).not.toContain('-ss');
    expect(buildFilterGraph(p, [0], last)).toMatch(/trim=start_pts=1439,scale=/);
  });

  it('numbers segments from the chunk, forces keyframes on the whole file\'s frames, and names its own playlist', () => {
    const args = buildFfmpegArgs(p, [0, 1], WORK, second);
    expect(valuesOf(args, '-start_number')).toEqual(['2', '2']);
    // ffmpeg counts t from the chunk's first frame, 360/29.97 = 12.012 s: every threshold moves back 12 ms.
    expect(valuesOf(args, '-force_key_frames')).toEqual(['expr:gte(t,n_forced*2-0.012000000)', 'expr:gte(t,n_forced*2-0.012000000)']);
    expect(valuesOf(buildFfmpegArgs(plan({ fps: 25 }), [0], WORK, second), '-force_key_frames')).toEqual(['expr:gte(t,n_forced*2)']);
    expect(args.filter((a) => a.endsWith('.m3u8'))).toEqual([`${WORK}/1080p/chunk_00001.m3u8`, `${WORK}/720p/chunk_00001.m3u8`]);
    // The segment duration less the first frame's lag: the muxer's cuts fall on the whole file's boundaries.
    expect(valuesOf(args, '-hls_time')).toEqual(['5.988000', '5.988000']);
    expect(valuesOf(buildFfmpegArgs(plan({ fps: 25 }), [0], WORK, second), '-hls_time')).toEqual(['6.000000']);
    expect(valuesOf(args, '-output_ts_offset')).toEqual(valuesOf(buildFfmpegArgs(p, [0, 1], WORK), '-output_ts_offset'));
  });

  it('leaves the unchunked encode its own keyframe expression and playlist', () => {
    expect(forceKeyFramesExpression(2, 6)).toBe('expr:gte(t,n_forced*2)');
    const args = buildFfmpegArgs(p, [0], WORK);
    expect(args).not.toContain('-start_number');
    expect(args.at(-1)).toBe(`${WORK}/1080p/index.m3u8`);
  });
});
