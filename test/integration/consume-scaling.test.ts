/**
 * What an autoscaler and a one-job-per-pod deployment rely on: /metrics shows the work queue's ready
 * messages and its consumers as the broker counts them, and --max-jobs N ends the worker (exit 0) after
 * N jobs, leaving the rest of the queue untouched for the next pod.
 */
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/recipes.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { encoding, expectCompleteLadder, hangingFfmpeg, metricValue, quickJob, unackedCount, until, uploadInput, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

describe('hlsify consume: metrics for an autoscaler', () => {
  it('/metrics exposes the work-queue depth (ready messages) and the consumer count at scrape time', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-metrics');
    const ffmpeg = await hangingFfmpeg();
    const options = { endpoint: s3.endpoint, inputRoot: dirname(fixture('landscape-720p30.mp4')), extra: ['--ffmpeg', ffmpeg] };
    const first = await broker.startWorker(options);
    await broker.startWorker(options);
    for (let i = 0; i < 5; i++) await broker.publishJob(quickJob('landscape-720p30.mp4', `s3://${bucket}/out/${i}`));
    await until('the first worker encoding', () => encoding(first), 30_000);
    await until('both workers busy', async () => (await unackedCount(broker.queue)) === 2, 30_000, 500);

    const text = (await first.http('/metrics')).text;
    expect(metricValue(text, 'hlsify_queue_depth'), 'ready messages: 5 published, 2 taken').toBe(3);
    expect(metricValue(text, 'hlsify_queue_consumers')).toBe(2);
    expect(metricValue(text, 'hlsify_jobs_in_flight')).toBe(1);
  });
});

describe('hlsify consume --max-jobs', () => {
  it('exits 0 after N jobs and leaves the next job in the queue', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-max-jobs');
    const input = await uploadInput(s3, bucket, 'inputs/clip.mp4', 'landscape-720p30.mp4');
    const events = await broker.collectEvents();
    const worker = await broker.startWorker({ endpoint: s3.endpoint, extra: ['--max-jobs', '2'] });

    const good = quickJob(input, `s3://${bucket}/out/good`);
    const missing = quickJob(`s3://${bucket}/inputs/none.mp4`, `s3://${bucket}/out/missing`);
    const left = quickJob(input, `s3://${bucket}/out/left`);
    for (const job of [good, missing, left]) await broker.publishJob(job);

    const exited = await Promise.race([worker.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000))]);
    expect(exited, 'the worker exited by itself').toEqual({ exitCode: 0, signal: undefined });
    expect(events.ofType('completed', good.id)).toHaveLength(1);
    expect(events.ofType('failed', missing.id)).toHaveLength(1);
    expect(events.ofType('started', left.id)).toEqual([]);
    await expectCompleteLadder(s3, bucket, 'out/good');
    const depths = await broker.depths();
    expect(depths).toEqual({ work: 1, dead: 1, retry: [0, 0, 0] });
    expect(worker.logs.at(-1)).toMatchObject({ op: 'shutdown', msg: 'worker stopped' });
  });
});
