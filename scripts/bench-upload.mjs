// Upload throughput: `hlsify upload` vs `aws s3 sync`, both as CLIs, same synthetic ladder, same local s3rver
// (in its own process), runs interleaved, medians. usage: node scripts/bench-upload.mjs [RUNS=5] [CONCURRENCY=8]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { writeSyntheticLadder } from '../dist/bench/synthetic-ladder.js';
import { measureUploadThroughput } from '../dist/bench/upload-throughput.js';

const runs = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 8);
Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
const env = process.env;
const bucket = 'bench-upload';
const server = spawn(process.execPath, [new URL('./s3-server.mjs', import.meta.url).pathname, '0', bucket], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(server.stdout, 'data');
const endpoint = String(line).trim().split(' ')[1];
const dir = await mkdtemp(join(tmpdir(), 'hlsify-bench-ladder-'));
try {
  const bytes = await writeSyntheticLadder(dir);
  console.log(`ladder: ${(bytes / 2 ** 20).toFixed(0)} MiB in 4 renditions x 30 segments; server ${endpoint}; runs ${runs}; concurrency ${concurrency}`);
  const result = await measureUploadThroughput({ dir, bytes, endpoint, bucket, runs, concurrency, env, onRun: (tool, run, s, cpu) => console.log(`run ${run} ${tool.padEnd(6)} ${s.toFixed(2)} s  ${(bytes / 1e6 / s).toFixed(1)} MB/s  ${cpu?.toFixed(2) ?? '?'} CPU s`) });
  console.log(`median hlsify ${result.hlsify.medianSeconds.toFixed(2)} s = ${result.hlsify.medianMBps.toFixed(1)} MB/s, ${result.hlsify.medianCpuSeconds?.toFixed(2) ?? '?'} CPU s`);
  if (result.aws) console.log(`median ${result.aws.version} s3 sync ${result.aws.medianSeconds.toFixed(2)} s = ${result.aws.medianMBps.toFixed(1)} MB/s, ${result.aws.medianCpuSeconds?.toFixed(2) ?? '?'} CPU s; hlsify/aws throughput ratio ${result.ratio.toFixed(2)}, CPU ratio ${result.cpuRatio?.toFixed(2) ?? '?'}`);
  else console.log('aws s3 sync: not installed (apt-get install awscli), no comparison');
} finally {
  server.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
