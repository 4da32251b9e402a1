import { describe, expect, it } from 'vitest';
import { outputFps, planLadder } from '../../src/core/plan/plan-ladder.js';
import { mediaInfo } from './media-info-builder.js';

const MB = 1024 * 1024;
const dims = (plan: ReturnType<typeof planLadder>) => plan.renditions.map((r) => `${r.width}x${r.height}`);

describe('planLadder: renditions', () => {
  it('plans the default ladder for a landscape 1920x1080 source', () => {
    const plan = planLadder(mediaInfo({ width: 1920, height: 1080 }), { cores: 2 });
    expect(plan.renditions.map((r) => r.name)).toEqual(['1080p', '720p', '480p', '360p']);
    expect(dims(plan)).toEqual(['1920x1080', '1280x720', '854x480', '640x360']);
  });

  it('plans from the display size, so a rotated phone clip (display 1080x1920) stays portrait', () => {
    const media = mediaInfo({ width: 1920, height: 1080 });
    media.video = { ...media.video, rotation: 90, displayWidth: 1080, displayHeight: 1920 };
    expect(dims(planLadder(media, { cores: 2 }))).toEqual(['1080x1920', '720x1280', '480x854', '360x640']);
  });

  it('plans exactly one rendition at source size for a tiny 320x240 source', () => {
    const plan = planLadder(mediaInfo({ width: 320, height: 240 }), { cores: 16 });
    expect(dims(plan)).toEqual(['320x240']);
    expect(plan.processes).toEqual([[0]]);
  });

  it('follows a custom ladder and uses the bit rate given for a rung', () => {
    const plan = planLadder(mediaInfo(), { cores: 2, ladder: [{ size: 720, bitrate: 3_000_000 }, { size: 360 }] });
    expect(plan.renditions.map((r) => r.name)).toEqual(['720p', '360p']);
    expect(plan.renditions[0]!.videoBitrate).toBe(3_000_000);
    expect(plan.renditions[1]!.videoBitrate).toBe(800_000);
  });

  it('caps the peak rate and buffer a little above the target bit rate (constrained VBR)', () => {
    for (const r of planLadder(mediaInfo(), { cores: 2 }).renditions) {
      expect(r.maxrate).toBeGreaterThan(r.videoBitrate);
      expect(r.maxrate).toBeLessThanOrEqual(r.videoBitrate * 1.1);
      expect(r.bufsize).toBeGreaterThanOrEqual(r.maxrate);
    }
  });
});

describe('planLadder: frame rate and GOP', () => {
  it.each([
    [24, 49],
    [25, 51],
    [30000 / 1001, 60],
    [30, 61],
    [60, 121],
  ])('at %d fps an IDR comes every 2 s and the GOP cap is one frame past it (%i frames)', (fps, gop) => {
    const plan = planLadder(mediaInfo({ fps }), { cores: 2 });
    expect(plan.video.keyframeInterval).toBe(2);
    expect(plan.video.gop).toBe(gop);
    expect(plan.video.fps).toBe(fps);
    expect(plan.segment.duration).toBe(6);
  });

  it('uses the keyframe interval asked for when it divides the segment duration', () => {
    expect(planLadder(mediaInfo({ fps: 25 }), { cores: 2, keyframeInterval: 1 }).video).toMatchObject({ keyframeInterval: 1, gop: 26 });
    expect(planLadder(mediaInfo({ fps: 25 }), { cores: 2, segmentDuration: 4, keyframeInterval: 4 }).video).toMatchObject({ keyframeInterval: 4, gop: 101 });
  });

  it('rounds the keyframe interval to divide the segment duration evenly', () => {
    expect(planLadder(mediaInfo({ fps: 25 }), { cores: 2, segmentDuration: 7 }).video.keyframeInterval).toBe(1.75);
    expect(planLadder(mediaInfo({ fps: 25 }), { cores: 2, segmentDuration: 3 }).video.keyframeInterval).toBe(1.5);
    expect(planLadder(mediaInfo({ fps: 25 }), { cores: 2, segmentDuration: 1 }).video.keyframeInterval).toBe(1);
  });

  it('outputs a 120 fps phone clip at 60 fps with an IDR every 120 frames', () => {
    const plan = planLadder(mediaInfo({ fps: 120 }), { cores: 2 });
    expect(plan.video.fps).toBe(60);
    expect(plan.input.fps).toBe(120);
    expect(plan.video.gop).toBe(121);
  });

  it('halves high frame rates until they are at most 60', () => {
    expect(outputFps(240)).toBe(60);
    expect(outputFps(100)).toBe(50);
    expect(outputFps(119.88)).toBeCloseTo(59.94, 6);
    expect(outputFps(59.94)).toBe(59.94);
    expect(outputFps(60)).toBe(60);
  });

  it('gives a 60 fps source higher bit rates than a 30 fps source of the same size', () => {
    const at30 = planLadder(mediaInfo({ fps: 30 }), { cores: 2 }).renditions;
    const at60 = planLadder(mediaInfo({ fps: 60 }), { cores: 2 }).renditions;
    at60.forEach((r, i) => expect(r.videoBitrate).toBeGreaterThan(at30[i]!.videoBitrate));
  });
});

