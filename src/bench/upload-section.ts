/**
 * Upload throughput to an S3 endpoint (the given one, else a local s3rver when installed): a synthetic
 * ladder of real-ladder file sizes uploaded by `hlsify upload` and, when installed, by `aws s3 sync`,
 * both as CLIs; medians of MB/s and CPU seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchListener } from './bench-events.js';
import { startLocalS3Server } from './local-s3-server.js';
import { DEFAULT_SYNTHETIC, writeSyntheticLadder } from './synthetic-ladder.js';
import { measureUploadThroughput, type UploadBenchResult } from './upload-throughput.js';
import { redactUrl } from '../redact-url.js';

export type UploadSectionResult =
  | { measured: true; endpoint: string; local: boolean; bucket: string; files: number; result: UploadBenchResult }
  | { measured: false; reason: string };

export interface UploadSectionOptions {
  endpoint: string | undefined;
  bucket: string | undefined;
  runs: number;
  concurrency: number;
  /** Segments per rendition of the synthetic ladder (4 renditions, ~7.5 MB per segment row). */
  segments: number;
  workDir: string;
  /** Command prefix that makes a child die with hlsify (Binaries.launcher). */
  launcher: readonly string[];
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
  onEvent?: BenchListener | undefined;
}

export async function measureUploadSection(options: UploadSectionOptions): Promise<UploadSectionResult> {
  let endpoint = options.endpoint;
  let bucket = options.bucket;
  let env = options.env;
  let local: Awaited<ReturnType<typeof startLocalS3Server>>;
  if (endpoint === undefined) {
    local = await startLocalS3Server('hlsify-bench', { dir: options.workDir, launcher: options.launcher, signal: options.signal });
    if (!local) return { measured: false, reason: 'no --endpoint (and no local s3rver installed to stand in)' };
    endpoint = local.endpoint;
    bucket = local.bucket;
    env = local.env;
  } else if (bucket === undefined) {
    return { measured: false, reason: 'no --bucket for --endpoint' };
  }
  const dir = await mkdtemp(join(options.workDir, 'upload-ladder-'));
  try {
    const synthetic = { ...DEFAULT_SYNTHETIC, segments: options.segments };
    const bytes = await writeSyntheticLadder(dir, synthetic);
    const result = await measureUploadThroughput({
      dir,
      bytes,
      endpoint,
      bucket: bucket!,
      runs: options.runs,
      concurrency: options.concurrency,
      env,
      serverPid: local?.pid,
      signal: options.signal,
      onRun: (tool, run, seconds, cpuSeconds) => options.onEvent?.({ type: 'upload-run', tool, run, runs: options.runs, seconds, mbps: bytes / 1e6 / seconds, cpuSeconds }),
    });
    const files = Object.keys(synthetic.renditions).length * (synthetic.segments + 1) + 1;
    return { measured: true, endpoint: redactUrl(endpoint), local: local !== undefined, bucket: bucket!, files, result };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await local?.stop();
  }
}
