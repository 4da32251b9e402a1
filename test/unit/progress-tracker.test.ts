import { describe, expect, it } from 'vitest';
import { createProgressTracker } from '../../src/core/encode/progress-tracker.js';
import { planLadder } from '../../src/core/plan/plan-ladder.js';
import { mediaInfo } from './media-info-builder.js';

/** A clock the test moves by hand, in milliseconds. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

// 1080p alone in process 0; 720p, 480p, 360p in process 1. 60 s of media, audio inside the video renditions.
const plan = planLadder(mediaInfo({ duration: 60 }), { cores: 2, processes: 2, audio: 'muxed' });
const pixels = plan.renditions.map((r) => r.width * r.height);
const total = pixels.reduce((a, b) => a + b, 0);

describe('createProgressTracker', () => {
  it('starts at zero with no ETA', () => {
    const tracker = createProgressTracker(plan, manualClock().now);
    const event = tracker.snapshot();
    expect(event).toMatchObject({ type: 'encode-progress', fraction: 0, etaSeconds: undefined });
    expect(event.renditions.map((r) => r.fraction)).toEqual([0, 0, 0, 0]);
  });

  it('weights each process by the pixels it encodes', () => {
    const tracker = createProgressTracker(plan, manualClock().now);
    const event = tracker.update(0, 30);
    expect(event.fraction).toBeCloseTo((0.5 * pixels[0]!) / total, 9);
    expect(event.renditions.map((r) => r.fraction)).toEqual([0.5, 0, 0, 0]);
    expect(tracker.update(1, 60).renditions.map((r) => r.fraction)).toEqual([0.5, 1, 1, 1]);
  });

  it('never goes backwards and never passes 100%', () => {
    const tracker = createProgressTracker(plan, manualClock().now);
    tracker.update(0, 45);
    expect(tracker.update(0, 10).renditions[0]!.fraction).toBe(0.75);
    tracker.update(0, 75);
    const done = tracker.update(1, 61);
    expect(done.fraction).toBe(1);
  });

  it('reports speed as media seconds per wall second and an ETA from the pace so far', () => {
    const clock = manualClock();
    const tracker = createProgressTracker(plan, clock.now);
    clock.advance(10_000);
    tracker.update(0, 30);
    const event = tracker.update(1, 30);
    expect(event.fraction).toBeCloseTo(0.5, 9);
    expect(event.elapsedSeconds).toBe(10);
    expect(event.speed).toBeCloseTo(3, 9);
    expect(event.etaSeconds).toBeCloseTo(10, 9);
  });

  it('counts the separate audio process as a small share and reports its renditions', () => {
    const separate = planLadder(mediaInfo({ duration: 60 }), { cores: 2, processes: 2 });
    const tracker = createProgressTracker(separate, manualClock().now);
    tracker.update(0, 60);
    tracker.update(1, 60);
    const videoDone = tracker.snapshot();
    expect(videoDone.fraction).toBeGreaterThan(0.97);
    expect(videoDone.fraction).toBeLessThan(1);
    expect(videoDone.renditions.map((r) => r.name)).toEqual(['1080p', '720p', '480p', '360p', 'audio-und-stereo']);
    expect(tracker.update(2, 60).fraction).toBeCloseTo(1, 9);
  });

  it('follows the audio process alone for an audio-only ladder', () => {
    const media = mediaInfo({ duration: 60 });
    const audioOnly = planLadder({ ...media, video: undefined, audio: media.audio! }, { cores: 2 });
    const tracker = createProgressTracker(audioOnly, manualClock().now);
    expect(tracker.update(0, 30).fraction).toBeCloseTo(0.5, 9);
  });
});
