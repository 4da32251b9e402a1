// Chunked jobs on pinned cores, as an operator runs them: a local S3 server and RabbitMQ, workers started
// with `taskset -c N hlsify consume`, the job published with `hlsify submit --wait`; wall time from submit
// to completed, and the CPU seconds (user+sys, /usr/bin/time) of the workers with their ffmpeg children.
//   npm run build && node scripts/bench-chunked.mjs INPUT [CHUNK_SECONDS=12] [-- extra job flags, e.g. --preset veryfast]
// Runs: 1 worker on core 0 with the job whole; 1 worker on core 0 chunked; 2 workers on cores 0 and 1 chunked.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const dash = args.indexOf('--');
const [input, chunkArg] = dash >= 0 ? args.slice(0, dash) : args;
const extra = dash >= 0 ? args.slice(dash + 1) : [];
if (!input) throw new Error('usage: node scripts/bench-chunked.mjs INPUT [CHUNK_SECONDS] [-- job flags]');
const chunkSeconds = chunkArg ?? '12';
const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin', 'hlsify.js');
const amqp = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const bucket = 'bench-chunked';
const server = spawn(process.execPath, [join(root, 'scripts', 's3-server.mjs'), '0', bucket], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(server.stdout, 'data');
const endpoint = String(line).trim().split(' ')[1];
const dir = await mkdtemp(join(tmpdir(), 'hlsify-bench-chunked-'));
const stamp = Date.now().toString(36);

/** Starts a worker pinned to `core` under /usr/bin/time; resolves its CPU seconds once it exits. */
function startWorker(queue, core, index) {
  const timeFile = join(dir, `time-${queue}-${index}`);
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S', '-o', timeFile, 'taskset', '-c', String(core), process.execPath, bin, 'consume', '--amqp', amqp, '--queue', queue, '--events-exchange', `${queue}.events`, '--endpoint', endpoint, '--health-port', '0', '--tmp-dir', dir, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = once(child, 'exit').then(async () => {
    const [, user, sys] = (await readFile(timeFile, 'utf8')).trim().split(/\s+/).map(Number);
    return user + sys;
  });
  // SIGTERM to the worker itself (taskset exec'd it; /usr/bin/time must live on to report).
  const stop = () => spawnSync('pkill', ['-TERM', '-f', `^${process.execPath} .*--queue ${queue} `]);
  return { exited, stop };
}

async function run(label, cores, chunked) {
  const queue = `bench-chunked-${stamp}-${label.replace(/\W+/g, '-')}`;
  const workers = cores.map((core, i) => startWorker(queue, core, i));
  await new Promise((r) => setTimeout(r, 1500));
  const started = Date.now();
  const submit = spawnSync(process.execPath, [bin, 'submit', resolve(input), '--output', `s3://${bucket}/${queue}/out`, '--staging', `s3://${bucket}/${queue}/in`, '--endpoint', endpoint, '--amqp', amqp, '--queue', queue, '--events-exchange', `${queue}.events`, '--wait', '--json', '-q', ...(chunked ? ['--chunk-seconds', chunkSeconds] : []), ...extra], { env, encoding: 'utf8' });
  const wall = (Date.now() - started) / 1000;
  for (const w of workers) w.stop();
  if (submit.status !== 0) throw new Error(`${label}: submit failed: ${submit.stderr}`);
  const cpu = (await Promise.all(workers.map((w) => w.exited))).reduce((a, b) => a + b, 0);
  console.log(`${label.padEnd(34)} wall ${wall.toFixed(1)} s   workers' CPU ${cpu.toFixed(1)} s`);
  return { wall, cpu };
}

try {
  console.log(`input ${input}; chunks of ${chunkSeconds} s; job flags: ${extra.join(' ') || '(none)'}`);
  const whole = await run('1 worker, core 0, whole', [0], false);
  const oneChunked = await run('1 worker, core 0, chunked', [0], true);
  const twoChunked = await run('2 workers, cores 0+1, chunked', [0, 1], true);
  console.log(`speed-up (2 workers chunked vs 1 worker whole): ${(whole.wall / twoChunked.wall).toFixed(2)}x`);
  console.log(`CPU overhead of chunking (1 worker): ${(((oneChunked.cpu - whole.cpu) / whole.cpu) * 100).toFixed(1)}%  (2 workers: ${(((twoChunked.cpu - whole.cpu) / whole.cpu) * 100).toFixed(1)}%)`);
} finally {
  server.kill();
  await rm(dir, { recursive: true, force: true });
}
