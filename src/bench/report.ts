/**
 * Measurements → the table: each figure beside its target with a pass/fail mark, or "not measured"
 * with the reason. Pure: no I/O, so tests can feed it numbers.
 */
import type { BenchSection } from './bench-events.js';
import type { EncodeStrategiesResult } from './encode-strategies.js';
import type { LocalLoadResult } from './local-load.js';
import type { QueueLoadResult } from './queue-load.js';
import type { UploadSectionResult } from './upload-section.js';
import type { PresetSpeedResult } from './preset-speed.js';

/** pass: meets the target; marginal: misses the target but meets the success criterion; info: no target. */
export type Mark = 'pass' | 'marginal' | 'fail' | 'not-measured' | 'info';

export interface Threshold {
  /** The figure passes when `value op limit`. */
  op: '<' | '<=' | '>' | '>=';
  limit: number;
  /** Between the target and this bound (same direction) the mark is `marginal`. */
  marginalLimit?: number | undefined;
}

export interface ReportRow {
  id: string;
  section: BenchSection;
  figure: string;
  value: number | undefined;
  unit: string;
  /** The value as the table shows it. */
  display: string;
  target: string;
  threshold: Threshold | undefined;
  mark: Mark;
  note: string | undefined;
}

export type SectionOutcome<T> = { state: 'measured'; result: T } | { state: 'skipped' } | { state: 'not-measured'; reason: string };

export interface BenchMeasurements {
  presets: SectionOutcome<PresetSpeedResult>;
  encode: SectionOutcome<EncodeStrategiesResult>;
  load: SectionOutcome<LocalLoadResult>;
  upload: SectionOutcome<Extract<UploadSectionResult, { measured: true }>>;
  queue: SectionOutcome<Extract<QueueLoadResult, { measured: true }>>;
}

const GB = 1e9;

/** The targets hlsify is measured against. */
export const TARGETS = {
  memoryPerJob: { op: '<', limit: 1.5 * GB, marginalLimit: 2 * GB },
  // The target band is 0.8–1.2x realtime; faster than 1.2x is no failure, so the mark checks the floor.
  speed: { op: '>=', limit: 0.8 },
  uploadMBps: { op: '>', limit: 10 },
  queueWaitSeconds: { op: '<', limit: 30 },
  successRate: { op: '>', limit: 0.95 },
  // The default should land within a few percent of the best.
  defaultVsFastest: { op: '<=', limit: 1.05 },
  // The checks before publishing should cost little next to the encode.
  checksShare: { op: '<=', limit: 0.03, marginalLimit: 0.05 },
} as const satisfies Record<string, Threshold>;

function meets(value: number, op: Threshold['op'], limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
  }
}

/** The mark of `value` against `threshold`. */
export function markFor(value: number | undefined, threshold: Threshold | undefined): Mark {
  if (value === undefined || !Number.isFinite(value)) return 'not-measured';
  if (!threshold) return 'info';
  if (meets(value, threshold.op, threshold.limit)) return 'pass';
  if (threshold.marginalLimit !== undefined && meets(value, threshold.op, threshold.marginalLimit)) return 'marginal';
  return 'fail';
}

const fmt = {
  bytes: (b: number) => (b >= GB ? `${(b / GB).toFixed(2)} GB` : `${Math.round(b / 1e6)} MB`),
  speed: (x: number) => `${x.toFixed(2)}x`,
  seconds: (s: number) => `${s.toFixed(s < 10 ? 2 : 1)} s`,
  percent: (f: number) => `${(f * 100).toFixed(f === 1 ? 0 : 1)}%`,
  mbps: (m: number) => `${m.toFixed(1)} MB/s`,
  ratio: (r: number) => `${r.toFixed(2)}x`,
};

interface RowSpec {
  id: string;
  figure: string;
  unit: string;
  target: string;
  threshold?: Threshold | undefined;
  format: (value: number) => string;
  value: number | undefined;
  note?: string | undefined;
  /** Why the value is missing, when it is. */
  missing?: string | undefined;
}

function row(section: BenchSection, spec: RowSpec): ReportRow {
  const mark = markFor(spec.value, spec.threshold);
  const measured = mark !== 'not-measured';
  return {
    id: spec.id,
    section,
    figure: spec.figure,
    value: measured ? spec.value : undefined,
    unit: spec.unit,
    display: measured ? spec.format(spec.value!) : 'not measured',
    target: spec.target,
    threshold: spec.threshold,
    mark,
    // A missing figure says why in its note.
    note: measured ? spec.note : (spec.missing ?? 'no value'),
  };
}

