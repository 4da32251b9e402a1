/**
 * Shared pieces of the `hlsify consume` integration tests: a per-test broker namespace (its own work
 * queue and events exchange, deleted afterwards), worker processes that never outlive their test, job
 * publishing, event collection, dead-letter reading, and checks of a ladder in the bucket.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { execa } from 'execa';
import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import { expect, onTestFinished } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { S3_TEST_ENV, type S3TestServer } from '../helpers/s3-server.js';
import { linesOf, processesMentioning } from './support.js';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The tests run workers with `--retry-delays 1s,1s,1s`: three retry queues. */
export const RETRY_DELAYS = '1s,1s,1s';

/** A job that transcodes quickly: one 360p rendition, x264 ultrafast. */
export function quickJob(input: string, output: string, extra: Record<string, unknown> = {}): Record<string, unknown> & { id: string } {
  return { id: `job-${randomUUID()}`, input, output, ladder: [{ size: 360 }], preset: 'ultrafast', ...extra };
}

/** A job whose encode takes several seconds on this machine (1080p source → 720p, x264 medium). */
export function slowJob(input: string, output: string): Record<string, unknown> & { id: string } {
  return { id: `slow-${randomUUID()}`, input, output, ladder: [{ size: 720 }], preset: 'medium' };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value other than undefined/false, or throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** One message the worker published on the events exchange. */
export interface WorkerEvent {
  type: string;
  routingKey: string;
  /** When the test received it (ms since epoch). */
  receivedAt: number;
  at: string;
  jobId?: string;
  attempt?: number;
  status?: string;
  [key: string]: unknown;
}

export interface EventLog {
  events: WorkerEvent[];
  ofType(type: string, jobId?: string): WorkerEvent[];
  waitFor(what: string, predicate: (event: WorkerEvent) => boolean, timeoutMs: number): Promise<WorkerEvent>;
}

export interface DeadLetter {
  body: string;
  reason: string | undefined;
  attempt: number | undefined;
  headers: Record<string, unknown>;
}

/** One JSON log line of a worker. */
export interface LogLine {
  level: number;
  op?: string;
  msg?: string;
  [key: string]: unknown;
}

export interface WorkerProcess {
  proc: ReturnType<typeof hlsify>;
  pid: number;
  healthPort: number;
  /** The worker's --tmp-dir (its own, removed after the test). */
  tmpDir: string;
  logs: LogLine[];
  stderr(): string;
  running(): boolean;
  exited: Promise<{ exitCode: number | undefined; signal: string | undefined }>;
  /** GET on the health server. */
  http(path: string): Promise<{ status: number; text: string }>;
  waitForLog(what: string, predicate: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
  /** Log lines an operator would be alarmed by: errors (other than the `expected` messages) and lost events. */
  alarms(expected?: string[]): LogLine[];
  /** ffmpeg/ffprobe processes whose arguments mention this worker's tmp dir. */
  ffmpegs(): Promise<string[]>;
  /** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ exitCode: number | undefined; signal: string | undefined; seconds: number }>;
}

export interface WorkerOptions {
  endpoint: string;
  inputRoot?: string;
  concurrency?: number;
  shutdownGrace?: string;
  extra?: string[];
  /** Environment on top of the S3 test credentials (e.g. a wrong secret). */
  env?: Record<string, string>;
}

export interface TestBroker {
  queue: string;
  exchange: string;
  deadLetterQueue: string;
  retryQueues: string[];
  connection: ChannelModel;
  /** Publishes a job (an object is sent as JSON, a string as is), persistent, confirmed; returns when it was published. */
  publishJob(body: object | string, options?: { priority?: number }): Promise<number>;
  /** Binds a temporary queue to the events exchange; call it before publishing. */
  collectEvents(): Promise<EventLog>;
  messageCount(queue: string): Promise<number>;
  /** Ready messages of the work queue, the dead-letter queue and every retry queue. */
  depths(): Promise<{ work: number; dead: number; retry: number[] }>;
  /** Takes every message now in the dead-letter queue (waits until at least `atLeast` are there). */
  readDeadLetters(atLeast: number, timeoutMs?: number): Promise<DeadLetter[]>;
  startWorker(options: WorkerOptions): Promise<WorkerProcess>;
}

/** Runs rabbitmqctl quietly and returns its stdout. */
export async function rabbitmqctl(args: string[]): Promise<string> {
  const { stdout } = await execa('rabbitmqctl', [...args, '-q'], { timeout: 30_000 });
  return stdout;
}

/** messages_unacknowledged of `queue` as the broker reports it. */
export async function unackedCount(queue: string): Promise<number> {
  const rows = JSON.parse(await rabbitmqctl(['list_queues', 'name', 'messages_unacknowledged', '--formatter', 'json'])) as { name: string; messages_unacknowledged: number }[];
  const row = rows.find((r) => r.name === queue);
  if (!row) throw new Error(`queue ${queue} not listed by rabbitmqctl`);
  return row.messages_unacknowledged;
}

/** The broker's id of the connection a worker opened (`connection_name` hlsify-worker-<pid>), for close_connection. */
export async function workerConnectionPid(pid: number): Promise<string | undefined> {
  const rows = linesOf(await rabbitmqctl(['list_connections', 'pid', 'client_properties', '--no-table-headers']));
  return rows.find((row) => row.includes(`{"connection_name","hlsify-worker-${pid}"}`))?.split('\t')[0];
}

/** Uploads a fixture as an object of `bucket` and returns its s3:// URL. */
export async function uploadInput(s3: S3TestServer, bucket: string, key: string, fixtureName: string): Promise<string> {
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(fixture(fixtureName)) }));
  return `s3://${bucket}/${key}`;
}

