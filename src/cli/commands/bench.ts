/** `hlsify bench`: flags → core bench → progress lines on stderr, the table (or --json) on stdout. */
import type { Command } from 'commander';
import chalk from 'chalk';
import { z } from 'zod';
import { DEFAULTS, durationSchema, minSpeedSchema, presetSchema, readEnv } from '../../config.js';
import { defaultCalibrationPath } from '../../core/calibration/calibration-file.js';
import { DEFAULT_MIN_SPEED } from '../../core/plan/cost-model.js';
import { X264_PRESETS } from '../../core/plan/preset.js';
import type { BenchResult } from '../../bench/bench.js';
import { BENCH_PROFILES, BENCH_SECTIONS, defaultConcurrency } from '../../bench/sections.js';
import type { BenchEvent, BenchSection } from '../../bench/bench-events.js';
import type { Mark } from '../../bench/report.js';
import { findBinaries } from '../../core/tools/binaries.js';
import { tempRootProblem } from '../../core/finish/owned-temp-dir.js';
import { UsageError } from '../../errors.js';
import { ladderSchema, parseFlags, endpointFrom } from '../options.js';
import type { RunContext } from '../run-context.js';

const whole = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`));

const resolutionSchema = z.string().transform((text, ctx) => {
  const match = /^(\d+)x(\d+)$/i.exec(text.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 16 || height < 16 || width > 7680 || height > 4320 || width % 2 || height % 2) {
    ctx.addIssue({ code: 'custom', message: `expected WIDTHxHEIGHT with even sides from 16x16 to 7680x4320, such as 1920x1080, got "${text}"` });
    return z.NEVER;
  }
  return { width, height };
});

const skipSchema = z.string().transform((text, ctx) => {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(BENCH_SECTIONS as readonly string[]).includes(p));
  if (bad.length) {
    ctx.addIssue({ code: 'custom', message: `unknown section(s) ${bad.join(', ')}: expected a list of ${BENCH_SECTIONS.join(', ')}` });
    return z.NEVER;
  }
  return new Set(parts as BenchSection[]);
});

const presetListSchema = z.string().transform((text, ctx) => {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(X264_PRESETS as readonly string[]).includes(p));
  if (bad.length || parts.length === 0) {
    ctx.addIssue({ code: 'custom', message: `${bad.length ? `unknown preset(s) ${bad.join(', ')}` : 'no preset'}: expected a list of ${X264_PRESETS.join(', ')}` });
    return z.NEVER;
  }
  // Fastest first, each once.
  return X264_PRESETS.filter((p) => parts.includes(p));
});

const benchFlagsSchema = z
  .object({
    input: z.string().min(1).optional(),
    resolution: resolutionSchema.optional(),
    duration: whole(1, 600).optional(),
    full: z.boolean().optional(),
    runs: whole(1, 50).optional(),
    jobs: whole(1, 1000).optional(),
    concurrency: whole(1, 64).optional(),
    skip: skipSchema.optional(),
    ladder: ladderSchema.optional(),
    preset: presetSchema.optional(),
    presets: presetListSchema.optional(),
    speed: minSpeedSchema.optional(),
    endpoint: z.string().min(1).optional(),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name').optional(),
    uploadSegments: whole(1, 1000).optional(),
    amqp: z.string().regex(/^amqps?:\/\//, 'expected amqp://user:pass@host:port/vhost').optional(),
    queue: z.string().min(1).default(DEFAULTS.queue),
    eventsExchange: z.string().min(1).default('hlsify.events'),
    queueTimeout: durationSchema.default(30 * 60),
    tmpDir: z.string().min(1).optional(),
    ffmpeg: z.string().min(1).optional(),
    ffprobe: z.string().min(1).optional(),
    json: z.boolean().optional(),
    quiet: z.boolean().optional(),
    verbose: z.boolean().optional(),
  })
  .strict()
  .refine((f) => !(f.input && (f.resolution || f.duration)), { message: '--resolution and --duration describe the generated sample; leave them out with --input', path: ['input'] });

function progressLine(event: BenchEvent): string | undefined {
  switch (event.type) {
    case 'bench-note':
      return event.message;
    case 'bench-sample':
      return `input ${event.path}: ${event.width}x${event.height}, ${event.durationSeconds.toFixed(2)} s`;
    case 'bench-section':
      return `[${event.section}] ${event.description}`;
    case 'bench-section-skipped':
      return `[${event.section}] not measured: ${event.reason}`;
    case 'encode-run':
      return `[encode] run ${event.run}/${event.runs} ${event.strategy.padEnd(13)} ${event.ok ? `${event.wallSeconds.toFixed(2)} s` : `failed: ${event.error}`}`;
    case 'load-job':
      return `[load] ${event.done}/${event.jobs} job ${event.job} ${event.ok ? `${event.wallSeconds.toFixed(2)} s, ${event.speed?.toFixed(2)}x` : `failed: ${event.error}`}`;
    case 'upload-run':
      return `[upload] run ${event.run}/${event.runs} ${event.tool.padEnd(6)} ${event.seconds.toFixed(2)} s, ${event.mbps.toFixed(1)} MB/s${event.cpuSeconds === undefined ? '' : `, ${event.cpuSeconds.toFixed(2)} CPU s`}`;
    case 'preset-run':
      return `[presets] ${event.step}/${event.steps} ${event.preset.padEnd(9)} ${event.ok ? `${event.speed!.toFixed(2)}x realtime, SSIM ${event.ssim!.toFixed(4)}, PSNR ${event.psnr === undefined ? '—' : `${event.psnr.toFixed(2)} dB`}` : `failed: ${event.error}`}`;
    case 'queue-progress':
      return `[queue] published ${event.published}/${event.jobs}, started ${event.started}, finished ${event.finished}`;
  }
}

const MARKS: Record<Mark, (text: string) => string> = {
  pass: (t) => chalk.green(t),
  marginal: (t) => chalk.yellow(t),
  fail: (t) => chalk.red(t),
  'not-measured': (t) => chalk.dim(t),
  info: (t) => t,
};
const MARK_TEXT: Record<Mark, string> = { pass: 'PASS', marginal: 'MARGINAL', fail: 'FAIL', 'not-measured': 'n/a', info: '' };

/** Left-aligned columns; widths from the plain text (colour added after padding). */
function table(header: string[], body: string[][], colour?: (row: number, col: number, text: string) => string): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[], r: number) => cells.map((c, i) => (colour && r >= 0 ? colour(r, i, c.padEnd(widths[i]!)) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [chalk.bold(line(header, -1)), ...body.map((cells, r) => line(cells, r))].join('\n');
}

const gb = (b: number | undefined) => (b === undefined ? '—' : `${(b / 1e9).toFixed(2)} GB`);
const mb = (b: number | undefined) => (b === undefined ? '—' : `${Math.round(b / 1e6)} MB`);
const sec = (s: number | undefined) => (s === undefined ? '—' : `${s.toFixed(2)} s`);

/** Whether chunks in parallel beat the planner's default layout here, or why they were not measured. */
function chunkedLine(e: Extract<BenchResult['measurements']['encode'], { state: 'measured' }>['result']): string {
  if (!e.chunked.measured) return `  chunked: not measured (${e.chunked.reason})`;
  const chunked = e.strategies.find((s) => s.chunkSeconds !== undefined)!;
  if (chunked.speed === undefined) return `  chunked: failed (${chunked.failures[0] ?? 'no run finished'})`;
  const what = `chunked (${chunked.processes} chunks of ${chunked.chunkSeconds} s, ${chunked.parallel} at once)`;
  const ratio = e.chunked.vsDefault;
  if (ratio === undefined) return `  ${what}: ${chunked.speed.toFixed(2)}x realtime; the planner's default (${e.defaultStrategy}) did not finish to compare with`;
  return `  ${what} takes ${ratio.toFixed(2)}x the time of the planner's default (${e.defaultStrategy}): chunks in parallel are ${ratio < 1 ? 'faster' : 'not faster'} here`;
}

