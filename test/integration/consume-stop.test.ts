/**
 * A worker that dies or is stopped mid-job: SIGKILL (the broker redelivers to another worker, which
 * completes the job once) and SIGTERM with a short --shutdown-grace (the job is aborted and requeued,
 * the worker exits 0 with no ffmpeg and no work dir left); SIGTERM on an idle worker exits at once.
 */
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/recipes.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expectCompleteLadder, slowJob, until, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

const inputRoot = () => dirname(fixture('landscape-1080p25.mp4'));

describe('hlsify consume: a worker killed mid-encode', () => {
  it('SIGKILL: another worker gets the redelivered job and completes it once; no ffmpeg of the dead worker is left', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-sigkill');
    const events = await broker.collectEvents();
    const workerA = await broker.startWorker({ endpoint: s3.endpoint, inputRoot: inputRoot() });

    const job = slowJob('landscape-1080p25.mp4', `s3://${bucket}/out/clip`);
    await broker.publishJob(job);
    await events.waitFor('the started event', (e) => e.type === 'started' && e.jobId === job.id, 20_000);
    await until('ffmpeg of worker A encoding', async () => (await workerA.ffmpegs()).some((p) => / -progress /.test(p)), 30_000);

    const killed = await workerA.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(events.ofType('completed', job.id), 'worker A had not finished the job').toEqual([]);

    const workerB = await broker.startWorker({ endpoint: s3.endpoint, inputRoot: inputRoot() });
    const completed = await events.waitFor('the completed event', (e) => e.type === 'completed' && e.jobId === job.id, 90_000);
    expect(completed).toMatchObject({ status: 'completed' });
    expect(workerB.logs.some((l) => l.msg === 'job started' && l.jobId === job.id && l.redelivered === true), 'worker B got the redelivery').toBe(true);

    // ffmpeg of worker A dies at its next progress write to the closed pipe (SIGPIPE).
    const orphansGone = await until('no ffmpeg of worker A', async () => (await workerA.ffmpegs()).length === 0, 15_000).catch(() => false);
    expect(orphansGone ? [] : await workerA.ffmpegs(), 'ffmpeg processes of the killed worker').toEqual([]);

    // One complete ladder, one completion, nothing left in the queues.
    const ladder = await expectCompleteLadder(s3, bucket, 'out/clip');
    expect((await s3.list(bucket)).map((o) => o.key), 'objects outside the job prefix').toEqual(ladder.keys);
    expect(events.ofType('completed', job.id)).toHaveLength(1);
    expect(events.ofType('failed', job.id)).toEqual([]);
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
    const status = JSON.parse((await workerB.http('/status')).text) as { inFlight: unknown[] };
    expect(status.inFlight).toEqual([]);
    expect(workerB.alarms()).toEqual([]);
  });
});

describe('hlsify consume: SIGTERM', () => {
  it('mid-job with --shutdown-grace 1s: exits 0 within seconds, no ffmpeg or work dir left, the job is back in the queue', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-sigterm');
    const events = await broker.collectEvents();
    const worker = await broker.startWorker({ endpoint: s3.endpoint, inputRoot: inputRoot(), shutdownGrace: '1s' });

    const job = slowJob('landscape-1080p25.mp4', `s3://${bucket}/out/clip`);
    await broker.publishJob(job);
    await events.waitFor('the started event', (e) => e.type === 'started' && e.jobId === job.id, 20_000);
    await until('ffmpeg encoding', async () => (await worker.ffmpegs()).some((p) => / -progress /.test(p)), 30_000);

    const stopped = await worker.stop('SIGTERM', 30_000);
    expect(stopped, worker.stderr()).toMatchObject({ exitCode: 0, signal: undefined });
    expect(stopped.seconds).toBeLessThan(8);
    expect(worker.logs.some((l) => l.msg === 'job aborted and requeued'), 'the job was aborted after the grace period').toBe(true);
    expect(worker.logs.at(-1)).toMatchObject({ op: 'shutdown', msg: 'worker stopped' });

    expect(await worker.ffmpegs()).toEqual([]);
    expect((await readdir(worker.tmpDir)).filter((name) => name.startsWith('hlsify-')), 'work dirs left in --tmp-dir').toEqual([]);
    expect(await broker.depths()).toEqual({ work: 1, dead: 0, retry: [0, 0, 0] });
    expect(events.ofType('completed', job.id)).toEqual([]);
    expect(events.ofType('failed', job.id)).toEqual([]);
    expect(await s3.list(bucket, 'out/')).toEqual([]);
    expect(worker.alarms()).toEqual([]);
  });

  it('on an idle worker exits 0 at once', async () => {
    const broker = await useBroker();
    const worker = await broker.startWorker({ endpoint: s3.endpoint });
    expect((await worker.http('/ready')).status).toBe(200);

    const stopped = await worker.stop('SIGTERM', 10_000);
    expect(stopped, worker.stderr()).toMatchObject({ exitCode: 0, signal: undefined });
    expect(stopped.seconds).toBeLessThan(3);
    expect(worker.stderr()).toBe('');
    expect(worker.logs.at(-1)).toMatchObject({ op: 'shutdown', msg: 'worker stopped' });
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
  });
});
