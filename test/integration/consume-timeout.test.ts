/**
 * A job that hits the --timeout limit (an ffmpeg that never finishes): dead-lettered on the first attempt
 * with a reason that says it was the time limit, unless the worker runs with --retry-timeouts.
 */
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/recipes.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { hangingFfmpeg, quickJob, until, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

const inputRoot = () => dirname(fixture('landscape-720p30.mp4'));

describe('hlsify consume: the job time limit', () => {
  it('is permanent by default: dead-lettered after one attempt, the reason names the time limit', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-timeout');
    const events = await broker.collectEvents();
    const worker = await broker.startWorker({ endpoint: s3.endpoint, inputRoot: inputRoot(), extra: ['--ffmpeg', await hangingFfmpeg(), '--timeout', '2s'] });

    const job = quickJob('landscape-720p30.mp4', `s3://${bucket}/out/clip`);
    await broker.publishJob(job);
    const failed = await events.waitFor('the failed event', (e) => e.type === 'failed' && e.jobId === job.id, 30_000);
    const [letter] = await broker.readDeadLetters(1, 10_000);

    expect(failed).toMatchObject({ attempt: 1, kind: 'timeout', final: true });
    expect(failed.reason).toMatch(/time limit: not retried.*--retry-timeouts/);
    expect(letter!.attempt).toBe(1);
    expect(letter!.reason).toMatch(/time limit/);
    expect(events.ofType('retrying', job.id)).toEqual([]);
    expect(events.ofType('started', job.id)).toHaveLength(1);
    await until('no ffmpeg left', async () => (await worker.ffmpegs()).length === 0, 10_000);
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
  });

  it('with --retry-timeouts is retried up to --max-attempts', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-timeout-retry');
    const events = await broker.collectEvents();
    await broker.startWorker({ endpoint: s3.endpoint, inputRoot: inputRoot(), extra: ['--ffmpeg', await hangingFfmpeg(), '--timeout', '2s', '--retry-timeouts', '--max-attempts', '2'] });

    const job = quickJob('landscape-720p30.mp4', `s3://${bucket}/out/clip`);
    await broker.publishJob(job);
    const failed = await events.waitFor('the failed event', (e) => e.type === 'failed' && e.jobId === job.id, 40_000);

    expect(events.ofType('retrying', job.id).map((e) => e.attempt)).toEqual([1]);
    expect(failed).toMatchObject({ attempt: 2, kind: 'timeout' });
    expect(failed.reason).toMatch(/after 2 attempts/);
    expect(await broker.readDeadLetters(1, 10_000)).toHaveLength(1);
  });
});
