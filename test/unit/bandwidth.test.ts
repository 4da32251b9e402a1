import { describe, expect, it } from 'vitest';
import { averageBandwidth, peakBandwidth } from '../../src/core/playlist/bandwidth.js';

describe('peakBandwidth (RFC 8216 §4.3.4.2)', () => {
  it('takes the busiest run of segments lasting 0.5 to 1.5 target durations, not a short last segment alone', () => {
    // Target 6 s, so runs of 3 s to 9 s count.
    //   [0]    6 s,  6 000 000 bits → 1 000 000 b/s
    //   [1]    6 s, 12 000 000 bits → 2 000 000 b/s
    //   [1,2]  8 s, 20 000 000 bits → 2 500 000 b/s   ← the peak
    //   [2]    2 s,  8 000 000 bits → 4 000 000 b/s, but 2 s < 3 s, so it does not count alone
    const segments = [
      { duration: 6, bytes: 750_000 },
      { duration: 6, bytes: 1_500_000 },
      { duration: 2, bytes: 1_000_000 },
    ];
    expect(peakBandwidth(segments, 6)).toBe(2_500_000);
  });

  it('counts a run lasting exactly 1.5 target durations', () => {
    // Target 4 s: runs of 2 s to 6 s. [0] is 1 s (too short); [0,1] is 6 s: 6 000 000 bits / 6 s.
    const segments = [
      { duration: 1, bytes: 250_000 },
      { duration: 5, bytes: 500_000 },
    ];
    expect(peakBandwidth(segments, 4)).toBe(1_000_000);
  });

  it('counts a single segment lasting exactly half the target duration', () => {
    // Target 4 s: [0] is 2 s at 2 000 000 b/s; [1] 4 s at 800 000; [0,1] 6 s at 933 334.
    const segments = [
      { duration: 2, bytes: 500_000 },
      { duration: 4, bytes: 400_000 },
    ];
    expect(peakBandwidth(segments, 4)).toBe(2_000_000);
  });

  it('finds a spike in the middle of a long playlist', () => {
    const segments = Array.from({ length: 20 }, (_, i) => ({ duration: 6, bytes: i === 13 ? 3_000_000 : 1_000_000 }));
    expect(peakBandwidth(segments, 6)).toBe(4_000_000);
  });

  it('rounds up to whole bits per second, never under-declaring', () => {
    expect(peakBandwidth([{ duration: 6.006, bytes: 1_000_000 }], 6)).toBe(Math.ceil(8_000_000 / 6.006));
    expect(peakBandwidth([{ duration: 3, bytes: 1 }], 6)).toBe(3);
  });

  it('falls back to the highest single-segment rate when no run is long enough', () => {
    expect(
      peakBandwidth(
        [
          { duration: 1, bytes: 1000 },
          { duration: 0.5, bytes: 1000 },
        ],
        6,
      ),
    ).toBe(16_000);
  });

  it('is 0 for no segments', () => {
    expect(peakBandwidth([], 6)).toBe(0);
  });

  it('is never below the average bit rate', () => {
    const segments = [6, 6, 6, 6, 4.5].map((duration, i) => ({ duration, bytes: 400_000 + i * 137_000 }));
    expect(peakBandwidth(segments, 6)).toBeGreaterThanOrEqual(averageBandwidth(segments));
  });
});

describe('averageBandwidth', () => {
  it('is total bits over total duration, rounded up', () => {
    // 3 250 000 bytes = 26 000 000 bits over 14 s = 1 857 142.86 b/s.
    const segments = [
      { duration: 6, bytes: 750_000 },
      { duration: 6, bytes: 1_500_000 },
      { duration: 2, bytes: 1_000_000 },
    ];
    expect(averageBandwidth(segments)).toBe(1_857_143);
  });

  it('is 0 for no segments', () => {
    expect(averageBandwidth([])).toBe(0);
  });
});
