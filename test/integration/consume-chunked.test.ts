/**
 * Chunked jobs across workers, with the real RabbitMQ, S3 server and ffmpeg: a 60 s source with audio and
 * subtitles in 12 s chunks makes the ladder an unchunked encode makes (segments, boundaries, frames),
 * both workers take chunks, a worker killed mid-chunk costs only that chunk, a chunk that fails for good
 * fails the job once with no master written, and so does an assembled ladder that fails the HLS checks.
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { hlsify, tempDir } from '../helpers/cli.js';
import { encoding, expectCompleteLadder, receiver, until, uploadInput, useBroker, type EventLog } from './consume-support.js';
import { fixture } from '../../fixtures/recipes.js';
import { INTERLACING_FFMPEG } from './verify-support.js';

const SOURCE = 'chunked-60s.mkv';
/** Two small rungs at veryfast: the chunk mechanics are the same as for a full ladder, at a fraction of the encode. */
const LADDER = [{ size: 360 }, { size: 240 }];
const JOB_TIMEOUT = 240_000;

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

function chunkedJob(input: string, output: string, extra: Record<string, unknown> = {}) {
  return { id: `chunked-${Math.random().toString(36).slice(2, 10)}`, input, output, ladder: LADDER, preset: 'veryfast', chunkSeconds: 12, ...extra };
}

/** Downloads every object under `prefix` into a fresh local dir (the ladder as a player would fetch it). */
async function download(bucket: string, prefix: string): Promise<string> {
  const dir = await tempDir('chunked-ladder');
  for (const { key } of await s3.list(bucket)) {
    if (!key.startsWith(`${prefix}/`)) continue;
    const path = join(dir, key.slice(prefix.length + 1));
    await mkdir(posix.dirname(path), { recursive: true });
    await writeFile(path, await s3.get(bucket, key));
  }
  return dir;
}

/** Each segment's first video packet: pts (s) and whether it is a keyframe; and the rendition's frame count. */
async function videoSegments(dir: string): Promise<{ extinf: string[]; first: { pts: number; key: boolean }[]; frames: number }> {
  const playlist = await readFile(join(dir, 'index.m3u8'), 'utf8');
  const extinf = playlist.split('\n').filter((l) => l.startsWith('#EXTINF'));
  const segments = playlist.split('\n').filter((l) => l.endsWith('.ts'));
  const first: { pts: number; key: boolean }[] = [];
  let frames = 0;
  for (const segment of segments) {
    const { stdout } = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', join(dir, segment)]);
    const packets = stdout.split('\n').filter((l) => l.trim() !== '').map((l) => l.split(','));
    frames += packets.length;
    first.push({ pts: Math.min(...packets.map((p) => Number(p[0]))), key: (packets[0]?.[1] ?? '').includes('K') });
  }
  return { extinf, first, frames };
}

/** End time of a rendition: the last segment's last packet pts + duration, from ffprobe. */
async function endTime(dir: string, stream: 'v' | 'a'): Promise<number> {
  const segments = (await readFile(join(dir, 'index.m3u8'), 'utf8')).split('\n').filter((l) => l.endsWith('.ts'));
  const { stdout } = await execa('ffprobe', ['-v', 'error', '-select_streams', `${stream}:0`, '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', join(dir, segments.at(-1)!)]);
  return Math.max(...stdout.split('\n').filter((l) => l.trim()).map((l) => l.split(',').map(Number)).map(([pts, d]) => pts! + d!));
}

