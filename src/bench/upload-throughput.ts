/**
 * Upload throughput of hlsify's core upload against `aws s3 sync` (when installed) to the same
 * endpoint and ladder, each run into a fresh prefix so nothing is skipped; runs interleaved, medians.
 */
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { abortReason } from '../errors.js';
import { openUploadDestination } from '../core/upload/upload-destination.js';
import { uploadLadder } from '../core/upload/upload-ladder.js';

export interface UploadBenchOptions {
  dir: string;
  /** Total bytes of the ladder (for MB/s of the aws runs). */
  bytes: number;
  endpoint: string;
  bucket: string;
  runs: number;
  concurrency: number;
  signal?: AbortSignal | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  onRun?: ((tool: 'hlsify' | 'aws', run: number, seconds: number) => void) | undefined;
  /** The aws CLI to compare with; default Debian's /usr/bin/aws when present, else `aws` on PATH. */
  awsBin?: string | undefined;
}

export interface UploadBenchResult {
  bytes: number;
  hlsify: { seconds: number[]; medianSeconds: number; medianMBps: number };
  /** Undefined when `aws` is not installed. */
  aws: { seconds: number[]; medianSeconds: number; medianMBps: number; version: string } | undefined;
  /** hlsify MB/s over aws MB/s (higher is better for hlsify). */
  ratio: number | undefined;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function awsVersion(awsBin: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const result = await execa(awsBin, ['--version'], { reject: false, env, stdin: 'ignore' });
  return result.exitCode === 0 ? String(result.stdout || result.stderr).trim().split(' ')[0] : undefined;
}

export async function measureUploadThroughput(options: UploadBenchOptions): Promise<UploadBenchResult> {
  const env = options.env ?? process.env;
  const signal = options.signal ?? new AbortController().signal;
  const awsBin = options.awsBin ?? (existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws');
  const aws = await awsVersion(awsBin, env);
  const hlsifySeconds: number[] = [];
  const awsSeconds: number[] = [];
  const stamp = Date.now().toString(36);
  for (let run = 1; run <= options.runs; run++) {
    if (signal.aborted) throw abortReason(signal);
    const destination = openUploadDestination(`s3://${options.bucket}/bench-${stamp}-hlsify-${run}`, { endpoint: options.endpoint, maxSockets: options.concurrency }, {}, env);
    try {
      const started = performance.now();
      await uploadLadder({ dir: options.dir, location: destination.location, store: destination.store, concurrency: options.concurrency, signal });
      hlsifySeconds.push((performance.now() - started) / 1000);
      options.onRun?.('hlsify', run, hlsifySeconds.at(-1)!);
    } finally {
      destination.close();
    }
    if (aws) {
      const started = performance.now();
      await execa(awsBin, ['s3', 'sync', options.dir, `s3://${options.bucket}/bench-${stamp}-aws-${run}`, '--endpoint-url', options.endpoint, '--only-show-errors', '--no-progress'], {
        env: { ...env, AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required', AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required' },
        cancelSignal: signal,
        stdin: 'ignore',
      });
      awsSeconds.push((performance.now() - started) / 1000);
      options.onRun?.('aws', run, awsSeconds.at(-1)!);
    }
  }
  const mbps = (seconds: number) => options.bytes / 1e6 / seconds;
  const hlsify = { seconds: hlsifySeconds, medianSeconds: median(hlsifySeconds), medianMBps: mbps(median(hlsifySeconds)) };
  const awsResult = aws ? { seconds: awsSeconds, medianSeconds: median(awsSeconds), medianMBps: mbps(median(awsSeconds)), version: aws } : undefined;
  return { bytes: options.bytes, hlsify, aws: awsResult, ratio: awsResult ? hlsify.medianMBps / awsResult.medianMBps : undefined };
}
