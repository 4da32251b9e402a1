/**
 * Chunked jobs under attack, with the real RabbitMQ, S3 server, ffmpeg and workers: a task message is
 * anyone's to forge, a job id anyone's to reuse, a header's duration anyone's to claim and the finish
 * lock's name anyone's to declare, an input object anyone's to replace. Each case here published a wrong
 * ladder, hung or flooded the queue before; now the job's shape comes from its run's plan, each run has its
 * own state and its own version of the input, and every limit holds.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/recipes.js';
import { jobFingerprint, runFolder } from '../../src/worker/chunk-run.js';
import { parseJobJson } from '../../src/worker/job-message.js';
import { tempDir } from '../helpers/cli.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expectCompleteLadder, until, uploadInput, useBroker, type EventLog, type TestBroker } from './consume-support.js';

const SOURCE = 'chunked-18s.mkv';
const JOB_TIMEOUT = 180_000;

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

function chunkedJob(input: string, output: string, extra: Record<string, unknown> = {}) {
  return { id: `attack-${Math.random().toString(36).slice(2, 10)}`, input, output, ladder: [{ size: 180 }], preset: 'ultrafast', chunkSeconds: 6, ...extra };
}

async function putObject(bucket: string, key: string, body: Buffer | string): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** The run folders under `prefix` (`<prefix>/.hlsify-chunks/<folder>/…`). */
async function runFolders(bucket: string, prefix: string): Promise<string[]> {
  const state = `${prefix}/.hlsify-chunks/`;
  return [...new Set((await s3.list(bucket)).filter((o) => o.key.startsWith(state)).map((o) => o.key.slice(state.length).split('/')[0]!))];
}

/** Seconds of video in the ladder's first variant, from its EXTINF durations. */
function ladderSeconds(ladder: Awaited<ReturnType<typeof expectCompleteLadder>>): number {
  return ladder.variants[0]!.playlist.segments.reduce((sum, s) => sum + s.duration, 0);
}

/** An ffmpeg that hangs on every chunk encode (its arguments carry -start_number) and is itself otherwise. */
async function ffmpegHangingOnChunks(): Promise<string> {
  const dir = await tempDir('hang-chunks');
  const real = (await execa('sh', ['-c', 'command -v ffmpeg'])).stdout.trim();
  const path = join(dir, 'ffmpeg');
  await writeFile(path, `#!/bin/sh\ncase " $* " in *" -start_number "*) exec sleep 600;; esac\nexec ${real} "$@"\n`, { mode: 0o755 });
  return path;
}

async function failedReason(events: EventLog, jobId: string): Promise<string> {
  const failed = await events.waitFor(`${jobId} failed`, (e) => e.type === 'failed' && e.jobId === jobId, JOB_TIMEOUT);
  return String(failed.reason);
}

async function completed(events: EventLog, jobId: string) {
  return events.waitFor(`${jobId} completed`, (e) => e.type === 'completed' && e.jobId === jobId, JOB_TIMEOUT);
}

async function letters(broker: TestBroker, atLeast: number) {
  return (await broker.readDeadLetters(atLeast, JOB_TIMEOUT)).map((l) => ({ body: JSON.parse(l.body) as Record<string, unknown>, reason: l.reason ?? '' }));
}