/** Rows for a section that was not run: every figure "not measured" with the reason. */
function missingRows(section: BenchSection, outcome: { state: 'skipped' } | { state: 'not-measured'; reason: string }, specs: Omit<RowSpec, 'value' | 'format'>[]): ReportRow[] {
  const reason = outcome.state === 'skipped' ? `skipped (--skip ${section})` : outcome.reason;
  return specs.map((spec) => row(section, { ...spec, value: undefined, format: String, missing: reason }));
}

const SPEED_TARGET = '0.8–1.2x realtime (≥ 0.8x)';
const SUCCESS_TARGET = '> 95%';

function encodeRows(outcome: BenchMeasurements['encode']): ReportRow[] {
  const specs = [
    { id: 'encode.default-speed', figure: 'transcode speed, one job alone (planner default)', unit: 'x realtime', target: SPEED_TARGET, threshold: TARGETS.speed },
    { id: 'encode.default-vs-fastest', figure: 'planner default vs fastest layout (median wall time)', unit: 'ratio', target: '≤ 1.05x (within a few percent)', threshold: TARGETS.defaultVsFastest },
    { id: 'encode.fastest-speed', figure: 'fastest layout', unit: 'x realtime', target: '—' },
    { id: 'encode.chunked-speed', figure: 'transcode speed in chunks, in parallel (one job alone)', unit: 'x realtime', target: '—' },
    { id: 'encode.checks-share', figure: "the checks' share of a transcode (planner default, median)", unit: 'fraction', target: '≤ 3% (success ≤ 5%)', threshold: TARGETS.checksShare },
  ];
  if (outcome.state !== 'measured') return missingRows('encode', outcome, specs);
  const r = outcome.result;
  const def = r.strategies.find((s) => s.isDefault);
  const fastest = r.strategies.find((s) => s.name === r.fastest);
  const failing = r.strategies.filter((s) => s.failures.length > 0).map((s) => `${s.name}: ${s.failures[0]}`);
  return [
    row('encode', { ...specs[0]!, value: def?.speed, format: fmt.speed, note: def ? `${def.name}, ${r.preset}, median of ${def.wallSeconds.length}` : undefined, missing: failing.join('; ') || undefined }),
    row('encode', {
      ...specs[1]!,
      value: r.defaultVsFastest,
      format: fmt.ratio,
      note: fastest && def ? `${def.name} vs ${fastest.name}${r.strategies.length === 1 ? ' (only one layout for this ladder)' : ''}` : undefined,
      missing: failing.join('; ') || undefined,
    }),
    row('encode', { ...specs[2]!, value: fastest?.speed, format: fmt.speed, note: fastest ? `${fastest.name}: ${fastest.groups.map((g) => g.join('+')).join(' | ')}` : undefined, missing: failing.join('; ') || undefined }),
    chunkedRow(r, specs[3]!),
    row('encode', {
      ...specs[4]!,
      value: def?.checksShare,
      format: fmt.percent,
      note: def?.medianPhases ? `median seconds per stage: ${Object.entries(def.medianPhases).map(([stage, seconds]) => `${stage} ${seconds.toFixed(2)}`).join(', ')}` : undefined,
      missing: failing.join('; ') || undefined,
    }),
  ];
}

/** The chunked encode's speed, with its wall time against the default layout's in the note. */
function chunkedRow(r: EncodeStrategiesResult, spec: Omit<RowSpec, 'value' | 'format'>): ReportRow {
  if (!r.chunked.measured) return row('encode', { ...spec, value: undefined, format: fmt.speed, missing: r.chunked.reason });
  const chunked = r.strategies.find((s) => s.chunkSeconds !== undefined);
  const def = r.strategies.find((s) => s.isDefault);
  const { vsDefault } = r.chunked;
  const versus = vsDefault === undefined || !def ? '' : `; ${fmt.ratio(vsDefault)} the wall time of the default (${def.name}): ${vsDefault < 1 ? 'faster' : 'not faster'}`;
  return row('encode', {
    ...spec,
    value: chunked?.speed,
    format: fmt.speed,
    note: chunked ? `${chunked.processes} chunks of ${chunked.chunkSeconds} s, ${chunked.parallel} at once${versus}` : undefined,
    missing: chunked?.failures[0] ? `failed: ${chunked.failures[0]}` : undefined,
  });
}

