// N jobs across W workers on one queue, against a local s3rver: counts of succeeded, retried and
// dead-lettered jobs, jobs completed more than once, ffmpeg left behind, and the pickup latency
// (publish → job.started) and processing time. With KILLS > 0, a busy worker is killed (SIGKILL) that
// many times during the run, each replaced by a fresh one.
// usage: node scripts/load-queue.mjs [JOBS=20] [WORKERS=2] [AMQP_URL] [KILLS=0]
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { median } from '../dist/bench/upload-throughput.js';
import { buildJob, openPublisher } from '../dist/worker/publisher.js';
import { topologyFor } from '../dist/worker/topology.js';

const jobs = Number(process.argv[2] ?? 20);
const workers = Number(process.argv[3] ?? 2);
const amqpUrl = process.argv[4] ?? process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const kills = Number(process.argv[5] ?? 0);
const root = new URL('..', import.meta.url).pathname;
Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });

const work = await mkdtemp(join(tmpdir(), 'hlsify-load-'));
const server = spawn(process.execPath, [join(root, 'scripts/s3-server.mjs'), '0', 'load-in', 'load-out'], { stdio: ['ignore', 'pipe', 'inherit'] });
const endpoint = String((await once(server.stdout, 'data'))[0]).trim().split(' ')[1];
const s3 = new S3Client({ endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
const clip = join(work, 'clip.mp4');
execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', clip]);
await s3.send(new PutObjectCommand({ Bucket: 'load-in', Key: 'clip.mp4', Body: await readFile(clip) }));

const queue = `load-${randomUUID().slice(0, 8)}`;
const exchange = `${queue}.events`;
const topology = topologyFor(queue, { eventsExchange: exchange });
const procs = [];
let spawned = 0;
const startWorker = () => {
  const tmp = join(work, `w${spawned++}`);
  const proc = spawn(process.execPath, [join(root, 'bin/hlsify.js'), 'consume', '--amqp', amqpUrl, '--queue', queue, '--events-exchange', exchange, '--endpoint', endpoint, '--health-port', '0', '--tmp-dir', tmp, '--retry-delays', '2s,4s,8s', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(proc);
  return proc;
};
process.on('exit', () => procs.forEach((p) => p.kill('SIGKILL')));
for (let i = 0; i < workers; i++) startWorker();

// The shared publisher declares the queue and publishes with confirms; its watch reads the typed job events.
const publisher = await openPublisher(amqpUrl, topology, new AbortController().signal);
const ids = Array.from({ length: jobs }, (_, i) => `job-${i}`);
const published = new Map();
const started = new Map();
const finished = new Map();
const completions = new Map();
let retried = 0;
const redelivered = new Set();
let killed = 0;
let resolveDone;
const done = new Promise((resolve) => (resolveDone = resolve));
const watch = await publisher.watch(ids, (event) => {
  if (event.type === 'started' && !started.has(event.jobId)) started.set(event.jobId, Date.parse(event.at));
  if (event.type === 'retrying') retried++;
  if (event.type === 'started' && (event.redeliveries ?? 0) > 0) redelivered.add(event.jobId);
  if (event.type === 'completed' && event.status === 'completed') completions.set(event.jobId, (completions.get(event.jobId) ?? 0) + 1);
  if (event.type === 'completed' || event.type === 'failed') finished.set(event.jobId, { ...event, at: Date.parse(event.at) });
  // Kill a worker that is busy right now each time another share of the jobs has finished.
  if (killed < kills && finished.size >= ((killed + 1) * jobs) / (kills + 2)) {
    killed++;
    const victim = procs.find((p) => p.exitCode === null && p.signalCode === null);
    victim?.kill('SIGKILL');
    startWorker();
  }
  if (finished.size === jobs) resolveDone();
});
const t0 = Date.now();
for (const id of ids) {
  published.set(id, Date.now());
  await publisher.publish(buildJob({ id, input: 's3://load-in/clip.mp4', output: `s3://load-out/${queue}/${id}`, ladder: [{ size: 360 }, { size: 240 }], preset: 'veryfast' }));
}
await Promise.race([done, new Promise((r) => setTimeout(r, 15 * 60_000))]);
const wall = (Date.now() - t0) / 1000;
const pickup = [...started].map(([id, at]) => (at - published.get(id)) / 1000);
const processing = [...finished].filter(([, e]) => e.type === 'completed').map(([id, e]) => (e.at - started.get(id)) / 1000);
const succeeded = [...finished.values()].filter((e) => e.type === 'completed').length;
await watch.close();
for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
await Promise.all(procs.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => once(p, 'exit')));
const leftover = execFileSync('ps', ['-eo', 'args=']).toString().split('\n').filter((l) => l.includes(work) && /ffmpeg/.test(l)).length;
console.log(JSON.stringify({ jobs, workers, kills: killed, redeliveredAfterKill: redelivered.size, succeeded, encodedAndUploadedTwice: [...completions.values()].filter((n) => n > 1).length, retried, deadLettered: finished.size - succeeded, unfinished: jobs - finished.size, ffmpegLeft: leftover, wallSeconds: wall,
  pickupSeconds: { first: Math.min(...pickup), median: median(pickup), max: Math.max(...pickup) }, processingSeconds: { median: median(processing), max: Math.max(...processing) } }, null, 2));
await publisher.close();
// Remove the run's queues and exchange.
const amqp = (await import('amqplib')).default;
const connection = await amqp.connect(amqpUrl);
const channel = await connection.createChannel();
for (const q of [queue, `${queue}.dead`, `${queue}.retry.1`, `${queue}.retry.2`, `${queue}.retry.3`]) await channel.deleteQueue(q).catch(() => {});
await channel.deleteExchange(exchange).catch(() => {});
await connection.close();
server.kill('SIGTERM');
await rm(work, { recursive: true, force: true });
// The S3 client keeps sockets alive: end here rather than wait for them.
process.exit(0);
