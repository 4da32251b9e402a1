import { describe, expect, it } from 'vitest';
import { chunkedStrategy, type EncodeStrategiesResult } from '../../src/bench/encode-strategies.js';
import type { LocalLoadResult } from '../../src/bench/local-load.js';
import type { PresetSpeedResult } from '../../src/bench/preset-speed.js';
import { buildReport, markFor, TARGETS, type BenchMeasurements } from '../../src/bench/report.js';
import { planLadder } from '../../src/core/plan/plan-ladder.js';
import { mediaInfo } from './media-info-builder.js';

const GB = 1e9;

function encode(overrides: Partial<EncodeStrategiesResult> = {}): EncodeStrategiesResult {
  const strategy = (name: string, wall: number, isDefault: boolean) => ({
    name,
    description: name,
    processes: name === 'single' ? 1 : 4,
    parallel: name === 'single' ? 1 : 4,
    isDefault,
    groups: name === 'single' ? [['1080p', '720p']] : [['1080p'], ['720p']],
    wallSeconds: [wall],
    cpuSeconds: [wall * 2],
    failures: [],
    medianWallSeconds: wall,
    medianCpuSeconds: wall * 2,
    speed: 10 / wall,
    ratioToFastest: wall / 8,
    phases: [{ probe: 0.2, encode: wall * 0.9, verify: wall * 0.02 }],
    medianPhases: { probe: 0.2, encode: wall * 0.9, verify: wall * 0.02 },
    checksShare: 0.02,
  });
  return {
    renditions: ['1080p', '720p'],
    preset: 'slow',
    runs: 1,
    inputDuration: 10,
    strategies: [
      strategy('single', 10, true),
      strategy('per-rendition', 8, false),
      { ...strategy('chunked', 6, false), processes: 5, parallel: 2, chunkSeconds: 12, groups: [['1080p', '720p']], ratioToFastest: 0.75 },
    ],
    fastest: 'per-rendition',
    defaultStrategy: 'single',
    defaultVsFastest: 1.25,
    defaultVsFastestPerRun: [1.25],
    chunked: { measured: true, vsDefault: 0.6 },
    ...overrides,
  };
}

function load(overrides: Partial<LocalLoadResult> = {}): LocalLoadResult {
  return {
    jobs: 20,
    concurrency: 2,
    coresPerJob: 1,
    inputDuration: 10,
    succeeded: 19,
    successRate: 0.95,
    wallSeconds: 100,
    throughput: 1.9,
    medianJobSpeed: 0.8,
    minJobSpeed: 0.5,
    medianJobWallSeconds: 12.5,
    cpuSeconds: 190,
    peakTreeRssBytes: 3 * GB,
    peakSelfRssBytes: 0.1 * GB,
    maxJobMemoryBytes: 1.7 * GB,
    memorySamples: 400,
    perJob: [{ job: 0, ok: false, error: 'ffmpeg crashed', wallSeconds: 1, speed: undefined, cpuSeconds: 1, peakRssBytes: 1, peakJobTreeRssBytes: 1, ffmpegProcesses: 1 }],
    ...overrides,
  };
}

function presets(): PresetSpeedResult {
  const measured = (preset: 'veryfast' | 'slow', speed: number, ssim: number, psnr: number) => ({ preset, ok: true, error: undefined, wallSeconds: 10 / speed, encodeSeconds: 9 / speed, speed, coreSecondsPerMegapixel: 0.02, ssim, psnr });
  return {
    cores: 2,
    renditions: ['1080p', '720p'],
    top: { name: '1080p', width: 1920, height: 1080, bitrate: 5_000_000 },
    megapixelsPerSecond: 75,
    presets: [
      measured('veryfast', 1.28, 0.9712, 38.4),
      { preset: 'medium', ok: false, error: 'ffmpeg crashed', wallSeconds: undefined, encodeSeconds: undefined, speed: undefined, coreSecondsPerMegapixel: undefined, ssim: undefined, psnr: undefined },
      measured('slow', 0.46, 0.9801, 40.12),
    ],
    costModel: { source: 'calibration', coreSecondsPerMegapixel: { veryfast: 0.02, slow: 0.05 } },
  };
}

