import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, buildFilterGraph } from '../../src/core/encode/ffmpeg-args.js';
import { planLadder } from '../../src/core/plan/plan-ladder.js';
import { describeTreatment, detectInterlace, planSourceTreatment, scalerMatrix, sourceFrameRate } from '../../src/core/plan/source-treatment.js';
import { fieldSampleStart, parseIdetSummary } from '../../src/core/probe/field-sample.js';
import { mediaInfo, type MediaShape } from './media-info-builder.js';

const combed = { tff: 110, bff: 0, progressive: 5, undetermined: 5 };
const clean = { tff: 2, bff: 1, progressive: 110, undetermined: 7 };
/** Progressive testsrc2 with fine detail in fast motion: idet calls many frames interlaced, with both parities. */
const fooled = { tff: 75, bff: 46, progressive: 0, undetermined: 0 };
const still = { tff: 0, bff: 0, progressive: 3, undetermined: 117 };

function video(shape: MediaShape) {
  return mediaInfo(shape).video;
}

describe('parseIdetSummary', () => {
  it('reads the multi-frame verdicts from idet output captured from ffmpeg 5.1', () => {
    const stderr = readFileSync(join(import.meta.dirname, '..', 'data', 'idet-ffmpeg-5.1.txt'), 'utf8');
    expect(parseIdetSummary(stderr)).toEqual({ tff: 75, bff: 0, progressive: 0, undetermined: 0 });
  });

  it('is undefined when idet printed nothing', () => {
    expect(parseIdetSummary('Invalid data found when processing input\n')).toBeUndefined();
  });

  it('samples past the opening of a long file and from the start of a short one', () => {
    expect(fieldSampleStart(8)).toBe(0);
    expect(fieldSampleStart(100)).toBe(20);
    expect(fieldSampleStart(7200)).toBe(120);
  });
});

describe('detectInterlace: flag and picture', () => {
  it('trusts a combed picture over a progressive flag (flags lie)', () => {
    expect(detectInterlace('progressive', combed)).toMatchObject({ interlaced: true, parity: 'tff' });
    expect(detectInterlace('unknown', { ...combed, tff: 0, bff: 110 })).toMatchObject({ interlaced: true, parity: 'bff' });
  });

  it('trusts a clearly progressive picture over an interlaced flag', () => {
    expect(detectInterlace('tt', clean).interlaced).toBe(false);
  });

  it('is not fooled by mixed-parity detections on progressive detail', () => {
    expect(detectInterlace('progressive', fooled).interlaced).toBe(false);
    // testsrc2 through x264 at 25 fps, measured: mostly one parity, yet progressive.
    expect(detectInterlace('progressive', { tff: 41, bff: 10, progressive: 10, undetermined: 0 }).interlaced).toBe(false);
    expect(detectInterlace('unknown', { tff: 41, bff: 10, progressive: 10, undetermined: 0 }).interlaced).toBe(false);
  });

  it('falls back to the flag when the sample cannot decide (a still picture) or is missing', () => {
    expect(detectInterlace('tt', still)).toMatchObject({ interlaced: true, parity: 'tff' });
    expect(detectInterlace('bb', undefined)).toMatchObject({ interlaced: true, parity: 'bff' });
    expect(detectInterlace('progressive', still).interlaced).toBe(false);
    expect(detectInterlace('unknown', undefined).interlaced).toBe(false);
  });

  it('reads tb as bottom field displayed first and bt as top first', () => {
    expect(detectInterlace('tb', undefined).parity).toBe('bff');
    expect(detectInterlace('bt', undefined).parity).toBe('tff');
  });
});