function ignoreErrors<T extends { on(event: 'error', listener: (error: Error) => void): unknown }>(emitter: T): T {
  emitter.on('error', () => {});
  return emitter;
}

/** A fresh queue/exchange namespace on the real broker, torn down (workers first) when the test finishes. */
export async function useBroker(): Promise<TestBroker> {
  const id = randomUUID();
  const queue = `test-${id}`;
  const exchange = `test-events-${id}`;
  const deadLetterQueue = `${queue}.dead`;
  const retryQueues = [1, 2, 3].map((n) => `${queue}.retry.${n}`);
  const connection = ignoreErrors(await amqp.connect(AMQP_URL, { clientProperties: { connection_name: `hlsify-test-${id}` } }));
  const publisher: ConfirmChannel = ignoreErrors(await connection.createConfirmChannel());
  const workers: WorkerProcess[] = [];
  const eventQueues: string[] = [];

  const withChannel = async <T>(use: (channel: Channel) => Promise<T>): Promise<T> => {
    const channel = ignoreErrors(await connection.createChannel());
    try {
      return await use(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  };

  onTestFinished(async () => {
    for (const worker of workers) {
      if (worker.running()) await worker.stop('SIGKILL', 5_000);
      // ffmpeg of a SIGKILLed worker outlives it until its next progress write: end it now.
      for (const line of await processesMentioning(worker.tmpDir)) {
        const pid = Number(line.trim().split(/\s+/)[0]);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await rm(worker.tmpDir, { recursive: true, force: true });
    }
    await withChannel(async (channel) => {
      for (const name of [queue, deadLetterQueue, ...retryQueues, ...eventQueues]) await channel.deleteQueue(name);
      await channel.deleteExchange(exchange);
    }).catch(() => {});
    await connection.close().catch(() => {});
  });

  const messageCount = (name: string) => withChannel(async (channel) => (await channel.checkQueue(name)).messageCount);

  const broker: TestBroker = {
    queue,
    exchange,
    deadLetterQueue,
    retryQueues,
    connection,
    async publishJob(body, options = {}) {
      const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      const publishedAt = Date.now();
      publisher.sendToQueue(queue, content, { persistent: true, contentType: 'application/json', priority: options.priority });
      await publisher.waitForConfirms();
      return publishedAt;
    },
    async collectEvents() {
      const channel = ignoreErrors(await connection.createChannel());
      await channel.assertExchange(exchange, 'topic', { durable: true });
      const { queue: eventQueue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      eventQueues.push(eventQueue);
      await channel.bindQueue(eventQueue, exchange, '#');
      const events: WorkerEvent[] = [];
      await channel.consume(
        eventQueue,
        (message) => {
          if (!message) return;
          const body = JSON.parse(message.content.toString('utf8')) as WorkerEvent;
          events.push({ ...body, routingKey: message.fields.routingKey, receivedAt: Date.now() });
        },
        { noAck: true },
      );
      return {
        events,
        ofType: (type, jobId) => events.filter((e) => e.type === type && (jobId === undefined || e.jobId === jobId)),
        async waitFor(what, predicate, timeoutMs) {
          try {
            return await until(what, () => events.find(predicate), timeoutMs);
          } catch (error) {
            throw new Error(`${(error as Error).message}; events so far:\n${events.map((e) => JSON.stringify(e)).join('\n')}`);
          }
        },
      };
    },
    messageCount,
    async depths() {
      return {
        work: await messageCount(queue),
        dead: await messageCount(deadLetterQueue),
        retry: await Promise.all(retryQueues.map((name) => messageCount(name))),
      };
    },
    async readDeadLetters(atLeast, timeoutMs = 30_000) {
      await until(`${atLeast} message(s) in ${deadLetterQueue}`, async () => (await messageCount(deadLetterQueue)) >= atLeast, timeoutMs);
      return withChannel(async (channel) => {
        const letters: DeadLetter[] = [];
        for (;;) {
          const message = await channel.get(deadLetterQueue, { noAck: true });
          if (!message) return letters;
          const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
          const attempt = headers['x-hlsify-attempt'];
          const reason = headers['x-hlsify-reason'];
          letters.push({ body: message.content.toString('utf8'), reason: reason === undefined ? undefined : String(reason), attempt: attempt === undefined ? undefined : Number(attempt), headers });
        }
      });
    },
    async startWorker(options) {
      const tmp = await mkdtemp(join(tmpdir(), 'hlsify-test-worker-'));
      const args = [
        'consume',
        '--amqp', AMQP_URL,
        '--queue', queue,
        '--events-exchange', exchange,
        '--health-port', '0',
        '--retry-delays', RETRY_DELAYS,
        '--tmp-dir', tmp,
        '--endpoint', options.endpoint,
        '--concurrency', String(options.concurrency ?? 1),
        ...(options.inputRoot ? ['--input-root', options.inputRoot] : []),
        ...(options.shutdownGrace ? ['--shutdown-grace', options.shutdownGrace] : []),
        ...(options.extra ?? []),
      ];
      const proc = hlsify(args, { env: { ...S3_TEST_ENV, ...options.env } });
      const logs: LogLine[] = [];
      let stderr = '';
      let pending = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          try {
            logs.push(JSON.parse(line) as LogLine);
          } catch {
            logs.push({ level: 0, msg: `(not JSON) ${line}` });
          }
        }
      });
      proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      let done = false;
      const exited = proc.then((result) => {
        done = true;
        return { exitCode: result.exitCode, signal: result.signal };
      });
      const worker: WorkerProcess = {
        proc,
        pid: proc.pid!,
        healthPort: 0,
        tmpDir: tmp,
        logs,
        stderr: () => stderr,
        running: () => !done,
        exited,
        async http(path) {
          const response = await fetch(`http://127.0.0.1:${worker.healthPort}${path}`);
          return { status: response.status, text: await response.text() };
        },
        async waitForLog(what, predicate, timeoutMs) {
          try {
            return await until(what, () => logs.find(predicate) ?? (done ? Promise.reject(new Error('the worker exited')) : undefined), timeoutMs);
          } catch (error) {
            throw new Error(`${(error as Error).message} (worker ${proc.pid}); logs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${stderr}`);
          }
        },
        alarms(expected = []) {
          return logs.filter((l) => (l.level >= 50 && !expected.includes(l.msg ?? '')) || l.msg === 'could not publish event' || l.level === 0);
        },
        async ffmpegs() {
          return (await processesMentioning(tmp)).filter((line) => /(^|\/)ff(mpeg|probe)$/.test(line.trim().split(/\s+/)[2] ?? ''));
        },
        async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
          const sent = Date.now();
          // process.kill, not proc.kill: execa's kill() would add its own SIGKILL 5 s after a SIGTERM.
          const send = (s: NodeJS.Signals) => {
            try {
              if (!done) process.kill(proc.pid!, s);
            } catch {
              // already gone
            }
          };
          send(signal);
          const timer = setTimeout(() => send('SIGKILL'), timeoutMs);
          const result = await exited;
          clearTimeout(timer);
          return { ...result, seconds: (Date.now() - sent) / 1000 };
        },
      };
      workers.push(worker);
      const health = await worker.waitForLog('the health server port', (l) => l.op === 'health' && typeof l.port === 'number', 20_000);
      worker.healthPort = health.port as number;
      await worker.waitForLog('"connected and consuming"', (l) => l.op === 'consume', 20_000);
      return worker;
    },
  };
  return broker;
}

