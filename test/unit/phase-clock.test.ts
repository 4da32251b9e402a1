import { describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/core/events.js';
import { phaseClock } from '../../src/core/phase-clock.js';

describe('phaseClock', () => {
  it('times each stage until the next one or the end, adds repeats, and passes every event on', () => {
    let t = 0;
    const seen: PipelineEvent[] = [];
    const clock = phaseClock((event) => seen.push(event), () => t);
    clock.emit({ type: 'warning', message: 'before any stage' });
    t = 100;
    clock.emit({ type: 'stage', stage: 'probe' });
    t = 350;
    clock.emit({ type: 'stage', stage: 'encode' });
    t = 1350;
    clock.emit({ type: 'warning', message: 'during encode' });
    t = 2350;
    clock.emit({ type: 'stage', stage: 'verify' });
    t = 2850;
    clock.emit({ type: 'stage', stage: 'encode' });
    t = 3000;
    expect(clock.finish()).toEqual({ probe: 0.25, encode: 2.15, verify: 0.5 });
    expect(seen).toHaveLength(6);
    // finish() ends the run: calling it again adds nothing.
    t = 9000;
    expect(clock.finish()).toEqual({ probe: 0.25, encode: 2.15, verify: 0.5 });
  });
});
