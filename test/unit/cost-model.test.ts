import { describe, expect, it } from 'vitest';
import { BUILT_IN_COST_MODEL, choosePreset, completeCostModel, ladderMegapixelsPerSecond, predictSpeed, runOverheadSeconds, wholeRunSpeed, type CostModel } from '../../src/core/plan/cost-model.js';
import { planLadder } from '../../src/core/plan/plan-ladder.js';
import { mediaInfo } from './media-info-builder.js';

// A machine where each preset costs twice the one before (core-seconds per output megapixel).
const model: CostModel = { source: 'calibration', coreSecondsPerMegapixel: { ultrafast: 0.005, superfast: 0.01, veryfast: 0.02, faster: 0.04, fast: 0.08, medium: 0.16, slow: 0.32 } };
const LADDER_1080P_25 = ladderMegapixelsPerSecond([{ width: 1920, height: 1080 }, { width: 1280, height: 720 }, { width: 854, height: 480 }, { width: 640, height: 360 }], 25);

describe('predictSpeed', () => {
  it('is cores / (cost x output megapixels per second), and undefined for a preset the model lacks', () => {
    expect(LADDER_1080P_25).toBeCloseTo(90.888, 3);
    expect(predictSpeed(model, 'veryfast', 100, 2)).toBeCloseTo(1, 6);
    expect(predictSpeed(model, 'veryfast', 100, 4)).toBeCloseTo(2, 6);
    expect(predictSpeed(model, 'slower', 100, 2)).toBeUndefined();
  });
});

describe('choosePreset', () => {
  const base = { explicit: undefined, ruled: 'slow' as const, minSpeed: 0.8, model, megapixelsPerSecond: 100, cores: 2 };

  it('keeps the size rule\'s preset when it is predicted to reach the floor', () => {
    const choice = choosePreset({ ...base, cores: 64 });
    expect(choice).toMatchObject({ preset: 'slow', source: 'size-rule', costModel: 'calibration', minSpeed: 0.8 });
    expect(choice.predictedSpeed).toBeCloseTo(2, 6);
    expect(choice.reason).toBe('slow predicted 2.00x >= 0.80x floor');
  });

  it('picks the slowest faster preset predicted to reach the floor, and says why', () => {
    // 2 cores, 100 Mpx/s: veryfast 1.0x, faster 0.5x, slow 0.0625x.
    const choice = choosePreset(base);
    expect(choice).toMatchObject({ preset: 'veryfast', source: 'speed-floor' });
    expect(choice.reason).toBe('slow predicted 0.06x < 0.80x floor; veryfast predicted 1.00x');
    // A lower floor keeps more quality; a higher one costs more.
    expect(choosePreset({ ...base, minSpeed: 0.5 }).preset).toBe('faster');
    expect(choosePreset({ ...base, minSpeed: 1.5 }).preset).toBe('superfast');
  });

  it('never picks a preset slower than the size rule\'s', () => {
    expect(choosePreset({ ...base, ruled: 'faster', cores: 1000 }).preset).toBe('faster');
  });

  it('falls back to the fastest preset when none reaches the floor', () => {
    const choice = choosePreset({ ...base, minSpeed: 50 });
    expect(choice).toMatchObject({ preset: 'ultrafast', source: 'speed-floor' });
    expect(choice.reason).toMatch(/no preset reaches it, ultrafast predicted 4\.00x$/);
  });

  it('lets an explicit preset win whatever the prediction', () => {
    expect(choosePreset({ ...base, explicit: 'veryslow', minSpeed: 50 })).toMatchObject({ preset: 'veryslow', source: 'flag', predictedSpeed: undefined });
  });

  it('keeps the size rule with the floor off (0), or when the model cannot predict it', () => {
    expect(choosePreset({ ...base, minSpeed: 0 })).toMatchObject({ preset: 'slow', source: 'size-rule', minSpeed: 0, costModel: undefined });
    expect(choosePreset({ ...base, model: { source: 'calibration', coreSecondsPerMegapixel: { veryfast: 0.02 } } })).toMatchObject({ preset: 'slow', source: 'size-rule' });
  });

  it('skips presets the model lacks on the way down', () => {
    const sparse: CostModel = { source: 'calibration', coreSecondsPerMegapixel: { ultrafast: 0.005, faster: 0.04, slow: 0.32 } };
    expect(choosePreset({ ...base, model: sparse, minSpeed: 0.4 }).preset).toBe('faster');
    expect(choosePreset({ ...base, model: sparse, minSpeed: 0.8 }).preset).toBe('ultrafast');
  });
});

