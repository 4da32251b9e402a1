import { describe, expect, it } from 'vitest';
import { h264Level } from '../../src/core/plan/h264-level.js';

describe('h264Level', () => {
  it('picks the lowest level of Table A-1 that fits size, frame rate and peak rate', () => {
    expect(h264Level(640, 360, 30, 856_000)).toBe('3.0');
    expect(h264Level(854, 480, 25, 1_498_000)).toBe('3.0'); // 1620 MBs x 25 fps = 40500 MB/s, the 3.0 limit
    expect(h264Level(854, 480, 30, 1_498_000)).toBe('3.1');
    expect(h264Level(1280, 720, 30, 2_996_000)).toBe('3.1');
    expect(h264Level(1280, 720, 60, 4_494_000)).toBe('3.2');
    expect(h264Level(1920, 1080, 30, 5_350_000)).toBe('4.0');
    expect(h264Level(1920, 1080, 60, 8_025_000)).toBe('4.2');
    expect(h264Level(3840, 2160, 30, 17_120_000)).toBe('5.1');
  });

  it('moves up a level when the peak rate is above the level limit', () => {
    expect(h264Level(1920, 1080, 30, 30_000_000)).toBe('4.1');
  });

  it('returns undefined beyond level 5.2 so x264 decides', () => {
    expect(h264Level(7680, 4320, 30, 50_000_000)).toBeUndefined();
  });
});
