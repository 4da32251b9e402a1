/**
 * Upload throughput of `hlsify upload` against `aws s3 sync` (when installed), both run as a user runs
 * them (the CLI in its own process, start-up included) to the same endpoint and ladder, each run into a
 * fresh prefix so nothing is skipped; runs interleaved, medians of wall time and CPU seconds (the child's
 * user+sys, from /proc/self/stat's cutime+cstime once it has been waited for), and a local server's CPU
 * seconds over each run (which show when the server, not the client, sets the pace).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { abortReason } from '../errors.js';
import { processCpuSeconds, procConstants, selfAndChildrenCpuSeconds, type ProcConstants } from '../core/tools/proc-stats.js';

export interface UploadBenchOptions {
  dir: string;
  /** Total bytes of the ladder (for MB/s). */
  bytes: number;
  endpoint: string;
  bucket: string;
  runs: number;
  concurrency: number;
  signal?: AbortSignal | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  onRun?: ((tool: 'hlsify' | 'aws', run: number, seconds: number, cpuSeconds: number | undefined) => void) | undefined;
  /** The aws CLI to compare with; default Debian's /usr/bin/aws when present, else `aws` on PATH. */
  awsBin?: string | undefined;
  /** A local server's process, whose CPU seconds over each run are recorded too. */
  serverPid?: number | undefined;
}

export interface ToolResult {
  seconds: number[];
  medianSeconds: number;
  medianMBps: number;
  /** CPU seconds (user+sys) per run; empty without /proc. */
  cpuSeconds: number[];
  medianCpuSeconds: number | undefined;
  /** The local server's CPU seconds during each run; empty when not known. */
  serverCpuSeconds: number[];
  /** Median over the runs of the server's CPU seconds divided by the run's wall time (1 = a core busy throughout). */
  medianServerBusy: number | undefined;
}

export interface UploadBenchResult {
  bytes: number;
  hlsify: ToolResult;
  /** Undefined when `aws` is not installed. */
  aws: (ToolResult & { version: string }) | undefined;
  /** hlsify MB/s over aws MB/s (higher is better for hlsify). */
  ratio: number | undefined;
  /** hlsify CPU seconds over aws CPU seconds (lower is better for hlsify). */
  cpuRatio: number | undefined;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const HLSIFY_BIN = fileURLToPath(new URL('../../bin/hlsify.js', import.meta.url));

async function awsVersion(awsBin: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const result = await execa(awsBin, ['--version'], { reject: false, env, stdin: 'ignore' });
  return result.exitCode === 0 ? String(result.stdout || result.stderr).trim().split(' ')[0] : undefined;
}

interface Timing {
  seconds: number;
  cpu: number | undefined;
  serverCpu: number | undefined;
}

/** Runs one command to completion; its wall seconds and CPU seconds, and the server's over the same time. */
async function timed(file: string, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal, constants: ProcConstants, serverPid: number | undefined): Promise<Timing> {
  const serverCpu = () => (serverPid === undefined ? Promise.resolve(undefined) : processCpuSeconds(serverPid, constants));
  const serverBefore = await serverCpu();
  const cpuBefore = await selfAndChildrenCpuSeconds(constants);
  const started = performance.now();
  const result = await execa(file, args, { env, cancelSignal: signal, stdin: 'ignore', reject: false });
  const seconds = (performance.now() - started) / 1000;
  if (signal.aborted) throw abortReason(signal);
  if (result.exitCode !== 0) throw new Error(`${file} ${args.slice(0, 2).join(' ')} failed: ${String(result.stderr).trim().split('\n').at(-1) ?? `exit ${result.exitCode}`}`);
  const cpuAfter = await selfAndChildrenCpuSeconds(constants);
  const serverAfter = await serverCpu();
  return {
    seconds,
    cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    serverCpu: serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore,
  };
}

function summarise(bytes: number, timings: Timing[]): ToolResult {
  const seconds = timings.map((t) => t.seconds);
  const known = (values: (number | undefined)[]) => (values.every((v) => v !== undefined) && values.length > 0 ? (values as number[]) : []);
  const cpuSeconds = known(timings.map((t) => t.cpu));
  const serverCpuSeconds = known(timings.map((t) => t.serverCpu));
  return {
    seconds,
    medianSeconds: median(seconds),
    medianMBps: bytes / 1e6 / median(seconds),
    cpuSeconds,
    medianCpuSeconds: cpuSeconds.length > 0 ? median(cpuSeconds) : undefined,
    serverCpuSeconds,
    medianServerBusy: serverCpuSeconds.length > 0 ? median(serverCpuSeconds.map((cpu, i) => cpu / seconds[i]!)) : undefined,
  };
}

export async function measureUploadThroughput(options: UploadBenchOptions): Promise<UploadBenchResult> {
  const env = { ...(options.env ?? process.env), AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required', AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required' };
  const signal = options.signal ?? new AbortController().signal;
  const awsBin = options.awsBin ?? (existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws');
  const aws = await awsVersion(awsBin, env);
  const constants = await procConstants();
  const runs = { hlsify: [] as Timing[], aws: [] as Timing[] };
  const stamp = Date.now().toString(36);
  for (let run = 1; run <= options.runs; run++) {
    if (signal.aborted) throw abortReason(signal);
    const h = await timed(
      process.execPath,
      [HLSIFY_BIN, 'upload', options.dir, `s3://${options.bucket}/bench-${stamp}-hlsify-${run}`, '--endpoint', options.endpoint, '--concurrency', String(options.concurrency), '--quiet'],
      env,
      signal,
      constants,
      options.serverPid,
    );
    runs.hlsify.push(h);
    options.onRun?.('hlsify', run, h.seconds, h.cpu);
    if (aws) {
      const a = await timed(awsBin, ['s3', 'sync', options.dir, `s3://${options.bucket}/bench-${stamp}-aws-${run}`, '--endpoint-url', options.endpoint, '--only-show-errors', '--no-progress'], env, signal, constants, options.serverPid);
      runs.aws.push(a);
      options.onRun?.('aws', run, a.seconds, a.cpu);
    }
  }
  const hlsify = summarise(options.bytes, runs.hlsify);
  const awsResult = aws ? { ...summarise(options.bytes, runs.aws), version: aws } : undefined;
  return {
    bytes: options.bytes,
    hlsify,
    aws: awsResult,
    ratio: awsResult ? hlsify.medianMBps / awsResult.medianMBps : undefined,
    cpuRatio: awsResult?.medianCpuSeconds && hlsify.medianCpuSeconds !== undefined ? hlsify.medianCpuSeconds / awsResult.medianCpuSeconds : undefined,
  };
}