describe('planLadder: encoder settings', () => {
  it('picks the preset from the input size and duration (speed floor off)', () => {
    expect(planLadder(mediaInfo({ size: 50 * MB, duration: 120 }), { cores: 2, minSpeed: 0 }).video.preset).toBe('slow');
    expect(planLadder(mediaInfo({ size: 200 * MB, duration: 120 }), { cores: 2, minSpeed: 0 }).video.preset).toBe('medium');
    expect(planLadder(mediaInfo({ size: 50 * MB, duration: 601 }), { cores: 2, minSpeed: 0 }).video.preset).toBe('faster');
  });

  it('uses the preset asked for over the automatic one', () => {
    expect(planLadder(mediaInfo({ size: 2000 * MB, duration: 3600 }), { cores: 2, preset: 'veryslow' }).video.preset).toBe('veryslow');
  });

  it('encodes at constant bit rate targets unless a CRF is asked for', () => {
    expect(planLadder(mediaInfo(), { cores: 2 }).video.crf).toBeUndefined();
    expect(planLadder(mediaInfo(), { cores: 2, crf: 23 }).video.crf).toBe(23);
  });

  it('writes MPEG-TS segments of 6 s unless told otherwise', () => {
    expect(planLadder(mediaInfo(), { cores: 2 }).segment).toEqual({ duration: 6, type: 'ts' });
    expect(planLadder(mediaInfo(), { cores: 2, segmentType: 'fmp4', segmentDuration: 4 }).segment).toEqual({ duration: 4, type: 'fmp4' });
  });

  it('passes the x264 thread count asked for, 0 (automatic) by default', () => {
    expect(planLadder(mediaInfo(), { cores: 2 }).video.threads).toBe(0);
    expect(planLadder(mediaInfo(), { cores: 2, threads: 3 }).video.threads).toBe(3);
  });

  it('stops reading a little after the probed duration', () => {
    const plan = planLadder(mediaInfo({ duration: 60 }), { cores: 2 });
    expect(plan.maxInputSeconds).toBeGreaterThan(60);
    expect(plan.maxInputSeconds).toBeLessThanOrEqual(70);
  });
});

describe('planLadder: audio', () => {
  it('encodes stereo AAC at 48 kHz from the source audio stream', () => {
    const plan = planLadder(mediaInfo({ audio: 48000 }), { cores: 2 });
    expect(plan.audio).toEqual({ bitrate: 128_000, channels: 2, sampleRate: 48000 });
    expect(plan.input.audioStream).toBe(1);
  });

  it('keeps 44.1 kHz audio at 44.1 kHz and moves other rates to 48 kHz', () => {
    expect(planLadder(mediaInfo({ audio: 44100 }), { cores: 2 }).audio?.sampleRate).toBe(44100);
    expect(planLadder(mediaInfo({ audio: 32000 }), { cores: 2 }).audio?.sampleRate).toBe(48000);
  });

  it('plans no audio for a silent video', () => {
    const plan = planLadder(mediaInfo({ audio: false }), { cores: 2 });
    expect(plan.audio).toBeUndefined();
    expect(plan.input.audioStream).toBeUndefined();
  });
});

describe('planLadder: processes', () => {
  it('encodes the whole ladder in one process on 2 cores', () => {
    const plan = planLadder(mediaInfo(), { cores: 2 });
    expect(plan.processes).toEqual([[0, 1, 2, 3]]);
    expect(plan.parallel).toBe(1);
  });

  it('runs one process per rendition, all at once, on 16 cores', () => {
    const plan = planLadder(mediaInfo(), { cores: 16 });
    expect(plan.processes).toEqual([[0], [1], [2], [3]]);
    expect(plan.parallel).toBe(4);
  });

  it('splits the ladder into the number of processes asked for, the top rung alone when it is two', () => {
    expect(planLadder(mediaInfo(), { cores: 2, processes: 2 }).processes).toEqual([[0], [1, 2, 3]]);
  });

  it('runs at most as many processes at once as asked, and at least one', () => {
    expect(planLadder(mediaInfo(), { cores: 16, parallel: 2 }).parallel).toBe(2);
    expect(planLadder(mediaInfo(), { cores: 16, parallel: 10 }).parallel).toBe(4);
  });
});