/** A ladder as it is in the bucket: every key under the prefix, the master and its media playlists. */
export interface BucketLadder {
  keys: string[];
  master: types.MasterPlaylist;
  variants: { uri: string; playlist: types.MediaPlaylist; segmentKeys: string[] }[];
}

/**
 * Asserts `s3://bucket/prefix` holds exactly one complete ladder: a master playlist (the only one in the
 * bucket), every media playlist it names (ended), every segment those name, and nothing else.
 */
export async function expectCompleteLadder(s3: S3TestServer, bucket: string, prefix: string): Promise<BucketLadder> {
  const all = (await s3.list(bucket)).map((o) => o.key);
  expect(all.filter((k) => k.endsWith('master.m3u8')), 'master playlists in the bucket').toEqual([`${prefix}/master.m3u8`]);
  const keys = all.filter((k) => k.startsWith(`${prefix}/`));
  const master = HLS.parse((await s3.get(bucket, `${prefix}/master.m3u8`)).toString('utf8'));
  expect(master.isMasterPlaylist, 'master.m3u8 is a master playlist').toBe(true);
  const variants: BucketLadder['variants'] = [];
  const expected = new Set([`${prefix}/master.m3u8`]);
  // Every media playlist the master names (variants, I-frame streams, audio and subtitle renditions) is in
  // the bucket with every segment it names.
  const readMedia = async (uri: string) => {
    const playlistKey = posix.join(prefix, uri);
    expect(keys, `media playlist ${uri}`).toContain(playlistKey);
    expected.add(playlistKey);
    const playlist = HLS.parse((await s3.get(bucket, playlistKey)).toString('utf8')) as types.MediaPlaylist;
    expect(playlist.isMasterPlaylist).toBe(false);
    expect(playlist.endlist, `${uri} has #EXT-X-ENDLIST`).toBe(true);
    expect(playlist.segments.length, `${uri} has segments`).toBeGreaterThan(0);
    const dir = posix.dirname(playlistKey);
    const segmentKeys = playlist.segments.map((s) => posix.join(dir, s.uri));
    const init = playlist.segments[0]?.map?.uri;
    if (init) segmentKeys.push(posix.join(dir, init));
    for (const key of segmentKeys) {
      expect(keys, `segment ${key}`).toContain(key);
      expected.add(key);
    }
    return { playlist, segmentKeys };
  };
  const renditionUris = new Set<string>();
  for (const variant of (master as types.MasterPlaylist).variants) {
    const { playlist, segmentKeys } = await readMedia(variant.uri);
    // I-frame playlists (EXT-X-I-FRAME-STREAM-INF) point into the same segments: checked, not counted.
    if (!variant.isIFrameOnly) variants.push({ uri: variant.uri, playlist, segmentKeys });
    for (const rendition of [...variant.audio, ...variant.subtitles]) if (rendition.uri) renditionUris.add(rendition.uri);
  }
  for (const uri of renditionUris) await readMedia(uri);
  expect(variants.length, 'renditions in the master playlist').toBeGreaterThan(0);
  expect(keys.filter((k) => !expected.has(k)), 'objects under the prefix that no playlist names').toEqual([]);
  return { keys, master: master as types.MasterPlaylist, variants };
}

/** The value of a Prometheus sample, e.g. `hlsify_jobs_total{outcome="completed"}`; undefined when absent. */
export function metricValue(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/**
 * An ffmpeg that never finishes an encode (it answers -version, -encoders and the interlace sample through the real one, then
 * waits forever): for jobs that must be killed, time out or be measured mid-job without using the CPU.
 * Its arguments name the worker's tmp dir, so the test teardown ends it.
 */
export async function hangingFfmpeg(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hlsify-test-fake-ffmpeg-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const real = (await execa('sh', ['-c', 'command -v ffmpeg'])).stdout.trim();
  const path = join(dir, 'ffmpeg');
  await writeFile(path, `#!/bin/sh\ncase " $* " in *" -version "*|*" -encoders "*|*" idet"*) exec ${real} "$@";; esac\nwhile :; do sleep 0.2; done\n`, { mode: 0o755 });
  return path;
}

/** Whether a (fake or real) ffmpeg of this worker is running an encode. */
export async function encoding(worker: WorkerProcess): Promise<boolean> {
  return (await processesMentioning(worker.tmpDir)).some((line) => / -progress /.test(line));
}

/** A loopback webhook receiver for the current test: every POSTed JSON body, in order. */
export async function receiver(): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}