/** One row per preset (speed, with the top rendition's SSIM and PSNR), then the speed of the preset the floor picks. */
function presetRows(outcome: BenchMeasurements['presets'], chosen: string): ReportRow[] {
  const floorSpec = { id: 'presets.chosen-speed', figure: `transcode speed at the preset chosen here (${chosen})`, unit: 'x realtime', target: SPEED_TARGET, threshold: TARGETS.speed };
  if (outcome.state !== 'measured') return missingRows('presets', outcome, [floorSpec]);
  const r = outcome.result;
  const rows = r.presets.map((p) =>
    row('presets', {
      id: `presets.${p.preset}`,
      figure: `x264 ${p.preset}: speed · ${r.top.name} SSIM · PSNR`,
      unit: 'x realtime',
      target: '—',
      value: p.speed,
      format: (speed) => `${fmt.speed(speed)} · ${p.ssim === undefined ? '—' : p.ssim.toFixed(4)} · ${p.psnr === undefined ? '—' : `${p.psnr.toFixed(2)} dB`}`,
      note: `${Math.round(r.top.bitrate / 1000)} kb/s, same for every preset`,
      missing: p.error ? `failed: ${p.error}` : undefined,
    }),
  );
  const picked = r.presets.find((p) => p.preset === chosen);
  rows.push(row('presets', { ...floorSpec, value: picked?.speed, format: fmt.speed, note: 'one job alone', missing: picked ? (picked.error ? `failed: ${picked.error}` : undefined) : `${chosen} not among the measured presets` }));
  return rows;
}

function loadRows(outcome: BenchMeasurements['load']): ReportRow[] {
  const specs = [
    { id: 'load.memory-per-job', figure: 'memory per job, peak (its ffmpeg + hlsify)', unit: 'bytes', target: '< 1.5 GB (success < 2 GB)', threshold: TARGETS.memoryPerJob },
    { id: 'load.tree-peak', figure: 'memory of the whole process tree, peak', unit: 'bytes', target: '—' },
    { id: 'load.job-speed', figure: 'transcode speed under load (median job)', unit: 'x realtime', target: SPEED_TARGET, threshold: TARGETS.speed },
    { id: 'load.cpu', figure: 'CPU seconds, all jobs (hlsify + ffmpeg)', unit: 's', target: '—' },
    { id: 'load.wall', figure: 'wall time, all jobs', unit: 's', target: '—' },
    { id: 'load.success-rate', figure: 'success rate, local load', unit: 'fraction', target: SUCCESS_TARGET, threshold: TARGETS.successRate },
  ];
  if (outcome.state !== 'measured') return missingRows('load', outcome, specs);
  const r = outcome.result;
  const noProc = '/proc not readable on this OS';
  const firstError = r.perJob.find((j) => !j.ok)?.error;
  return [
    row('load', { ...specs[0]!, value: r.maxJobMemoryBytes, format: fmt.bytes, missing: noProc, note: `largest of ${r.jobs} jobs, ${r.memorySamples} samples` }),
    row('load', { ...specs[1]!, value: r.peakTreeRssBytes, format: fmt.bytes, missing: noProc, note: `${r.concurrency} job(s) at once` }),
    row('load', { ...specs[2]!, value: r.medianJobSpeed, format: fmt.speed, missing: firstError ? `every job failed: ${firstError}` : undefined, note: r.minJobSpeed === undefined ? undefined : `slowest ${fmt.speed(r.minJobSpeed)}; ${r.concurrency} at once, ${r.coresPerJob} core(s) each` }),
    row('load', { ...specs[3]!, value: r.cpuSeconds, format: fmt.seconds, missing: noProc, note: r.cpuSeconds === undefined ? undefined : `${(r.cpuSeconds / (r.jobs * r.inputDuration)).toFixed(2)} CPU s per input s` }),
    row('load', { ...specs[4]!, value: r.wallSeconds, format: fmt.seconds, note: `${r.jobs} jobs, ${fmt.speed(r.throughput)} realtime overall` }),
    row('load', { ...specs[5]!, value: r.successRate, format: fmt.percent, note: `${r.succeeded}/${r.jobs}${firstError ? `; first error: ${firstError}` : ''}` }),
  ];
}

