import { describe, expect, it } from 'vitest';
import { dividesSegment, forceKeyFramesExpression, gopFrames, resolveKeyframeInterval } from '../../src/core/plan/keyframes.js';

describe('keyframe interval', () => {
  it('keeps an interval that divides the segment duration', () => {
    expect(resolveKeyframeInterval(6)).toEqual({ interval: 2, adjusted: false });
    expect(resolveKeyframeInterval(6, 3)).toEqual({ interval: 3, adjusted: false });
    expect(resolveKeyframeInterval(6, 0.5)).toEqual({ interval: 0.5, adjusted: false });
    expect(resolveKeyframeInterval(10, 2)).toEqual({ interval: 2, adjusted: false });
  });

  it('rounds down to the longest interval that divides the segment duration, and says so', () => {
    expect(resolveKeyframeInterval(5)).toEqual({ interval: 5 / 3, adjusted: true });
    expect(resolveKeyframeInterval(7)).toEqual({ interval: 1.75, adjusted: true });
    expect(resolveKeyframeInterval(3)).toEqual({ interval: 1.5, adjusted: true });
    expect(resolveKeyframeInterval(6, 4)).toEqual({ interval: 3, adjusted: true });
    expect(resolveKeyframeInterval(1)).toEqual({ interval: 1, adjusted: true });
  });

  it('knows when a segment is a whole number of intervals', () => {
    expect(dividesSegment(6, 2)).toBe(true);
    expect(dividesSegment(6, 1.5)).toBe(true);
    expect(dividesSegment(6, 4)).toBe(false);
    expect(dividesSegment(1, 2)).toBe(false);
    expect(dividesSegment(6, 0)).toBe(false);
  });

  it('caps the GOP one frame past the interval so the time-forced IDR always comes first', () => {
    expect(gopFrames(2, 25)).toBe(51);
    expect(gopFrames(2, 30000 / 1001)).toBe(60); // 59.94 frames: forced IDRs come 59 or 60 frames apart
    expect(gopFrames(2, 24000 / 1001)).toBe(48);
    expect(gopFrames(2, 60)).toBe(121);
  });

  it('forces an IDR at the first frame at or after every multiple of the interval', () => {
    expect(forceKeyFramesExpression(2, 6)).toBe('expr:gte(t,n_forced*2)');
    expect(forceKeyFramesExpression(1.75, 7)).toBe('expr:gte(t,n_forced*1.75)');
    expect(forceKeyFramesExpression(0.5, 6)).toBe('expr:gte(t,n_forced*0.5)');
    // 3 x 1.666667 > 5: the third IDR, and the segment cut, would come a frame after 5 s.
    expect(forceKeyFramesExpression(5 / 3, 5)).toBe('expr:gte(t,n_forced*5/3)');
  });
});