describe('planSourceTreatment', () => {
  it('deinterlaces 25i and 29.97i at field rate (50p, 59.94p) and 50i at frame rate', () => {
    expect(planSourceTreatment(video({ fps: 25, fieldOrder: 'tt' }), { fieldSample: combed })).toMatchObject({ deinterlace: { rate: 'field', parity: 'tff' }, decodedFps: 50 });
    expect(planSourceTreatment(video({ fps: 30000 / 1001, fieldOrder: 'bb' })).decodedFps).toBeCloseTo(60000 / 1001, 6);
    expect(planSourceTreatment(video({ fps: 50, fieldOrder: 'tt' })).deinterlace?.rate).toBe('frame');
  });

  it('follows --deinterlace: off leaves an interlaced source alone, frame and field force bwdif', () => {
    expect(planSourceTreatment(video({ fieldOrder: 'tt' }), { deinterlace: 'off', fieldSample: combed }).deinterlace).toBeUndefined();
    expect(planSourceTreatment(video({ fieldOrder: 'tt' }), { deinterlace: 'frame' })).toMatchObject({ deinterlace: { rate: 'frame' }, decodedFps: 25 });
    expect(planSourceTreatment(video({ fieldOrder: 'progressive' }), { deinterlace: 'field' })).toMatchObject({ deinterlace: { rate: 'field' }, decodedFps: 50 });
  });

  it('leaves a progressive source progressive', () => {
    expect(planSourceTreatment(video({}), { fieldSample: clean }).deinterlace).toBeUndefined();
  });

  it('tone-maps PQ and HLG, and reads the result as BT.709 limited', () => {
    for (const transfer of ['smpte2084', 'arib-std-b67']) {
      const t = planSourceTreatment(video({ colour: { transfer, primaries: 'bt2020', matrix: 'bt2020nc' } }));
      expect(t.toneMap).toEqual({ transfer, primaries: 'bt2020', matrix: 'bt2020nc', fullRange: false });
      expect(t.input).toEqual({ matrix: 'bt709', fullRange: false });
    }
    expect(planSourceTreatment(video({})).toneMap).toBeUndefined();
  });

  it('reads full-range (yuvj or pc) and BT.601 sources as what they are', () => {
    expect(planSourceTreatment(video({ pixFmt: 'yuvj420p', colour: { range: undefined, matrix: 'bt470bg' } })).input).toEqual({ matrix: 'bt601', fullRange: true });
    expect(planSourceTreatment(video({ colour: { range: 'pc' } })).input.fullRange).toBe(true);
  });
});

describe('scalerMatrix', () => {
  it('maps tags to the scaler and guesses untagged video by size as players do', () => {
    expect(scalerMatrix('bt709', 480)).toBe('bt709');
    expect(scalerMatrix('smpte170m', 1080)).toBe('bt601');
    expect(scalerMatrix('bt2020nc', 2160)).toBe('bt2020');
    expect(scalerMatrix(undefined, 576)).toBe('bt601');
    expect(scalerMatrix(undefined, 720)).toBe('bt709');
  });
});

describe('sourceFrameRate', () => {
  it('is the average for constant frame rate', () => {
    expect(sourceFrameRate({ fps: 30000 / 1001, nominalFps: 30000 / 1001 })).toEqual({ fps: 30000 / 1001, variable: false });
  });
  it('uses the nominal rate of a phone VFR clip (r 30, average 23.9)', () => {
    expect(sourceFrameRate({ fps: 23.93, nominalFps: 30 })).toEqual({ fps: 30, variable: true });
  });
  it('snaps the average of a screen capture with a time-base nominal rate (1000/1) to a common rate', () => {
    expect(sourceFrameRate({ fps: 24.3, nominalFps: 1000 })).toEqual({ fps: 24, variable: true });
    expect(sourceFrameRate({ fps: 29.9, nominalFps: 1000 })).toEqual({ fps: 30000 / 1001, variable: true });
    expect(sourceFrameRate({ fps: 12.34, nominalFps: 1000 })).toEqual({ fps: 12.34, variable: true });
  });
  it('treats a field-rate nominal rate of interlaced video as constant at the frame rate', () => {
    expect(sourceFrameRate({ fps: 25, nominalFps: 50 })).toEqual({ fps: 25, variable: false });
  });
});