/** The human summary: machine, per-section detail, then the table against the targets. */
export function benchText(result: BenchResult): string {
  const m = result.machine;
  const out: string[] = [];
  out.push(chalk.bold('Machine'), `  ${m.cpuModel}, ${m.cores} core(s), ${gb(m.memoryBytes)} memory (${gb(m.freeMemoryBytes)} free), ${m.os}`, `  ffmpeg ${m.ffmpegVersion}, Node ${m.node}`);
  const i = result.input;
  out.push(
    chalk.bold('Input'),
    `  ${i.generated ? 'generated sample' : i.path}: ${i.width}x${i.height} ${i.fps.toFixed(2)} fps, ${i.durationSeconds.toFixed(2)} s, ${mb(i.sizeBytes)}`,
    `  x264 preset ${result.preset.name}: ${result.preset.reason}`,
    `  speed calibration: ${result.calibration.written ? `saved to ${result.calibration.path}` : result.calibration.reason}`,
  );
  const { presets, encode, load } = result.measurements;
  if (presets.state === 'measured') {
    const p = presets.result;
    out.push('', chalk.bold(`Presets (${p.renditions.join(', ')}; ${p.top.name} scored against the source at ${Math.round(p.top.bitrate / 1000)} kb/s)`));
    out.push(
      table(
        ['preset', 'speed', 'wall', 'core-s/Mpx', `${p.top.name} SSIM`, `${p.top.name} PSNR`, ''],
        p.presets.map((m) => [
          m.preset,
          m.speed === undefined ? `failed: ${m.error ?? ''}` : `${m.speed.toFixed(2)}x`,
          sec(m.wallSeconds),
          m.coreSecondsPerMegapixel === undefined ? '—' : m.coreSecondsPerMegapixel.toFixed(4),
          m.ssim === undefined ? '—' : m.ssim.toFixed(4),
          m.psnr === undefined ? '—' : `${m.psnr.toFixed(2)} dB`,
          m.preset === result.preset.name ? 'chosen' : '',
        ]),
      ),
    );
  }
  if (encode.state === 'measured') {
    const e = encode.result;
    out.push('', chalk.bold(`Encode layouts (${e.renditions.join(', ')}; median of ${e.runs} run(s), interleaved)`));
    out.push(
      table(
        ['layout', 'processes', 'wall', 'CPU', 'speed', 'vs fastest', ''],
        e.strategies.map((s) => [
          s.name,
          `${s.chunkSeconds === undefined ? s.groups.map((g) => g.join('+')).join(' | ') : `${s.processes} chunks of ${s.chunkSeconds} s, each ${s.groups[0]!.join('+')}`}${s.parallel < (s.chunkSeconds === undefined ? s.groups.length : s.processes) ? ` (${s.parallel} at a time)` : ''}`,
          sec(s.medianWallSeconds),
          sec(s.medianCpuSeconds),
          s.speed === undefined ? `failed: ${s.failures[0] ?? ''}` : `${s.speed.toFixed(2)}x`,
          s.ratioToFastest === undefined ? '—' : `${s.ratioToFastest.toFixed(2)}x`,
          [s.isDefault ? 'default' : '', s.name === e.fastest ? 'fastest' : ''].filter(Boolean).join(', '),
        ]),
      ),
    );
    if (e.fastest && e.defaultVsFastest !== undefined) {
      const perRun = e.defaultVsFastestPerRun.map((r) => r.toFixed(2)).join(', ');
      out.push(
        e.fastest === e.defaultStrategy
          ? `  the planner's default (${e.defaultStrategy}) is the fastest layout here`
          : `  fastest: ${e.fastest}; the planner's default (${e.defaultStrategy}) takes ${e.defaultVsFastest.toFixed(2)}x its time (per run: ${perRun || '—'})`,
      );
    }
    out.push(chunkedLine(e));
  }
  if (load.state === 'measured') {
    const l = load.result;
    out.push('', chalk.bold(`Local load (${l.jobs} jobs, ${l.concurrency} at once, ${l.coresPerJob} core(s) each)`));
    out.push(
      table(
        ['job', 'result', 'wall', 'speed', 'CPU (sampled)', 'peak RSS (ffmpeg)', 'with hlsify'],
        l.perJob.map((j) => [String(j.job), j.ok ? 'ok' : `failed: ${j.error ?? ''}`, sec(j.wallSeconds), j.speed === undefined ? '—' : `${j.speed.toFixed(2)}x`, sec(j.cpuSeconds), mb(j.peakRssBytes), mb(j.peakJobTreeRssBytes)]),
      ),
    );
    out.push(`  overall: ${sec(l.wallSeconds)} wall, ${sec(l.cpuSeconds)} CPU (exact, hlsify + ffmpeg), process-tree peak ${mb(l.peakTreeRssBytes)}, hlsify alone ${mb(l.peakSelfRssBytes)}, ${l.succeeded}/${l.jobs} ok`);
  }
  out.push('', chalk.bold('Against the targets'));
  out.push(
    table(
      ['figure', 'measured', 'target', 'mark', 'note'],
      result.report.rows.map((r) => [r.figure, r.display, r.target, MARK_TEXT[r.mark], r.note ?? '']),
      (row, col, text) => (col === 3 ? MARKS[result.report.rows[row]!.mark](text) : col === 1 && result.report.rows[row]!.mark === 'not-measured' ? chalk.dim(text) : text),
    ),
  );
  const c = result.report.counts;
  out.push('', `${c.pass} pass, ${c.marginal} marginal, ${c.fail} fail, ${c['not-measured']} not measured — ${result.report.passed ? chalk.green('no target missed') : chalk.red('some targets missed')} (bench took ${sec(result.wallSeconds)})`);
  return out.join('\n');
}