const rowOf = (measurements: BenchMeasurements, id: string, chosen = 'veryfast') => buildReport(measurements, chosen).rows.find((r) => r.id === id)!;

describe('markFor', () => {
  it('passes a figure that meets the target, and is marginal between the target and the success criterion', () => {
    expect(markFor(1.4 * GB, TARGETS.memoryPerJob)).toBe('pass');
    expect(markFor(1.5 * GB, TARGETS.memoryPerJob)).toBe('marginal');
    expect(markFor(1.99 * GB, TARGETS.memoryPerJob)).toBe('marginal');
    expect(markFor(2 * GB, TARGETS.memoryPerJob)).toBe('fail');
  });

  it('applies strict and inclusive bounds as the targets are written', () => {
    expect(markFor(0.95, TARGETS.successRate)).toBe('fail'); // > 95%
    expect(markFor(0.96, TARGETS.successRate)).toBe('pass');
    expect(markFor(0.8, TARGETS.speed)).toBe('pass'); // 0.8–1.2x
    expect(markFor(0.79, TARGETS.speed)).toBe('fail');
    expect(markFor(3, TARGETS.speed)).toBe('pass'); // faster than the band is no failure
    expect(markFor(10, TARGETS.uploadMBps)).toBe('fail'); // > 10 MB/s
    expect(markFor(29.9, TARGETS.queueWaitSeconds)).toBe('pass');
    expect(markFor(30, TARGETS.queueWaitSeconds)).toBe('fail');
  });

  it('is not-measured for a missing or non-finite figure, and info without a target', () => {
    expect(markFor(undefined, TARGETS.speed)).toBe('not-measured');
    expect(markFor(Number.NaN, TARGETS.speed)).toBe('not-measured');
    expect(markFor(5, undefined)).toBe('info');
  });
});