/** A shell script standing in for `tool`, made from the real one's path; removed after the test. */
async function toolWrapper(tool: 'ffmpeg' | 'ffprobe', script: (real: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hlsify-test-${tool}-wrapper-`));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const real = (await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim();
  const path = join(dir, tool);
  await writeFile(path, `#!/bin/sh\n${script(real)}`, { mode: 0o755 });
  return path;
}

function taskEvents(events: EventLog, jobId: string) {
  return events.ofType('task', jobId) as unknown as { task: string; status: string; worker: string }[];
}

describe('hlsify consume: chunked jobs', () => {
  it('two workers encode a 60 s source in 12 s chunks into the ladder an unchunked encode makes', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('chunked');
    const input = await uploadInput(s3, bucket, 'inputs/source.mkv', SOURCE);
    const events = await broker.collectEvents();
    const hook = await receiver();
    await broker.startWorker({ endpoint: s3.endpoint, extra: ['--webhook-allow', '127.0.0.1'] });
    await broker.startWorker({ endpoint: s3.endpoint, extra: ['--webhook-allow', '127.0.0.1'] });
    const job = chunkedJob(input, `s3://${bucket}/out/chunked`, { webhook: hook.url });
    await broker.publishJob(job);

    // The unchunked reference, encoded meanwhile with the same plan by the CLI.
    const reference = await tempDir('chunked-reference');
    const whole = await hlsify(['transcode', fixture(SOURCE), '-o', reference, '--force', '--ladder', '360,240', '--preset', 'veryfast', '--no-verify', '-q']);
    expect(whole.exitCode, String(whole.stderr)).toBe(0);

    const completed = await events.waitFor('the job completed', (e) => e.type === 'completed' && e.jobId === job.id, JOB_TIMEOUT);
    expect(completed).toMatchObject({ status: 'completed', chunks: 5, master: `s3://${bucket}/out/chunked/master.m3u8` });
    expect(events.ofType('split', job.id)).toEqual([expect.objectContaining({ chunks: 5, tasks: 6, chunkSeconds: 12 })]);
    // Each worker publishes on its own connection: another worker's last `task` event may reach the
    // exchange just after the finisher's `completed`.
    await until('every task event', () => taskEvents(events, job.id).length >= 6, 30_000);
    const tasks = taskEvents(events, job.id);
    expect(tasks.map((t) => t.task).sort()).toEqual(['chunk 0', 'chunk 1', 'chunk 2', 'chunk 3', 'chunk 4', 'media']);
    expect(tasks.every((t) => t.status === 'encoded')).toBe(true);
    expect(new Set(tasks.filter((t) => t.task.startsWith('chunk')).map((t) => t.worker)).size, 'workers that took chunks').toBe(2);
    expect(events.ofType('completed', job.id)).toHaveLength(1);
    expect(events.ofType('failed', job.id)).toEqual([]);
    // The finisher checked the ladder (its playlists, the segments in the bucket) before publishing it.
    expect(completed.verify).toMatchObject({ ok: true, notApplicable: expect.any(Number) });
    expect((completed.verify as { pass: number }).pass).toBeGreaterThan(10);
    await until('the webhook', () => hook.bodies.length > 0, 10_000);
    expect(hook.bodies, 'the webhook is called once, with completed').toEqual([expect.objectContaining({ event: 'completed', jobId: job.id, master: completed.master })]);

    // Exactly one complete ladder; the chunk state is gone.
    await expectCompleteLadder(s3, bucket, 'out/chunked');
    expect((await s3.list(bucket)).filter((o) => o.key.includes('.hlsify-chunks'))).toEqual([]);

    const ladder = await download(bucket, 'out/chunked');
    for (const rendition of ['360p', '240p']) {
      const chunked = await videoSegments(join(ladder, rendition));
      const unchunked = await videoSegments(join(reference, rendition));
      expect(chunked.extinf, `${rendition}: segment durations`).toEqual(unchunked.extinf);
      expect(chunked.frames, `${rendition}: frames`).toBe(unchunked.frames);
      expect(chunked.first.every((s) => s.key), `${rendition}: every segment starts with a keyframe`).toBe(true);
      chunked.first.forEach((s, i) => expect(s.pts, `${rendition} segment ${i} start`).toBeCloseTo(unchunked.first[i]!.pts, 3));
      // Keyframes inside the chunks too: the I-frame playlists list the same frames.
      const iframes = async (dir: string) => (await readFile(join(dir, rendition, 'iframes.m3u8'), 'utf8')).split('\n').filter((l) => l.startsWith('#EXTINF'));
      expect(await iframes(ladder), `${rendition}: I-frame durations`).toEqual(await iframes(reference));
    }
    // A/V at the end: the chunked ladder's video and audio end where the unchunked ladder's do (within a frame).
    const offset = async (dir: string) => (await endTime(join(dir, '360p'), 'v')) - (await endTime(join(dir, 'audio-en-stereo'), 'a'));
    expect(Math.abs((await offset(ladder)) - (await offset(reference)))).toBeLessThan(1 / 29.97);
    // The subtitles are cut to the same boundaries, with the same cues.
    for (const name of (await readdir(join(reference, 'subs-en'))).sort()) {
      expect(await readFile(join(ladder, 'subs-en', name), 'utf8'), `subs-en/${name}`).toBe(await readFile(join(reference, 'subs-en', name), 'utf8'));
    }
    // Apple's MUST rules and RFC 8216 on the ladder as uploaded.
    const verified = await hlsify(['verify', ladder, '--json']);
    const report = JSON.parse(String(verified.stdout)) as { summary: { ok: boolean; fail: number } };
    expect(report.summary, String(verified.stdout)).toMatchObject({ ok: true, fail: 0 });
  }, JOB_TIMEOUT + 120_000);

  it('a worker killed mid-chunk costs only that chunk: the redelivered task is encoded again, nothing else', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('chunked-kill');
    const input = await uploadInput(s3, bucket, 'inputs/source.mkv', SOURCE);
    const events = await broker.collectEvents();
    const first = await broker.startWorker({ endpoint: s3.endpoint });
    const job = chunkedJob(input, `s3://${bucket}/out/kill`);
    await broker.publishJob(job);
    // Let the first worker finish a task, then kill it while it encodes the next one.
    await events.waitFor('a task done', (e) => e.type === 'task' && e.jobId === job.id, JOB_TIMEOUT);
    await until('the first worker encoding its next task', () => encoding(first), 60_000, 50);
    const doneBeforeKill = taskEvents(events, job.id).map((t) => t.task);
    await first.stop('SIGKILL');
    const second = await broker.startWorker({ endpoint: s3.endpoint });

    await events.waitFor('the job completed', (e) => e.type === 'completed' && e.jobId === job.id, JOB_TIMEOUT);
    const tasks = taskEvents(events, job.id);
    expect(tasks.filter((t) => t.status === 'encoded').map((t) => t.task).sort(), 'each task encoded exactly once').toEqual(['chunk 0', 'chunk 1', 'chunk 2', 'chunk 3', 'chunk 4', 'media']);
    const byFirst = tasks.filter((t) => t.worker.endsWith(`/${first.pid}`)).map((t) => t.task);
    expect(byFirst).toEqual(doneBeforeKill);
    const bySecond = tasks.filter((t) => t.worker.endsWith(`/${second.pid}`));
    expect(bySecond.map((t) => t.task).filter((t) => doneBeforeKill.includes(t)), 'nothing the first worker finished is encoded again').toEqual([]);
    expect(events.ofType('completed', job.id)).toHaveLength(1);
    await expectCompleteLadder(s3, bucket, 'out/kill');
  }, 2 * JOB_TIMEOUT);

  it('a chunk that fails for good fails the job once, and no master is written', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('chunked-fail');
    const input = await uploadInput(s3, bucket, 'inputs/source.mkv', SOURCE);
    const events = await broker.collectEvents();
    // An ffmpeg that fails the third chunk (segments from 4) as a corrupt stretch of the source would.
    const ffmpeg = await toolWrapper('ffmpeg', (real) => `case " $* " in *" -start_number 4 "*) echo "Invalid data found when processing input" >&2; exit 1;; esac\nexec ${real} "$@"\n`);
    const hook = await receiver();
    const options = { endpoint: s3.endpoint, extra: ['--ffmpeg', ffmpeg, '--max-attempts', '2', '--webhook-allow', '127.0.0.1'] };
    await broker.startWorker(options);
    await broker.startWorker(options);
    const job = chunkedJob(input, `s3://${bucket}/out/fail`, { webhook: hook.url });
    await broker.publishJob(job);

    const failed = await events.waitFor('the job failed', (e) => e.type === 'failed' && e.jobId === job.id, JOB_TIMEOUT);
    expect(failed.reason).toMatch(/^chunk 2: ffmpeg exited with code 1 .*Invalid data found/);
    // The other tasks finish or are skipped; none of them completes the job, and the job fails only once.
    await until('every other task accounted for', () => taskEvents(events, job.id).length >= 5, JOB_TIMEOUT);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(events.ofType('failed', job.id)).toHaveLength(1);
    expect(events.ofType('completed', job.id)).toEqual([]);
    expect(hook.bodies, 'the webhook is called once, with failed').toEqual([expect.objectContaining({ event: 'failed', jobId: job.id, reason: failed.reason })]);
    expect(events.ofType('retrying', job.id).length, 'retried once before it was dead-lettered').toBe(1);
    const keys = (await s3.list(bucket)).map((o) => o.key);
    expect(keys.filter((k) => k.endsWith('.m3u8')), 'no playlist at all').toEqual([]);
    expect(keys.some((k) => k.endsWith('/failed.json'))).toBe(true);
    const letters = await broker.readDeadLetters(1);
    expect(letters.map((l) => (JSON.parse(l.body) as { task: string; chunk: number }).chunk)).toEqual([2]);
  }, 2 * JOB_TIMEOUT);

  it('an assembled ladder that fails a MUST fails the job once, naming the rule, and no playlist is published', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('chunked-unverified');
    const input = await uploadInput(s3, bucket, 'inputs/source.mkv', SOURCE);
    const events = await broker.collectEvents();
    // A real ffmpeg whose frame reports for the decoded segments say "interlaced": a fault x264 will not make on demand.
    const ffmpeg = await toolWrapper('ffmpeg', (real) => INTERLACING_FFMPEG(real));
    await broker.startWorker({ endpoint: s3.endpoint, extra: ['--ffmpeg', ffmpeg, '--max-attempts', '1'] });
    const job = { ...chunkedJob(input, `s3://${bucket}/out/unverified`), ladder: [{ size: 240 }], preset: 'ultrafast', chunkSeconds: 30 };
    await broker.publishJob(job);

    const failed = await events.waitFor('the job failed', (e) => e.type === 'failed' && e.jobId === job.id, JOB_TIMEOUT);
    expect(failed.reason).toMatch(/^(chunk \d|media): the ladder fails HLS checks, nothing was published: 1\.14 \(progressive frames/);
    await until('every task accounted for', () => taskEvents(events, job.id).length >= 2, JOB_TIMEOUT);
    expect(events.ofType('split', job.id)).toEqual([expect.objectContaining({ chunks: 2, tasks: 3 })]);
    expect(events.ofType('failed', job.id)).toHaveLength(1);
    expect(events.ofType('completed', job.id)).toEqual([]);
    const keys = (await s3.list(bucket)).map((o) => o.key);
    expect(keys.filter((k) => k.endsWith('.m3u8')), 'no playlist at all').toEqual([]);
    expect(keys.some((k) => k.endsWith('.ts')), 'the tasks uploaded their segments').toBe(true);
    expect(keys.some((k) => k.endsWith('/failed.json'))).toBe(true);
  }, 2 * JOB_TIMEOUT);

  it('a worker started with --chunk-seconds splits jobs past --chunk-min-duration and encodes shorter ones whole', async () => {
    const broker = await useBroker();
    // One bucket per ladder: expectCompleteLadder wants the only master of its bucket.
    const bucket = await s3.bucket('chunked-default');
    const shortBucket = await s3.bucket('chunked-default-short');
    const long = await uploadInput(s3, bucket, 'inputs/long.mkv', SOURCE);
    const short = await uploadInput(s3, shortBucket, 'inputs/short.mp4', 'landscape-720p30.mp4');
    const events = await broker.collectEvents();
    await broker.startWorker({ endpoint: s3.endpoint, extra: ['--chunk-seconds', '30', '--chunk-min-duration', '20s'] });
    const longJob = { id: `default-long-${Date.now()}`, input: long, output: `s3://${bucket}/out/long`, ladder: [{ size: 240 }], preset: 'ultrafast' };
    const shortJob = { id: `default-short-${Date.now()}`, input: short, output: `s3://${shortBucket}/out/short`, ladder: [{ size: 240 }], preset: 'ultrafast' };
    await broker.publishJob(shortJob);
    await broker.publishJob(longJob);
    for (const job of [shortJob, longJob]) await events.waitFor(`${job.id} completed`, (e) => e.type === 'completed' && e.jobId === job.id, JOB_TIMEOUT);
    expect(events.ofType('split', longJob.id)).toEqual([expect.objectContaining({ chunks: 2, chunkSeconds: 30 })]);
    expect(events.ofType('split', shortJob.id), 'an 8 s job is below --chunk-min-duration').toEqual([]);
    expect(taskEvents(events, shortJob.id)).toEqual([]);
    await expectCompleteLadder(s3, bucket, 'out/long');
    await expectCompleteLadder(s3, shortBucket, 'out/short');
  }, 2 * JOB_TIMEOUT);
});
