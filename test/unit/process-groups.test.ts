import { describe, expect, it } from 'vitest';
import { defaultProcessCount, groupRenditions } from '../../src/core/plan/process-groups.js';

// Per-frame pixel work of the default 16:9 ladder: 1080p, 720p, 480p, 360p.
const LADDER_WORK = [1920 * 1080, 1280 * 720, 854 * 480, 640 * 360];

describe('defaultProcessCount', () => {
  it('runs the whole ladder in one decode-once process on 2 cores', () => {
    expect(defaultProcessCount(2, 4)).toBe(1);
    expect(defaultProcessCount(1, 4)).toBe(1);
  });

  it('runs one process per rendition on 16 cores with 4 renditions', () => {
    expect(defaultProcessCount(16, 4)).toBe(4);
  });

  it('uses about one process per 4 cores, never more processes than renditions and never fewer than one', () => {
    expect(defaultProcessCount(8, 4)).toBe(2);
    expect(defaultProcessCount(64, 3)).toBe(3);
    expect(defaultProcessCount(16, 1)).toBe(1);
    expect(defaultProcessCount(0, 4)).toBe(1);
  });
});

describe('groupRenditions', () => {
  it('puts the whole ladder in one group when asked for one', () => {
    expect(groupRenditions(LADDER_WORK, 1)).toEqual([[0, 1, 2, 3]]);
  });

  it('leaves the 1080p rung alone when the default ladder is split in two, since it outweighs the rest', () => {
    expect(groupRenditions(LADDER_WORK, 2)).toEqual([[0], [1, 2, 3]]);
  });

  it('gives each rendition its own process when there are as many processes as renditions', () => {
    expect(groupRenditions(LADDER_WORK, 4)).toEqual([[0], [1], [2], [3]]);
  });

  it('never makes empty groups when asked for more groups than renditions', () => {
    expect(groupRenditions(LADDER_WORK.slice(0, 2), 8)).toEqual([[0], [1]]);
  });

  it('assigns every rendition to exactly one group and keeps each group in ladder order', () => {
    const work = [900, 100, 800, 200, 700, 300, 600];
    for (let count = 1; count <= 8; count++) {
      const groups = groupRenditions(work, count);
      expect(groups.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      for (const group of groups) expect(group).toEqual([...group].sort((a, b) => a - b));
    }
  });

  it('balances equal renditions evenly', () => {
    const groups = groupRenditions([10, 10, 10, 10, 10, 10], 3);
    expect(groups.map((g) => g.length)).toEqual([2, 2, 2]);
  });
});
