import { describe, expect, it } from 'vitest';
import { selectPreset } from '../../src/core/plan/preset.js';

const MB = 1024 * 1024;

describe('selectPreset', () => {
  it('encodes small short inputs with the slow preset', () => {
    expect(selectPreset(20 * MB, 60)).toBe('slow');
    expect(selectPreset(100 * MB, 300)).toBe('slow');
  });

  it('switches to medium just above 100 MB or 5 minutes', () => {
    expect(selectPreset(100 * MB + 1, 10)).toBe('medium');
    expect(selectPreset(1 * MB, 300.5)).toBe('medium');
    expect(selectPreset(500 * MB, 600)).toBe('medium');
  });

  it('switches to faster just above 500 MB or 10 minutes', () => {
    expect(selectPreset(500 * MB + 1, 10)).toBe('faster');
    expect(selectPreset(1 * MB, 600.5)).toBe('faster');
    expect(selectPreset(4 * 1024 * MB, 7200)).toBe('faster');
  });
});