describe('filter graph of a treated source', () => {
  const plan = (shape: MediaShape, evidence = {}, deinterlace?: 'off' | 'frame' | 'field' | 'auto') => planLadder(mediaInfo(shape), { cores: 2, deinterlace }, evidence);

  it('deinterlaces with bwdif at field rate before the split, and plans 50 fps with a GOP cap one frame past the 2 s keyframe interval', () => {
    const p = plan({ fps: 25, fieldOrder: 'tt' }, { fieldSample: combed });
    expect(p.video.fps).toBe(50);
    expect(p.video.gop).toBe(101);
    expect(buildFilterGraph(p, [0, 1])).toMatch(/^\[0:0\]bwdif=mode=send_field:parity=tff:deint=all,fps=50:eof_action=pass,split=2/);
    expect(buildFilterGraph(plan({ fps: 25, fieldOrder: 'tt' }, {}, 'frame'), [0])).toMatch(/^\[0:0\]bwdif=mode=send_frame:parity=tff:deint=all,fps=25:eof_action=pass,scale=/);
  });

  it('tone-maps PQ with zscale and mobius, then scales in BT.709', () => {
    const graph = buildFilterGraph(plan({ colour: { transfer: 'smpte2084', primaries: 'bt2020', matrix: 'bt2020nc' } }), [0]);
    expect(graph).toMatch(
      /^\[0:0\]zscale=tin=smpte2084:min=bt2020nc:pin=bt2020:rin=limited:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=mobius:desat=0,zscale=t=bt709:m=bt709:r=limited,format=yuv420p,fps=25:eof_action=pass,scale=.*in_color_matrix=bt709:out_color_matrix=bt709:in_range=tv:out_range=tv/,
    );
  });

  it('converts a full-range BT.601 source to BT.709 limited with exact rounding', () => {
    const graph = buildFilterGraph(plan({ width: 320, height: 240, pixFmt: 'yuvj420p', colour: { range: 'pc', matrix: 'bt470bg' } }), [0]);
    expect(graph).toContain('flags=bicubic+accurate_rnd+full_chroma_int:in_color_matrix=bt601:out_color_matrix=bt709:in_range=pc:out_range=tv');
  });

  it('makes a VFR source constant at its nominal rate with the fps filter', () => {
    const p = plan({ fps: 23.93, nominalFps: 30 });
    expect(p.video.fps).toBe(30);
    expect(buildFilterGraph(p, [0])).toMatch(/^\[0:0\]fps=30:eof_action=pass,scale=/);
  });

  it('tags every rendition SDR BT.709 limited range', () => {
    const args = buildFfmpegArgs(plan({}), [0, 1], '/tmp/work');
    for (const [flag, value] of [['-color_primaries', 'bt709'], ['-color_trc', 'bt709'], ['-colorspace', 'bt709'], ['-color_range', 'tv']]) {
      expect(args.filter((a, i) => a === flag && args[i + 1] === value)).toHaveLength(2);
    }
  });

  it('starts MPEG-TS timestamps at 0 (no 1.4 s mux delay)', () => {
    const args = buildFfmpegArgs(plan({}), [0], '/tmp/work');
    expect(args[args.indexOf('-muxdelay') + 1]).toBe('0');
    expect(args[args.indexOf('-muxpreload') + 1]).toBe('0');
  });
});

describe('describeTreatment', () => {
  it('names each step for the log, and nothing for a plain source', () => {
    const p = planLadder(mediaInfo({ fps: 25, fieldOrder: 'tt', colour: { transfer: 'arib-std-b67' } }), { cores: 2 });
    expect(describeTreatment(p.treatment, p.video.fps)).toMatch(/^deinterlace \(bwdif, field rate, tff; flagged tt, no field sample\); tone-map HLG to SDR BT\.709$/);
    const plain = planLadder(mediaInfo({}), { cores: 2 });
    expect(describeTreatment(plain.treatment, plain.video.fps)).toBe('');
  });
});