describe('planLadder with the speed floor', () => {
  const clip = mediaInfo({ width: 1920, height: 1080, fps: 25, duration: 10, size: 10 * 1024 * 1024 });

  it('with the built-in table, encodes a short 1080p clip on 2 cores faster than slow, and keeps slow on 32 cores', () => {
    const two = planLadder(clip, { cores: 2 });
    expect(two.video.preset).toBe('veryfast');
    expect(two.presetChoice).toMatchObject({ source: 'speed-floor', costModel: 'built-in', minSpeed: 0.8 });
    expect(two.presetChoice.predictedSpeed).toBeGreaterThanOrEqual(0.8);
    expect(planLadder(clip, { cores: 32 }).presetChoice).toMatchObject({ preset: 'slow', source: 'size-rule' });
  });

  it('predicts for the ladder it plans: fewer, smaller renditions afford a slower preset', () => {
    const small = planLadder(clip, { cores: 2, ladder: [{ size: 480 }, { size: 360 }] });
    expect(small.presetChoice.source).toBe('size-rule');
    expect(small.video.preset).toBe('slow');
  });

  it('follows the cost model it is given, and an explicit preset wins', () => {
    // At a 1.3x floor for the whole run: this model reaches it with superfast (an encode at 2.20x is 1.41x
    // with probing and checks), the built-in table only with ultrafast.
    expect(planLadder(clip, { cores: 2, minSpeed: 1.3, costModel: model }).presetChoice).toMatchObject({ preset: 'superfast', costModel: 'calibration' });
    expect(planLadder(clip, { cores: 2, minSpeed: 1.3 }).presetChoice).toMatchObject({ preset: 'ultrafast', costModel: 'built-in' });
    expect(planLadder(clip, { cores: 2, costModel: model, preset: 'medium' }).presetChoice).toMatchObject({ preset: 'medium', source: 'flag' });
    expect(planLadder(clip, { cores: 2, minSpeed: 0 }).video.preset).toBe('slow');
  });

  it('has a built-in cost for every preset the size rule or the floor picks', () => {
    for (const preset of ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'] as const) expect(BUILT_IN_COST_MODEL.coreSecondsPerMegapixel[preset]).toBeGreaterThan(0);
  });
});

describe('completeCostModel', () => {
  it('keeps measured costs and scales the built-in cost of the others by the median measured/built-in ratio', () => {
    const built = BUILT_IN_COST_MODEL.coreSecondsPerMegapixel;
    const measured: CostModel = { source: 'calibration', coreSecondsPerMegapixel: { ultrafast: built.ultrafast! * 2, veryfast: built.veryfast! * 3, slow: built.slow! * 10 } };
    const whole = completeCostModel(measured);
    expect(whole.source).toBe('calibration');
    expect(whole.coreSecondsPerMegapixel.ultrafast).toBe(measured.coreSecondsPerMegapixel.ultrafast);
    expect(whole.coreSecondsPerMegapixel.slow).toBe(measured.coreSecondsPerMegapixel.slow);
    expect(whole.coreSecondsPerMegapixel.medium).toBeCloseTo(built.medium! * 3, 10);
    expect(whole.coreSecondsPerMegapixel.slower).toBeUndefined();
  });

  it('leaves a model with nothing in common with the built-in table as it is', () => {
    const odd: CostModel = { source: 'calibration', coreSecondsPerMegapixel: { veryslow: 1 } };
    expect(completeCostModel(odd)).toEqual(odd);
  });
});

describe('whole-run prediction', () => {
  it('adds the run overhead to the encode: a 10 s 1080p30 ladder on 2 cores spent 1.8-2.2 s besides its 8.6 s encode', () => {
    const ladder = (LADDER_1080P_25 * 30) / 25;
    expect(runOverheadSeconds(ladder, 10, 2)).toBeCloseTo(0.4 + (0.0025 * ladder * 10) / 2, 6);
    expect(runOverheadSeconds(ladder, 10, 2)).toBeGreaterThan(1.6);
    expect(runOverheadSeconds(ladder, 10, 2)).toBeLessThan(2.2);
    // An encode predicted at 10/8.6 x realtime is a whole run near 10/10.4 (measured: 11.1 s median, CLI start-up included).
    expect(wholeRunSpeed(10 / 8.6, ladder, 10, 2)).toBeGreaterThan(10 / 10.8);
    expect(wholeRunSpeed(10 / 8.6, ladder, 10, 2)).toBeLessThan(10 / 10.2);
  });

  it('makes the floor pick a faster preset when the encode alone would just reach it', () => {
    const model: CostModel = { source: 'calibration', coreSecondsPerMegapixel: { ultrafast: 0.008, superfast: 0.0125, veryfast: 0.0146, faster: 0.0213, fast: 0.0249, medium: 0.0281, slow: 0.041 } };
    const input = { explicit: undefined, ruled: 'slow' as const, minSpeed: 0.8, model, megapixelsPerSecond: LADDER_1080P_25, cores: 2 };
    // Encode alone: fast is predicted 0.88x, yet the measured run was 0.73x once probing and checks are counted.
    expect(choosePreset(input).preset).toBe('fast');
    const whole = choosePreset({ ...input, mediaSeconds: 10 });
    expect(whole.preset).toBe('faster');
    expect(whole.predictedSpeed!).toBeGreaterThanOrEqual(0.8);
  });
});