describe('buildReport', () => {
  const measured: BenchMeasurements = {
    presets: { state: 'measured', result: presets() },
    encode: { state: 'measured', result: encode() },
    load: { state: 'measured', result: load() },
    upload: { state: 'not-measured', reason: 'no --endpoint' },
    queue: { state: 'skipped' },
  };

  it('puts each measured figure beside its target with its mark', () => {
    expect(rowOf(measured, 'load.memory-per-job')).toMatchObject({ value: 1.7 * GB, display: '1.70 GB', target: '< 1.5 GB (success < 2 GB)', mark: 'marginal' });
    expect(rowOf(measured, 'load.success-rate')).toMatchObject({ value: 0.95, display: '95.0%', mark: 'fail' });
    expect(rowOf(measured, 'load.success-rate').note).toContain('first error: ffmpeg crashed');
    expect(rowOf(measured, 'load.job-speed')).toMatchObject({ value: 0.8, mark: 'pass' });
    expect(rowOf(measured, 'load.tree-peak')).toMatchObject({ value: 3 * GB, mark: 'info', target: '—' });
    expect(rowOf(measured, 'encode.default-speed')).toMatchObject({ value: 1, mark: 'pass' });
    expect(rowOf(measured, 'encode.default-vs-fastest')).toMatchObject({ value: 1.25, display: '1.25x', mark: 'fail' });
    expect(rowOf(measured, 'encode.default-vs-fastest').note).toBe('single vs per-rendition');
  });

  it("marks the checks' share of the default's transcode against 3% (5% marginal), with its stages in the note", () => {
    expect(rowOf(measured, 'encode.checks-share')).toMatchObject({ value: 0.02, display: '2.0%', mark: 'pass', target: '≤ 3% (success ≤ 5%)' });
    expect(rowOf(measured, 'encode.checks-share').note).toBe('median seconds per stage: probe 0.20, encode 9.00, verify 0.20');
    const result = encode();
    for (const [share, mark] of [[0.04, 'marginal'], [0.03, 'pass'], [0.051, 'fail'], [0.25, 'fail']] as const) {
      result.strategies[0]!.checksShare = share;
      expect(rowOf({ ...measured, encode: { state: 'measured' as const, result } }, 'encode.checks-share').mark).toBe(mark);
    }
  });

  it('shows the chunked encode\'s speed beside the layouts, and whether it beat the default', () => {
    expect(rowOf(measured, 'encode.chunked-speed')).toMatchObject({ value: 10 / 6, display: '1.67x', mark: 'info', target: '—' });
    expect(rowOf(measured, 'encode.chunked-speed').note).toBe('5 chunks of 12 s, 2 at once; 0.60x the wall time of the default (single): faster');
    // Faster than every layout, it is still not the fastest layout: the default is compared with layouts only.
    expect(rowOf(measured, 'encode.default-vs-fastest')).toMatchObject({ value: 1.25 });
    const slower = { ...measured, encode: { state: 'measured' as const, result: encode({ chunked: { measured: true, vsDefault: 1.3 } }) } };
    expect(rowOf(slower, 'encode.chunked-speed').note).toMatch(/1\.30x the wall time of the default \(single\): not faster$/);
  });

  it('says why the chunked encode was not measured, or how it failed', () => {
    const short = { ...measured, encode: { state: 'measured' as const, result: encode({ chunked: { measured: false, reason: 'the 2.0 s input is shorter than two 6 s segments' } }) } };
    expect(rowOf(short, 'encode.chunked-speed')).toMatchObject({ value: undefined, display: 'not measured', mark: 'not-measured', note: 'the 2.0 s input is shorter than two 6 s segments' });
    const result = encode();
    const chunked = result.strategies.find((s) => s.name === 'chunked')!;
    Object.assign(chunked, { wallSeconds: [], medianWallSeconds: undefined, speed: undefined, failures: ['ffmpeg crashed'] });
    const failed = { ...measured, encode: { state: 'measured' as const, result: { ...result, chunked: { measured: true as const, vsDefault: undefined } } } };
    expect(rowOf(failed, 'encode.chunked-speed')).toMatchObject({ mark: 'not-measured', note: 'failed: ffmpeg crashed' });
  });

  it('shows each client\'s CPU and how busy a local server was, and names a busy server as the pace-setter', () => {
    const tool = (seconds: number, cpu: number, serverBusy: number | undefined) => ({
      seconds: [seconds],
      medianSeconds: seconds,
      medianMBps: 220 / seconds,
      cpuSeconds: [cpu],
      medianCpuSeconds: cpu,
      serverCpuSeconds: serverBusy === undefined ? [] : [serverBusy * seconds],
      medianServerBusy: serverBusy,
    });
    const upload = (hlsifyBusy: number | undefined, awsBusy: number | undefined) => ({
      ...measured,
      upload: {
        state: 'measured' as const,
        result: {
          measured: true as const,
          endpoint: 'http://127.0.0.1:1',
          local: true,
          bucket: 'b',
          files: 125,
          result: { bytes: 220e6, hlsify: tool(1.5, 0.9, hlsifyBusy), aws: { ...tool(1.5, 0.92, awsBusy), version: 'aws-cli/1.45.11' }, ratio: 1, cpuRatio: 0.9 / 0.92 },
        },
      },
    });
    const busy = upload(0.86, 0.9);
    expect(rowOf(busy, 'upload.hlsify').note).toBe('125 files, 220 MB to a local s3rver; 0.90 CPU s; server 86% busy (it sets the pace)');
    expect(rowOf(busy, 'upload.aws').note).toBe('aws-cli/1.45.11; 0.92 CPU s; server 90% busy (it sets the pace); hlsify/aws 1.00x throughput, 0.98x CPU');
    expect(rowOf(upload(0.2, 0.25), 'upload.hlsify').note).toBe('125 files, 220 MB to a local s3rver; 0.90 CPU s; server 20% busy');
    expect(rowOf(upload(undefined, undefined), 'upload.hlsify').note).toBe('125 files, 220 MB to a local s3rver; 0.90 CPU s');
  });

  it('says why a figure was not measured instead of inventing one', () => {
    const report = buildReport(measured, 'veryfast');
    const upload = report.rows.filter((r) => r.section === 'upload');
    const queue = report.rows.filter((r) => r.section === 'queue');
    expect(upload.length).toBeGreaterThan(0);
    expect(queue.length).toBeGreaterThan(0);
    for (const r of upload) expect(r).toMatchObject({ value: undefined, display: 'not measured', mark: 'not-measured', note: 'no --endpoint' });
    for (const r of queue) expect(r).toMatchObject({ value: undefined, mark: 'not-measured', note: 'skipped (--skip queue)' });
  });

  it('marks a figure of a measured section that is missing (no /proc) as not measured', () => {
    const report = buildReport({ ...measured, load: { state: 'measured', result: load({ maxJobMemoryBytes: undefined, peakTreeRssBytes: undefined, cpuSeconds: undefined }) } }, 'veryfast');
    expect(report.rows.find((r) => r.id === 'load.memory-per-job')).toMatchObject({ mark: 'not-measured', note: '/proc not readable on this OS' });
  });

  it('counts marks and fails the run only when a figure misses its target', () => {
    // The chunked speed has no target: information, never a failure.
    const report = buildReport(measured, 'veryfast');
    expect(report.counts.fail).toBe(2);
    expect(report.passed).toBe(false);
    const good = buildReport({
      ...measured,
      encode: { state: 'measured', result: encode({ defaultVsFastest: 1.02 }) },
      load: { state: 'measured', result: load({ successRate: 1, succeeded: 20 }) },
    }, 'veryfast');
    expect(good.counts).toMatchObject({ fail: 0, marginal: 1 });
    expect(good.passed).toBe(true);
    expect(Object.values(good.counts).reduce((a, b) => a + b, 0)).toBe(good.rows.length);
  });

  it('shows each preset with its speed and the top rendition\'s SSIM and PSNR, and marks the chosen preset\'s speed against the target', () => {
    expect(rowOf(measured, 'presets.veryfast')).toMatchObject({ value: 1.28, display: '1.28x · 0.9712 · 38.40 dB', mark: 'info', note: '5000 kb/s, same for every preset' });
    expect(rowOf(measured, 'presets.slow')).toMatchObject({ value: 0.46, display: '0.46x · 0.9801 · 40.12 dB' });
    expect(rowOf(measured, 'presets.medium')).toMatchObject({ mark: 'not-measured', note: 'failed: ffmpeg crashed' });
    expect(rowOf(measured, 'presets.chosen-speed')).toMatchObject({ value: 1.28, mark: 'pass', figure: 'transcode speed at the preset chosen here (veryfast)' });
    expect(rowOf(measured, 'presets.chosen-speed', 'slow')).toMatchObject({ value: 0.46, mark: 'fail' });
    expect(rowOf(measured, 'presets.chosen-speed', 'ultrafast')).toMatchObject({ mark: 'not-measured', note: 'ultrafast not among the measured presets' });
  });

  it('reports the chosen preset\'s speed as not measured when the presets section was skipped', () => {
    const rows = buildReport({ ...measured, presets: { state: 'skipped' } }, 'slow').rows.filter((r) => r.section === 'presets');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: 'presets.chosen-speed', mark: 'not-measured', note: 'skipped (--skip presets)' });
  });
});

