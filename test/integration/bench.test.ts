/**
 * `hlsify bench` on a tiny generated input: it runs, prints one JSON document whose figures are
 * measured positive numbers, and whose marks agree with the figures and targets. Timings are not asserted.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { expectNoTempLeft, expectOneErrorLine } from './support.js';

interface Row {
  id: string;
  section: string;
  value: number | null;
  display: string;
  target: string;
  threshold: { op: '<' | '<=' | '>' | '>='; limit: number; marginalLimit?: number } | null;
  mark: 'pass' | 'marginal' | 'fail' | 'not-measured' | 'info';
  note: string | null;
}

interface BenchJson {
  ok: boolean;
  passed: boolean;
  counts: Record<string, number>;
  rows: Row[];
  machine: { cores: number; memoryBytes: number; ffmpegVersion: string; cpuModel: string };
  input: { generated: boolean; width: number; height: number; durationSeconds: number };
  preset: { name: string; source: string; reason: string; minSpeed: number; costModel: string | null };
  calibration: { path: string; written: boolean; reason: string };
  settings: { full: boolean; runs: number; jobs: number; skipped: string[]; presets: string[] };
  sections: {
    presets: { state: string; result: { top: { name: string; width: number; height: number }; presets: { preset: string; ok: boolean; speed: number; ssim: number; psnr: number; coreSecondsPerMegapixel: number }[] } };
    encode: {
      state: string;
      result: {
        strategies: { name: string; isDefault: boolean; processes: number; parallel: number; chunkSeconds?: number; wallSeconds: number[]; medianWallSeconds: number; speed: number }[];
        fastest: string;
        defaultVsFastest: number;
        chunked: { measured: true; vsDefault: number } | { measured: false; reason: string };
      };
    };
    load: { state: string; result: { jobs: number; succeeded: number; successRate: number; perJob: { job: number; ok: boolean; wallSeconds: number; speed: number; cpuSeconds: number; peakRssBytes: number }[]; peakTreeRssBytes: number; peakSelfRssBytes: number; cpuSeconds: number } };
    upload: { state: string };
    queue: { state: string };
  };
}

const holds = (value: number, op: string, limit: number) => (op === '<' ? value < limit : op === '<=' ? value <= limit : op === '>' ? value > limit : value >= limit);

describe('hlsify bench', () => {
  it('measures encode layouts and a local load on a tiny sample and reports each figure against its target', async () => {
    const tmp = await tempDir('bench');
    const cache = await tempDir('bench-cache');
    const result = await hlsify(['bench', '--duration', '2', '--resolution', '320x240', '--runs', '1', '--jobs', '2', '--skip', 'upload,queue', '--ladder', '240,160', '--presets', 'slow,ultrafast,veryfast', '--json', '--tmp-dir', tmp], { env: { XDG_CACHE_HOME: cache } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = JSON.parse(String(result.stdout)) as BenchJson;

    expect(json.ok).toBe(true);
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.machine.memoryBytes).toBeGreaterThan(0);
    expect(json.machine.ffmpegVersion).toMatch(/\d/);
    expect(json.input).toMatchObject({ generated: true, width: 320, height: 240 });
    expect(json.input.durationSeconds).toBeCloseTo(2, 0);
    expect(json.settings).toMatchObject({ full: false, runs: 1, jobs: 2, skipped: ['upload', 'queue'], presets: ['ultrafast', 'veryfast', 'slow'] });

    // Presets: each one's speed, and the top rendition's SSIM and PSNR against the source.
    expect(json.sections.presets.state).toBe('measured');
    const presets = json.sections.presets.result;
    expect(presets.top).toMatchObject({ name: '240p', width: 320, height: 240 });
    expect(presets.presets.map((p) => p.preset)).toEqual(['ultrafast', 'veryfast', 'slow']);
    for (const p of presets.presets) {
      expect(p.ok, p.preset).toBe(true);
      expect(p.speed).toBeGreaterThan(0);
      expect(p.ssim).toBeGreaterThan(0.5);
      expect(p.ssim).toBeLessThanOrEqual(1);
      expect(p.psnr).toBeGreaterThan(20);
    }
    // This run chose its preset from those measurements; a sample this small is not saved as the calibration.
    expect(json.calibration).toMatchObject({ path: join(cache, 'hlsify', 'calibration.json'), written: false });
    expect(json.calibration.reason).toMatch(/^not saved: the sample is too small/);
    await expect(readFile(json.calibration.path)).rejects.toThrow();
    expect(json.preset.costModel).toBe('calibration');
    expect(json.preset.source).not.toBe('flag');
    expect(json.preset).toMatchObject({ minSpeed: 0.8 });
    expect(json.preset.reason).toMatch(/predicted/);
    for (const p of ['ultrafast', 'veryfast', 'slow']) expect(json.rows.find((r) => r.id === `presets.${p}`)?.display).toMatch(/^\d+\.\d\dx · (0\.\d{4}|1\.0000) · \d+\.\d\d dB$/);
    // The chosen preset's row shows its measured speed, or says it was not among the measured ones.
    const chosen = json.rows.find((r) => r.id === 'presets.chosen-speed')!;
    const chosenMeasured = presets.presets.find((p) => p.preset === json.preset.name);
    if (chosenMeasured) expect(chosen.value).toBe(chosenMeasured.speed);
    else expect(chosen).toMatchObject({ mark: 'not-measured', note: `${json.preset.name} not among the measured presets` });

    // Encode: single, per-rendition and sequential for a 2-rendition ladder; exactly one default; medians measured.
    expect(json.sections.encode.state).toBe('measured');
    const strategies = json.sections.encode.result.strategies;
    expect(strategies.map((s) => s.name)).toEqual(expect.arrayContaining(['single', 'per-rendition', 'sequential']));
    expect(strategies.filter((s) => s.isDefault)).toHaveLength(1);
    for (const s of strategies) {
      expect(s.wallSeconds).toHaveLength(1);
      expect(s.medianWallSeconds).toBeGreaterThan(0);
    }
    expect(strategies.map((s) => s.name)).toContain(json.sections.encode.result.fastest);
    expect(json.sections.encode.result.defaultVsFastest).toBeGreaterThanOrEqual(1);
    // A 2 s sample is less than two 6 s segments: no chunks to compare, and the report says why.
    expect(strategies.map((s) => s.name)).not.toContain('chunked');
    const notChunked = 'the 2.0 s input is shorter than two 6 s segments: one chunk at most; --duration 12 or a longer input makes two';
    expect(json.sections.encode.result.chunked).toEqual({ measured: false, reason: notChunked });
    expect(json.rows.find((r) => r.id === 'encode.chunked-speed')).toMatchObject({ value: null, mark: 'not-measured', note: notChunked });

    // Load: both jobs ran with figures from the OS (per-job ffmpeg memory and CPU, the whole tree's peak).
    expect(json.sections.load.state).toBe('measured');
    const load = json.sections.load.result;
    expect(load).toMatchObject({ jobs: 2, succeeded: 2, successRate: 1 });
    expect(load.perJob.map((j) => j.job)).toEqual([0, 1]);
    for (const job of load.perJob) {
      expect(job.ok).toBe(true);
      for (const figure of [job.wallSeconds, job.speed, job.cpuSeconds, job.peakRssBytes]) expect(figure).toBeGreaterThan(0);
    }
    // The tree includes ffmpeg, so its peak is above the Node process's own.
    expect(load.peakTreeRssBytes).toBeGreaterThan(load.peakSelfRssBytes);
    expect(load.cpuSeconds).toBeGreaterThan(0);

    // Every skipped figure says so; every measured one is a positive number whose mark agrees with its target.
    expect(json.sections.upload.state).toBe('skipped');
    expect(json.sections.queue.state).toBe('skipped');
    for (const row of json.rows) {
      if (row.id === 'presets.chosen-speed' && row.mark === 'not-measured') continue;
      if (row.id === 'encode.chunked-speed') continue;
      if (row.section === 'upload' || row.section === 'queue') {
        expect(row).toMatchObject({ mark: 'not-measured', value: null, display: 'not measured' });
        expect(row.note).toMatch(/skipped/);
        continue;
      }
      expect(row.value, row.id).toBeGreaterThan(0);
      if (!row.threshold) {
        expect(row.mark, row.id).toBe('info');
        continue;
      }
      const expected = holds(row.value!, row.threshold.op, row.threshold.limit)
        ? 'pass'
        : row.threshold.marginalLimit !== undefined && holds(row.value!, row.threshold.op, row.threshold.marginalLimit)
          ? 'marginal'
          : 'fail';
      expect(row.mark, row.id).toBe(expected);
    }
    expect(json.rows.find((r) => r.id === 'load.success-rate')).toMatchObject({ value: 1, mark: 'pass' });
    expect(json.passed).toBe(json.rows.every((r) => r.mark !== 'fail'));
    expect(Object.values(json.counts).reduce((a, b) => a + b, 0)).toBe(json.rows.length);

    // Progress went to stderr, and nothing was left in the temp root.
    expect(String(result.stderr)).toMatch(/\[presets\] 3\/3 slow +\d+\.\d\dx realtime, SSIM/);
    expect(String(result.stderr)).toMatch(/\[encode\] run 1\/1/);
    expect(String(result.stderr)).toMatch(/\[load\] 2\/2/);
    await expectNoTempLeft(tmp);
  });

  it('encodes the ladder in chunks, one per core at once, beside the default layout, in the JSON and the table', async () => {
    const tmp = await tempDir('bench-chunked');
    // 12 s: two 6 s segments, so two chunks of one segment; a tiny picture keeps it quick.
    const args = ['bench', '--duration', '12', '--resolution', '160x120', '--ladder', '120', '--preset', 'ultrafast', '--runs', '1', '--skip', 'presets,load,upload,queue', '--tmp-dir', tmp];
    const result = await hlsify([...args, '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const { sections, rows } = JSON.parse(String(result.stdout)) as BenchJson;
    const encode = sections.encode.result;
    const def = encode.strategies.find((s) => s.isDefault)!;
    const chunked = encode.strategies.find((s) => s.name === 'chunked')!;
    expect(def.name).toBe('single');
    expect(chunked).toMatchObject({ isDefault: false, chunkSeconds: 6, processes: 2, parallel: Math.min(2, availableParallelism()) });
    expect(chunked.wallSeconds).toHaveLength(1);
    expect(chunked.speed).toBeGreaterThan(0);
    // The default is ranked among the layouts only, so chunks never make it "slower than the fastest".
    expect(encode.fastest).toBe('single');
    expect(encode.chunked).toEqual({ measured: true, vsDefault: chunked.medianWallSeconds / def.medianWallSeconds });
    const row = rows.find((r) => r.id === 'encode.chunked-speed')!;
    expect(row).toMatchObject({ value: chunked.speed, mark: 'info' });
    expect(row.note).toMatch(/^2 chunks of 6 s, \d at once; \d+\.\d\dx the wall time of the default \(single\): (faster|not faster)$/);
    await expectNoTempLeft(tmp);

    const text = await hlsify([...args, '--quiet']);
    expect(text.exitCode, String(text.stderr)).toBe(0);
    expect(String(text.stdout)).toMatch(/^chunked +2 chunks of 6 s, each 120p +\d+\.\d\d s +\d+\.\d\d s +\d+\.\d\dx +\d+\.\d\dx/m);
    expect(String(text.stdout)).toMatch(/^ {2}chunked \(2 chunks of 6 s, \d at once\) takes \d+\.\d\dx the time of the planner's default \(single\): chunks in parallel are (faster|not faster) here$/m);
    expect(String(text.stdout)).toMatch(/transcode speed in chunks, in parallel \(one job alone\) +\d+\.\d\dx +—/);
  });

  it('prints the table with the machine, every figure, its target and mark', async () => {
    const tmp = await tempDir('bench-text');
    const cache = await tempDir('bench-text-cache');
    // 720p for 2 s: the smallest sample whose measurement is saved as the calibration.
    const result = await hlsify(['bench', '--duration', '2', '--resolution', '1280x720', '--ladder', '720', '--runs', '1', '--jobs', '1', '--skip', 'encode,upload,queue', '--presets', 'ultrafast', '--quiet', '--tmp-dir', tmp], { env: { XDG_CACHE_HOME: cache } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toBe('');
    const text = String(result.stdout);
    expect(text).toMatch(/\d+ core\(s\)/);
    expect(text).toMatch(/ffmpeg \d/);
    expect(text).toMatch(/memory per job, peak .+ MB .+< 1\.5 GB .+ (PASS|MARGINAL|FAIL)/);
    expect(text).toMatch(/success rate, local load +100% +> 95% +PASS/);
    expect(text).toMatch(/upload speed, hlsify \(median\) +not measured .+skipped \(--skip upload\)/);
    expect(text).toMatch(/preset +speed +wall +core-s\/Mpx +720p SSIM +720p PSNR/);
    expect(text).toMatch(/ultrafast +\d+\.\d\dx +\d+\.\d\d s +\d+\.\d{4} +(0\.\d{4}|1\.0000) +\d+\.\d\d dB/);
    expect(text).toMatch(/transcode speed at the preset chosen here \((ultrafast|superfast|veryfast|faster|fast|medium|slow)\) .+0\.8–1\.2x realtime/);
    expect(text).toMatch(/x264 preset \w+: .*predicted/);
    expect(text).toContain(`speed calibration: saved to ${join(cache, 'hlsify', 'calibration.json')}`);
    const saved = JSON.parse(await readFile(join(cache, 'hlsify', 'calibration.json'), 'utf8')) as { cores: number; ffmpegVersion: string; coreSecondsPerMegapixel: Record<string, number> };
    expect(saved.cores).toBe(availableParallelism());
    expect(text).toContain(`ffmpeg ${saved.ffmpegVersion}`);
    expect(Object.keys(saved.coreSecondsPerMegapixel)).toEqual(['ultrafast']);
    expect(saved.coreSecondsPerMegapixel.ultrafast).toBeGreaterThan(0);
    // User-facing text names targets, nothing internal.
    expect(text).toContain('Against the targets');
    expect(text).not.toMatch(/seed/i);
  });

  it('reports the queue section as not measured without --amqp', async () => {
    const tmp = await tempDir('bench-noamqp');
    const result = await hlsify(['bench', '--duration', '1', '--resolution', '160x120', '--jobs', '1', '--skip', 'presets,encode,load,upload', '--json', '--tmp-dir', tmp]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = JSON.parse(String(result.stdout)) as BenchJson;
    expect(json.sections.queue).toEqual({ state: 'not-measured', reason: 'no --amqp' });
    expect(json.rows.filter((r) => r.section === 'queue').every((r) => r.mark === 'not-measured' && r.note === 'no --amqp')).toBe(true);
  });

  it('reports the queue section as not measured when no worker consumes the queue (real RabbitMQ)', async () => {
    const tmp = await tempDir('bench-noworker');
    const queue = `bench-test-${randomUUID()}`;
    const amqp = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
    const result = await hlsify(['bench', '--duration', '1', '--resolution', '160x120', '--jobs', '1', '--skip', 'presets,encode,load,upload', '--amqp', amqp, '--bucket', 'unused-bucket', '--queue', queue, '--json', '--tmp-dir', tmp]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = JSON.parse(String(result.stdout)) as BenchJson;
    expect(json.sections.queue).toEqual({ state: 'not-measured', reason: `no worker consuming "${queue}" within 10 s` });
    expect(json.rows.find((r) => r.id === 'queue.wait')).toMatchObject({ value: null, mark: 'not-measured' });
  }, 60_000);

  it('refuses bad flags with one line and exit 2', async () => {
    const result = await hlsify(['bench', '--skip', 'encode,bogus', '--resolution', '1920x', '--presets', 'slow,turbo']);
    expect(result.exitCode).toBe(2);
    const line = expectOneErrorLine(String(result.stderr));
    expect(line).toMatch(/--skip: unknown section\(s\) bogus/);
    expect(line).toMatch(/--resolution: expected WIDTHxHEIGHT/);
    expect(line).toMatch(/--presets: unknown preset\(s\) turbo: expected a list of ultrafast/);
  });
});
