// N jobs across W workers on one queue, against a local s3rver: counts of succeeded, retried and
// dead-lettered jobs, and the pickup latency (publish → job.started) and processing time.
// usage: node scripts/load-queue.mjs [JOBS=20] [WORKERS=2] [AMQP_URL]
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { median } from '../dist/bench/upload-throughput.js';

const jobs = Number(process.argv[2] ?? 20);
const workers = Number(process.argv[3] ?? 2);
const amqpUrl = process.argv[4] ?? process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
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
const procs = [];
process.on('exit', () => procs.forEach((p) => p.kill('SIGKILL')));
procs.push(...Array.from({ length: workers }, (_, i) =>
  spawn(process.execPath, [join(root, 'bin/hlsify.js'), 'consume', '--amqp', amqpUrl, '--queue', queue, '--events-exchange', exchange, '--endpoint', endpoint, '--health-port', '0', '--tmp-dir', join(work, `w${i}`), '--retry-delays', '2s,4s,8s', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] }),
));
const connection = await amqp.connect(amqpUrl);
const channel = await connection.createConfirmChannel();
await channel.assertExchange(exchange, 'topic', { durable: true });
const { queue: eventsQueue } = await channel.assertQueue('', { exclusive: true });
await channel.bindQueue(eventsQueue, exchange, 'job.#');
const published = new Map();
const started = new Map();
const finished = new Map();
let retried = 0;
const done = new Promise((resolve) => {
  channel.consume(eventsQueue, (message) => {
    const event = JSON.parse(message.content.toString());
    if (event.type === 'started' && !started.has(event.jobId)) started.set(event.jobId, Date.parse(event.at));
    if (event.type === 'retrying') retried++;
    if (event.type === 'completed' || (event.type === 'failed' && event.final)) finished.set(event.jobId, { ...event, at: Date.parse(event.at) });
    if (finished.size === jobs) resolve();
  }, { noAck: true });
});
// The same declaration the workers make (checkQueue on a missing queue would close the channel).
await channel.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 9 } });
// Wait until every worker consumes.
for (let i = 0; i < 100; i++) {
  const info = await channel.checkQueue(queue);
  if (info?.consumerCount === workers) break;
  await new Promise((r) => setTimeout(r, 200));
}
const t0 = Date.now();
for (let i = 0; i < jobs; i++) {
  const id = `job-${i}`;
  published.set(id, Date.now());
  channel.sendToQueue(queue, Buffer.from(JSON.stringify({ id, input: 's3://load-in/clip.mp4', output: `s3://load-out/${queue}/${id}`, ladder: [{ size: 360 }, { size: 240 }], preset: 'veryfast' })), { persistent: true, contentType: 'application/json' });
}
await channel.waitForConfirms();
await Promise.race([done, new Promise((r) => setTimeout(r, 15 * 60_000))]);
const wall = (Date.now() - t0) / 1000;
const pickup = [...started].map(([id, at]) => (at - published.get(id)) / 1000);
const processing = [...finished].filter(([, e]) => e.type === 'completed').map(([id, e]) => (e.at - started.get(id)) / 1000);
const firstPickup = Math.min(...pickup);
const dead = (await channel.checkQueue(`${queue}.dead`)).messageCount;
const succeeded = [...finished.values()].filter((e) => e.type === 'completed').length;
console.log(JSON.stringify({ jobs, workers, succeeded, retried, deadLettered: dead, unfinished: jobs - finished.size, wallSeconds: wall,
  pickupSeconds: { first: firstPickup, median: median(pickup), max: Math.max(...pickup) }, processingSeconds: { median: median(processing), max: Math.max(...processing) } }, null, 2));
for (const p of procs) p.kill('SIGTERM');
await Promise.all(procs.map((p) => once(p, 'exit')));
for (const q of [queue, `${queue}.dead`, `${queue}.retry.1`, `${queue}.retry.2`, `${queue}.retry.3`]) await channel.deleteQueue(q).catch(() => {});
await channel.deleteExchange(exchange).catch(() => {});
await connection.close();
server.kill('SIGTERM');
await rm(work, { recursive: true, force: true });