describe('hlsify consume: chunked jobs under attack', () => {
  it('forged tasks cannot reshape a job: each is dead-lettered and the job completes whole, as its plan says', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('forged');
    const input = await uploadInput(s3, bucket, 'inputs/source.mkv', SOURCE);
    const events = await broker.collectEvents();
    const job = chunkedJob(input, `s3://${bucket}/out/forged`);
    // The lock's name from the job id alone (as it was): held by a stranger, it must not stop the finish.
    const stranger = await broker.connection.createChannel();
    await stranger.assertQueue(`hlsify.finish.${job.id}`, { exclusive: true, durable: false });
    await broker.startWorker({ endpoint: s3.endpoint });
    await broker.publishJob(job);
    await events.waitFor('the split', (e) => e.type === 'split' && e.jobId === job.id, JOB_TIMEOUT);
    const [folder] = await runFolders(bucket, 'out/forged');
    const token = folder!.split('.').at(-1)!;
    // Stray manifest names beside the run's own: not finished chunks.
    for (const junk of ['chunk_00090.json', 'chunk_00091.json', 'chunk_00092.json', 'chunk_00093.json']) await putObject(bucket, `out/forged/.hlsify-chunks/${folder}/${junk}`, '{}');
    const taskJob = { ...job, chunkSeconds: 6 };
    // The attack that used to publish a 12 s ladder without audio: a task claiming the job's shape.
    await broker.publishJob({ task: 'chunk', chunk: 0, job: taskJob, chunkSeconds: 6, chunks: 2, media: false, splitAt: Date.now() }, { priority: 9 });
    await broker.publishJob({ task: 'chunk', chunk: 5, job: taskJob, run: token }, { priority: 9 });
    await broker.publishJob({ task: 'media', job: { ...taskJob, input: `s3://${bucket}/inputs/other.mkv` }, run: token }, { priority: 9 });

    const done = await completed(events, job.id);
    expect(done).toMatchObject({ status: 'completed', chunks: 3 });
    const refused = await letters(broker, 3);
    expect(refused.map((l) => l.reason).sort()).toEqual([
      expect.stringMatching(/^chunk 5 of job attack-\w+: the job has 3 chunks \(0-2\), the task names chunk 5$/),
      expect.stringMatching(/^invalid task: .*(chunks|splitAt|media)/),
      expect.stringMatching(/^media of job attack-\w+: no run [0-9a-f]{32} of this job with these fields in the bucket/),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(events.ofType('failed', job.id), 'a refused task does not fail the job').toEqual([]);
    expect(events.ofType('completed', job.id)).toHaveLength(1);
    const ladder = await expectCompleteLadder(s3, bucket, 'out/forged');
    expect(ladderSeconds(ladder)).toBeCloseTo(18, 0);
    expect(ladder.master.variants[0]!.audio.length, 'the audio rendition is in').toBeGreaterThan(0);
    expect(await runFolders(bucket, 'out/forged'), 'the run state (junk included) is gone').toEqual([]);
    await stranger.close();
  }, 2 * JOB_TIMEOUT);

  it('a truncated input, a claimed duration its packets do not back, one past --max-duration and an oversized plan are refused before any task', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('claims');
    const dir = await tempDir('claims');
    const source = await readFile(fixture(SOURCE));
    // Half the bytes: 9 s of packets under a header that still says 18 s.
    await putObject(bucket, 'inputs/truncated.mkv', source.subarray(0, Math.floor(source.length / 2)));
    // A 2 s file whose Matroska DURATION tag says 5 h, and one that says 99 h.
    const short = join(dir, 'short.mkv');
    await execa('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=25', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'matroska', short]);
    const bytes = await readFile(short);
    const claim = (clock: string) => Buffer.from(bytes.toString('latin1').replace(/00:00:0\d\.\d{9}/g, clock), 'latin1');
    expect(claim('05:00:00.000000000').toString('latin1')).toContain('05:00:00.000000000');
    await putObject(bucket, 'inputs/claims-5h.mkv', claim('05:00:00.000000000'));
    await putObject(bucket, 'inputs/claims-99h.mkv', claim('99:00:00.000000000'));
    const events = await broker.collectEvents();
    await broker.startWorker({ endpoint: s3.endpoint, extra: ['--max-attempts', '3'] });

    const truncated = chunkedJob(`s3://${bucket}/inputs/truncated.mkv`, `s3://${bucket}/out/truncated`);
    const fiveHours = chunkedJob(`s3://${bucket}/inputs/claims-5h.mkv`, `s3://${bucket}/out/5h`, { chunkSeconds: 6 });
    const ninetyNine = chunkedJob(`s3://${bucket}/inputs/claims-99h.mkv`, `s3://${bucket}/out/99h`);
    const ninetyNineWhole = { ...chunkedJob(`s3://${bucket}/inputs/claims-99h.mkv`, `s3://${bucket}/out/99h-whole`), chunkSeconds: undefined };
    for (const job of [truncated, fiveHours, ninetyNine, ninetyNineWhole]) await broker.publishJob(job);

    expect(await failedReason(events, truncated.id)).toMatch(/^the input looks truncated or corrupt: its header claims 18\.\d+ s, but its video packets end at (8|9|10)\.\d+ s$/);
    expect(await failedReason(events, fiveHours.id)).toMatch(/^the input looks truncated or corrupt: its header claims 18000\.00 s, but its video packets end at 2\.00 s$/);
    expect(await failedReason(events, ninetyNine.id)).toMatch(/356400\.0 s|99\.0 h long, above the 6\.0 h limit \(--max-duration\)/);
    expect(await failedReason(events, ninetyNineWhole.id)).toMatch(/99\.0 h long, above the 6\.0 h limit \(--max-duration\)/);
    for (const job of [truncated, fiveHours, ninetyNine, ninetyNineWhole]) {
      expect(events.ofType('split', job.id), `${job.id} was not split`).toEqual([]);
      expect(events.ofType('retrying', job.id), 'an input error is not retried').toEqual([]);
    }
    expect((await broker.depths()).work, 'no task was published').toBe(0);
    expect((await s3.list(bucket)).filter((o) => o.key.includes('.hlsify-chunks')), 'no state was written').toEqual([]);

    // A run folder holding a 20 MiB plan.json, and a task that points at it: read with a limit, refused.
    const crafted = chunkedJob(`s3://${bucket}/inputs/truncated.mkv`, `s3://${bucket}/out/crafted`);
    const token = 'f'.repeat(32);
    const folder = runFolder(crafted.id, jobFingerprint(parseJobJson(crafted), 6), token);
    await putObject(bucket, `out/crafted/.hlsify-chunks/${folder}/plan.json`, Buffer.alloc(20 * 1024 * 1024, 0x20));
    await broker.publishJob({ task: 'chunk', chunk: 0, job: crafted, run: token });
    expect(await failedReason(events, crafted.id)).toMatch(/plan\.json: more than the 16777216-byte limit|above the 16777216-byte limit/);
  }, 2 * JOB_TIMEOUT);

  it('a chunk past --timeout fails the job once as a whole job does, and a job past --job-timeout stops there', async () => {
    const ffmpeg = await ffmpegHangingOnChunks();
    const broker = await useBroker();
    const bucket = await s3.bucket('limits');
    const input = await uploadInput(s3, bucket, 'inputs/source.mkv', SOURCE);
    const events = await broker.collectEvents();
    await broker.startWorker({ endpoint: s3.endpoint, extra: ['--ffmpeg', ffmpeg, '--timeout', '6s', '--max-attempts', '3'] });
    const perTask = chunkedJob(input, `s3://${bucket}/out/task-limit`);
    await broker.publishJob(perTask);
    expect(await failedReason(events, perTask.id)).toMatch(/^chunk \d: chunk \d stopped after the 6 s time limit \(MAX_PROCESSING_TIME \/ --timeout\) \(time limit: not retried/);
    expect(events.ofType('retrying', perTask.id), 'a time limit is not retried').toEqual([]);

    const second = await useBroker();
    const secondEvents = await second.collectEvents();
    await second.startWorker({ endpoint: s3.endpoint, extra: ['--ffmpeg', ffmpeg, '--timeout', '60s', '--job-timeout', '5s', '--max-attempts', '3'] });
    const perJob = chunkedJob(input, `s3://${bucket}/out/job-limit`);
    await second.publishJob(perJob);
    const split = await secondEvents.waitFor('the split', (e) => e.type === 'split' && e.jobId === perJob.id, JOB_TIMEOUT);
    const reason = await failedReason(secondEvents, perJob.id);
    expect(reason).toMatch(/^chunk \d: the job passed its time limit of 5 s \(--job-timeout\) during chunk \d/);
    const failedAt = secondEvents.ofType('failed', perJob.id)[0]!.receivedAt;
    expect((failedAt - split.receivedAt) / 1000, 'stopped at the job limit, not the task limit').toBeLessThan(20);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(secondEvents.ofType('failed', perJob.id)).toHaveLength(1);
    expect(secondEvents.ofType('completed', perJob.id)).toEqual([]);
  }, 2 * JOB_TIMEOUT);

  it('a job id reused after a failure starts clean and follows its own plan; a different job for an output in use is refused', async () => {
    const ffmpeg = await ffmpegHangingOnChunks();
    const broker = await useBroker();
    const bucket = await s3.bucket('reuse');
    const input = await uploadInput(s3, bucket, 'inputs/source.mkv', SOURCE);
    const other = await uploadInput(s3, bucket, 'inputs/other.mp4', 'landscape-720p30.mp4');
    const events = await broker.collectEvents();
    const failing = await broker.startWorker({ endpoint: s3.endpoint, extra: ['--ffmpeg', ffmpeg, '--timeout', '6s'] });
    const first = chunkedJob(input, `s3://${bucket}/out/reuse`, { ladder: [{ size: 180 }] });
    await broker.publishJob(first);
    expect(await failedReason(events, first.id)).toMatch(/time limit/);
    // Its other tasks are still queued or hanging: they must not touch the next run.
    await failing.stop('SIGKILL');
    expect(await runFolders(bucket, 'out/reuse'), 'the failed run keeps its state').toHaveLength(1);

    // The same id again, with the rung the first asked wrongly: a clean run, its own plan.
    await broker.startWorker({ endpoint: s3.endpoint });
    const again = { ...first, ladder: [{ size: 144 }] };
    await broker.publishJob(again);
    await until('the second split', () => events.ofType('split', first.id).length >= 2, JOB_TIMEOUT);
    // While it runs: a corrected resubmission with another input to the same output (ahead of the tasks).
    await broker.publishJob({ ...again, input: other }, { priority: 9 });
    const refused = events.ofType('failed', first.id).length;
    const done = await completed(events, first.id);
    expect(done).toMatchObject({ status: 'completed', chunks: 3 });
    await until('the other input refused', () => events.ofType('failed', first.id).length > refused, JOB_TIMEOUT);
    expect(String(events.ofType('failed', first.id).at(-1)!.reason)).toMatch(/^output s3:\/\/[\w.-]+\/out\/reuse is being written by job attack-\w+ .*: both would write the same segments/);
    const ladder = await expectCompleteLadder(s3, bucket, 'out/reuse');
    expect(ladder.master.variants.filter((v) => !v.isIFrameOnly).map((v) => v.resolution?.height)).toEqual([144]);
    expect(ladder.keys.some((k) => k.includes('180p')), 'nothing of the first run\'s 180p rung').toBe(false);
    expect(ladderSeconds(ladder), 'the 18 s input alone, not the 8 s one').toBeCloseTo(18, 0);
    expect(await runFolders(bucket, 'out/reuse'), 'both runs\' state is gone').toEqual([]);
  }, 3 * JOB_TIMEOUT);

  it('a finish lock held by another client: the finisher retries, then fails the job with the reason', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('lock');
    const input = await uploadInput(s3, bucket, 'inputs/source.mkv', SOURCE);
    const events = await broker.collectEvents();
    await broker.startWorker({ endpoint: s3.endpoint, extra: ['--finish-lock-wait', '1s', '--max-attempts', '2'] });
    const job = chunkedJob(input, `s3://${bucket}/out/lock`);
    await broker.publishJob(job);
    await events.waitFor('the split', (e) => e.type === 'split' && e.jobId === job.id, JOB_TIMEOUT);
    const [folder] = await runFolders(bucket, 'out/lock');
    // Whoever knows the run (it is in the bucket and the task messages) holds the lock and never finishes.
    const scope = createHash('sha256').update(`${bucket}\nout/lock/.hlsify-chunks/${folder}/`).digest('hex').slice(0, 40);
    const holder = await broker.connection.createChannel();
    await holder.assertQueue(`hlsify.finish.${scope}`, { exclusive: true, durable: false });

    const reason = await failedReason(events, job.id);
    expect(reason).toMatch(/^(chunk \d|media): job attack-\w+: could not take the finish lock \(another finisher holds it and has not finished\)/);
    expect(events.ofType('retrying', job.id), 'retried before it failed').toHaveLength(1);
    expect(events.ofType('completed', job.id)).toEqual([]);
    const keys = (await s3.list(bucket)).map((o) => o.key);
    expect(keys.some((k) => k.endsWith('/failed.json')), 'the job is marked failed, not left hanging').toBe(true);
    expect(keys.filter((k) => k.endsWith('.m3u8'))).toEqual([]);
    await holder.close();
  }, 2 * JOB_TIMEOUT);
  it('an input replaced at the same key after the split: no task encodes the new version, the job fails with the reason', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('replaced');
    const input = await uploadInput(s3, bucket, 'inputs/source.mkv', SOURCE);
    const events = await broker.collectEvents();
    const job = chunkedJob(input, `s3://${bucket}/out/replaced`);
    // The first worker only splits (one delivery, then it exits), so the tasks run after the swap.
    const splitter = await broker.startWorker({ endpoint: s3.endpoint, extra: ['--max-jobs', '1'] });
    await broker.publishJob(job);
    await events.waitFor('the split', (e) => e.type === 'split' && e.jobId === job.id, JOB_TIMEOUT);
    expect((await splitter.exited).exitCode).toBe(0);
    // A corrected upload to the same key while the job is queued: a ladder of both must never come out.
    await putObject(bucket, 'inputs/source.mkv', await readFile(fixture('landscape-720p30.mp4')));
    await broker.startWorker({ endpoint: s3.endpoint });
    expect(await failedReason(events, job.id)).toMatch(/^chunk \d: input s3:\/\/.*\/inputs\/source\.mkv was replaced after the job was split \(ETag "[0-9a-f]+", the job's plan has "[0-9a-f]+"\): submit the job again$/);
    expect(events.ofType('task', job.id).filter((e) => e.status === 'encoded')).toEqual([]);
    const keys = (await s3.list(bucket, 'out/replaced/')).map((o) => o.key);
    expect(keys.filter((k) => k.endsWith('.m3u8'))).toEqual([]);
  }, 2 * JOB_TIMEOUT);
});