function uploadRows(outcome: BenchMeasurements['upload']): ReportRow[] {
  const specs = [
    { id: 'upload.hlsify', figure: 'upload speed, hlsify (median)', unit: 'MB/s', target: '> 10 MB/s', threshold: TARGETS.uploadMBps },
    { id: 'upload.aws', figure: 'upload speed, aws s3 sync (median, same ladder)', unit: 'MB/s', target: '—' },
  ];
  if (outcome.state !== 'measured') return missingRows('upload', outcome, specs);
  const r = outcome.result;
  const where = `${r.files} files, ${Math.round(r.result.bytes / 1e6)} MB to ${r.local ? 'a local s3rver' : r.endpoint}`;
  const cpu = (seconds: number | undefined) => (seconds === undefined ? '' : `; ${seconds.toFixed(2)} CPU s`);
  // A local server busy most of a run sets the pace for any client: say so beside the figures.
  const server = (busy: number | undefined) => (busy === undefined ? '' : `; server ${Math.round(busy * 100)}% busy${busy >= 0.8 ? ' (it sets the pace)' : ''}`);
  const awsNote = r.result.aws && r.result.ratio !== undefined
    ? `${r.result.aws.version}${cpu(r.result.aws.medianCpuSeconds)}${server(r.result.aws.medianServerBusy)}; hlsify/aws ${fmt.ratio(r.result.ratio)} throughput${r.result.cpuRatio === undefined ? '' : `, ${fmt.ratio(r.result.cpuRatio)} CPU`}`
    : undefined;
  return [
    row('upload', { ...specs[0]!, value: r.result.hlsify.medianMBps, format: fmt.mbps, note: `${where}${cpu(r.result.hlsify.medianCpuSeconds)}${server(r.result.hlsify.medianServerBusy)}` }),
    row('upload', { ...specs[1]!, value: r.result.aws?.medianMBps, format: fmt.mbps, missing: 'aws CLI not installed', note: awsNote }),
  ];
}

function queueRows(outcome: BenchMeasurements['queue']): ReportRow[] {
  const specs = [
    { id: 'queue.wait', figure: 'job queue time, publish → started (max)', unit: 's', target: '< 30 s', threshold: TARGETS.queueWaitSeconds },
    { id: 'queue.processing', figure: 'job processing time (median)', unit: 's', target: '—' },
    { id: 'queue.success-rate', figure: 'success rate, queue load', unit: 'fraction', target: SUCCESS_TARGET, threshold: TARGETS.successRate },
  ];
  if (outcome.state !== 'measured') return missingRows('queue', outcome, specs);
  const r = outcome.result;
  return [
    row('queue', { ...specs[0]!, value: r.queueWaitSeconds?.max, format: fmt.seconds, missing: 'no job started', note: r.queueWaitSeconds ? `median ${fmt.seconds(r.queueWaitSeconds.median)}, p95 ${fmt.seconds(r.queueWaitSeconds.p95)}; ${r.consumers} consumer(s)` : undefined }),
    row('queue', { ...specs[1]!, value: r.processingSeconds?.median, format: fmt.seconds, missing: 'no job completed', note: r.processingSeconds ? `max ${fmt.seconds(r.processingSeconds.max)}` : undefined }),
    row('queue', { ...specs[2]!, value: r.successRate, format: fmt.percent, note: `${r.succeeded}/${r.jobs} completed, ${r.failed} failed, ${r.unfinished} unfinished, ${r.retries} retries` }),
  ];
}

export interface BenchReport {
  rows: ReportRow[];
  counts: Record<Mark, number>;
  /** No figure failed its target (marginal and not-measured figures do not fail the run). */
  passed: boolean;
}

/** Builds the table from whatever was measured. */
export function buildReport(measurements: BenchMeasurements, chosenPreset: string): BenchReport {
  const rows = [...presetRows(measurements.presets, chosenPreset), ...encodeRows(measurements.encode), ...loadRows(measurements.load), ...uploadRows(measurements.upload), ...queueRows(measurements.queue)];
  const counts: Record<Mark, number> = { pass: 0, marginal: 0, fail: 0, 'not-measured': 0, info: 0 };
  for (const r of rows) counts[r.mark]++;
  return { rows, counts, passed: counts.fail === 0 };
}