describe('chunkedStrategy', () => {
  const plan = (duration: number, options: Partial<Parameters<typeof planLadder>[1]> = {}) => planLadder(mediaInfo({ duration }), { cores: 2, ...options });

  it('cuts chunks of two segments (12 s) when that gives every core one, else of one segment', () => {
    expect(chunkedStrategy(plan(60), 2)).toMatchObject({ name: 'chunked', chunkSeconds: 12, processes: 5, parallel: 2 });
    // 10 s: 12 s chunks would be one; 6 s chunks make two (6 s and 4 s).
    expect(chunkedStrategy(plan(10), 2)).toMatchObject({ chunkSeconds: 6, processes: 2, parallel: 2 });
    // 30 s on 8 cores: three 12 s chunks leave cores idle; five 6 s chunks run at once.
    expect(chunkedStrategy(plan(30), 8)).toMatchObject({ chunkSeconds: 6, processes: 5, parallel: 5 });
    expect(chunkedStrategy(plan(24, { segmentDuration: 4 }), 2)).toMatchObject({ chunkSeconds: 8, processes: 3 });
  });

  it('gives the reason when the input makes one chunk at most, or cannot be chunked', () => {
    expect(chunkedStrategy(plan(2), 2)).toEqual({ reason: 'the 2.0 s input is shorter than two 6 s segments: one chunk at most; --duration 12 or a longer input makes two' });
    expect(chunkedStrategy(plan(60, { segmentType: 'fmp4' }), 2)).toEqual({ reason: expect.stringMatching(/MPEG-TS/) });
  });
});
