/**
 * Job priorities: the work queue honours the AMQP priority of a message (0-9), so a high-priority job
 * published after a low-priority one still starts first on a worker that takes one job at a time.
 */
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/recipes.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { quickJob, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

describe('hlsify consume: priorities', () => {
  it('starts the high-priority job before the low-priority ones published earlier', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-priority');
    const inputRoot = dirname(fixture('landscape-720p30.mp4'));
    const events = await broker.collectEvents();

    // A first worker declares the queue (x-max-priority) and stops: the jobs wait with nobody consuming.
    const declaring = await broker.startWorker({ endpoint: s3.endpoint, inputRoot });
    expect((await declaring.stop('SIGTERM')).exitCode).toBe(0);

    const low = quickJob('landscape-720p30.mp4', `s3://${bucket}/out/low`, { priority: 1 });
    const lower = quickJob('landscape-720p30.mp4', `s3://${bucket}/out/lower`, { priority: 0 });
    const high = quickJob('landscape-720p30.mp4', `s3://${bucket}/out/high`, { priority: 9 });
    await broker.publishJob(low, { priority: 1 });
    await broker.publishJob(lower, { priority: 0 });
    await broker.publishJob(high, { priority: 9 });
    expect(await broker.messageCount(broker.queue)).toBe(3);

    const worker = await broker.startWorker({ endpoint: s3.endpoint, inputRoot, concurrency: 1 });
    for (const job of [high, low, lower]) {
      await events.waitFor(`${job.id} to complete`, (e) => e.type === 'completed' && e.jobId === job.id, 90_000);
    }
    expect(events.ofType('started').map((e) => e.jobId)).toEqual([high.id, low.id, lower.id]);
    // One at a time: each job completed before the next started.
    const order = events.events.filter((e) => e.type === 'started' || e.type === 'completed').map((e) => `${e.type}:${e.jobId}`);
    expect(order).toEqual([high, low, lower].flatMap((j) => [`started:${j.id}`, `completed:${j.id}`]));
    for (const prefix of ['out/high', 'out/low', 'out/lower']) {
      expect(await s3.list(bucket, `${prefix}/master.m3u8`)).toHaveLength(1);
    }
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
    expect(worker.alarms()).toEqual([]);
  });
});
