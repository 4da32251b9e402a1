import { describe, expect, it } from 'vitest';
import { median } from '../../src/bench/upload-throughput.js';

describe('median', () => {
  it('is the middle run of an odd number of runs, whatever their order', () => {
    expect(median([3.2, 1.1, 9.9])).toBe(3.2);
    expect(median([5, 1, 4, 2, 3])).toBe(3);
  });

  it('is the mean of the two middle runs of an even number of runs', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 20])).toBe(15);
  });

  it('is the only run when there is one', () => {
    expect(median([7.25])).toBe(7.25);
  });

  it('sorts numerically, not as strings', () => {
    expect(median([100, 9, 20])).toBe(20);
  });

  it('leaves the runs in the order they were measured', () => {
    const seconds = [3, 1, 2];
    median(seconds);
    expect(seconds).toEqual([3, 1, 2]);
  });
});