/** The --json document. */
export function benchJson(result: BenchResult) {
  return {
    ok: true,
    passed: result.report.passed,
    counts: result.report.counts,
    // null, not absent, for a figure that was not measured.
    rows: result.report.rows.map((r) => ({ ...r, value: r.value ?? null, threshold: r.threshold ?? null, note: r.note ?? null })),
    machine: result.machine,
    input: result.input,
    preset: result.preset,
    calibration: result.calibration,
    settings: result.settings,
    sections: result.measurements,
    wallSeconds: result.wallSeconds,
  };
}

export function registerBench(program: Command, run: (action: (ctx: RunContext) => Promise<void>) => Promise<void>): void {
  program
    .command('bench')
    .description('measure what hlsify achieves on this machine against its targets (a short run; --full for the long one)')
    .option('--full', 'the long run: a 10 s sample, 3 runs, 20 jobs, every preset')
    .option('--input <file>', 'video to bench with (default: a generated sample)')
    .option('--resolution <WxH>', 'size of the generated sample (default 1920x1080)')
    .option('--duration <seconds>', 'length of the generated sample (default: 2; 10 with --full)')
    .option('--runs <n>', 'runs per encode layout and upload tool; medians are reported (default: 1; 3 with --full)')
    .option('--jobs <n>', 'jobs in the local load and the queue load (default: 4; 20 with --full)')
    .option('--concurrency <n>', 'local-load jobs at once (default: one per core)')
    .option('--skip <sections>', `sections to leave out: ${BENCH_SECTIONS.join(',')}`)
    .option('--ladder <rungs>', 'rungs as for transcode (default 1080,720,480,360)')
    .option('--preset <name>', "x264 preset for the encode, load and queue sections (env FFMPEG_PRESET; default: the planner's choice under --speed)")
    .option('--presets <list>', `presets the presets section measures (default: ultrafast to slow; all with --full)`)
    .option('--speed <x>', 'speed floor the planner chooses the preset by, x realtime, 0 = off (env HLSIFY_MIN_SPEED; default: 0.8)')
    .option('--endpoint <url>', 'S3-compatible endpoint for the upload section (default: a local s3rver when installed)')
    .option('--bucket <name>', 'bucket for the upload and queue sections')
    .option('--upload-segments <n>', 'segments per rendition of the synthetic upload ladder, 4 renditions, ~7.5 MB per row (default: 4; 15 with --full)')
    .option('--amqp <url>', 'RabbitMQ with running `hlsify consume` workers, for the queue section')
    .option('--queue <name>', 'the workers\' queue', DEFAULTS.queue)
    .option('--events-exchange <name>', 'the workers\' events exchange', 'hlsify.events')
    .option('--queue-timeout <duration>', 'longest wait for the queued jobs to finish', '30m')
    .option('--tmp-dir <dir>', 'parent of temp dirs (env HLSIFY_TMP_DIR; default: OS temp dir)')
    .option('--ffmpeg <path>', 'ffmpeg binary (env HLSIFY_FFMPEG)')
    .option('--ffprobe <path>', 'ffprobe binary (env HLSIFY_FFPROBE)')
    .option('--json', 'print the measurements as JSON on stdout')
    .option('-q, --quiet', 'no progress lines')
    .option('-v, --verbose', 'show details on failure')
    .action(async (rawFlags: Record<string, unknown>) => {
      await run(async (ctx) => {
        const flags = parseFlags(benchFlagsSchema, { ...rawFlags, endpoint: endpointFrom(rawFlags.endpoint, ctx.env) });
        const env = readEnv(ctx.env);
        const binaries = await findBinaries({ ffmpeg: flags.ffmpeg, ffprobe: flags.ffprobe }, env, ctx.signal);
        const onEvent = flags.quiet
          ? undefined
          : (event: BenchEvent) => {
              const line = progressLine(event);
              if (line) ctx.stderr.write(`${chalk.dim(new Date().toISOString().slice(11, 19))} ${line}\n`);
            };
        // Loaded on use: the bench pulls in the S3 SDK and AMQP client, which other commands need not load.
        const { runBench } = await import('../../bench/bench.js');
        const tmpRoot = flags.tmpDir ?? env.HLSIFY_TMP_DIR;
        const tmpProblem = tmpRoot === undefined ? undefined : await tempRootProblem(tmpRoot);
        if (tmpProblem) throw new UsageError(`${flags.tmpDir === undefined ? 'HLSIFY_TMP_DIR' : '--tmp-dir'} ${tmpRoot}: ${tmpProblem}`);
        const profile = BENCH_PROFILES[flags.full ? 'full' : 'short'];
        const result = await runBench({
          input: flags.input,
          sample: { width: flags.resolution?.width ?? 1920, height: flags.resolution?.height ?? 1080, durationSeconds: flags.duration ?? profile.durationSeconds },
          full: flags.full ?? false,
          runs: flags.runs ?? profile.runs,
          jobs: flags.jobs ?? profile.jobs,
          presets: flags.presets ?? profile.presets,
          minSpeed: flags.speed ?? env.HLSIFY_MIN_SPEED ?? DEFAULT_MIN_SPEED,
          calibrationFile: defaultCalibrationPath(ctx.env),
          concurrency: flags.concurrency ?? defaultConcurrency(),
          skip: flags.skip ?? new Set(),
          ladder: flags.ladder,
          preset: flags.preset ?? env.FFMPEG_PRESET,
          endpoint: flags.endpoint,
          bucket: flags.bucket,
          amqpUrl: flags.amqp,
          queue: flags.queue,
          eventsExchange: flags.eventsExchange,
          uploadSegments: flags.uploadSegments ?? profile.uploadSegments,
          uploadConcurrency: 8,
          queueTimeoutSeconds: flags.queueTimeout,
          binaries,
          tmpRoot,
          maxVideoSize: env.MAX_VIDEO_SIZE ?? DEFAULTS.maxVideoSize,
          minDiskSpace: env.MIN_DISK_SPACE ?? DEFAULTS.minDiskSpace,
          timeoutSeconds: env.MAX_PROCESSING_TIME ?? DEFAULTS.maxProcessingTime,
          killGraceMs: DEFAULTS.killGraceMs,
          env: ctx.env,
          signal: ctx.signal,
          onEvent,
        });
        if (flags.json) ctx.stdout.write(`${JSON.stringify(benchJson(result), null, 2)}\n`);
        else ctx.stdout.write(`${benchText(result)}\n`);
      });
    });
}
