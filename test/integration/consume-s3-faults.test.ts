/**
 * S3 failing while a job uploads: 503s for longer than the upload's own retries can absorb (the job goes
 * through a retry queue and completes later), and 503s for good (dead-lettered after --max-attempts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expectCompleteLadder, quickJob, uploadInput, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

describe('hlsify consume: S3 unavailable during the upload', () => {
  it('schedules a retry once the upload gives up, then completes with one complete ladder', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-s3-fault');
    const input = await uploadInput(s3, bucket, 'inputs/clip.mp4', 'landscape-720p30.mp4');
    const proxy = await startFaultProxy(s3.endpoint);
    try {
      // Every PUT fails with 503 until the worker has given up on the upload and scheduled a retry:
      // more than the upload's own 6 attempts per object can absorb.
      let outage = true;
      proxy.setRule(({ method }) => (outage && method === 'PUT' ? { status: 503 } : 'pass'));
      const events = await broker.collectEvents();
      const worker = await broker.startWorker({ endpoint: proxy.endpoint });

      const job = quickJob(input, `s3://${bucket}/out/clip`);
      await broker.publishJob(job);
      const retrying = await events.waitFor('the retrying event', (e) => e.type === 'retrying' && e.jobId === job.id, 90_000);
      outage = false;
      const failedPuts = proxy.seen.filter((r) => r.method === 'PUT' && r.action !== 'pass').length;

      expect(retrying).toMatchObject({ routingKey: 'job.retrying', attempt: 1, retryInMs: 1000 });
      expect(retrying.reason).toMatch(/503/);
      expect(failedPuts, 'PUTs answered with 503').toBeGreaterThanOrEqual(6);

      const completed = await events.waitFor('the completed event', (e) => e.type === 'completed' && e.jobId === job.id, 90_000);
      expect(completed).toMatchObject({ status: 'completed', attempt: 2 });
      expect(events.ofType('started', job.id).map((e) => e.attempt)).toEqual([1, 2]);
      expect(events.ofType('retrying', job.id)).toHaveLength(1);
      expect(events.ofType('failed', job.id)).toEqual([]);
      expect(events.ofType('completed', job.id)).toHaveLength(1);

      const ladder = await expectCompleteLadder(s3, bucket, 'out/clip');
      expect(ladder.variants).toHaveLength(1);
      expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
      expect(worker.logs.some((l) => l.op === 'upload' && l.msg === 'upload retry'), 'upload retries logged').toBe(true);
      expect(worker.alarms()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('hlsify consume: S3 down for good', () => {
  it('dead-letters the job after --max-attempts, with the last reason and the attempt count', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-s3-down');
    const input = await uploadInput(s3, bucket, 'inputs/clip.mp4', 'landscape-720p30.mp4');
    const proxy = await startFaultProxy(s3.endpoint);
    try {
      proxy.setRule(({ method }) => (method === 'PUT' ? { status: 503 } : 'pass'));
      const events = await broker.collectEvents();
      const worker = await broker.startWorker({ endpoint: proxy.endpoint, extra: ['--max-attempts', '2'] });

      const job = quickJob(input, `s3://${bucket}/out/clip`);
      await broker.publishJob(job);
      const failed = await events.waitFor('the failed event', (e) => e.type === 'failed' && e.jobId === job.id, 90_000);
      const [letter, ...more] = await broker.readDeadLetters(1, 10_000);

      expect(failed).toMatchObject({ attempt: 2, final: true, kind: 'transient' });
      expect(failed.reason).toMatch(/503.*after 2 attempts/);
      expect(more).toEqual([]);
      expect(JSON.parse(letter!.body)).toEqual(job);
      expect(letter!.attempt).toBe(2);
      expect(letter!.reason).toMatch(/^PUT s3:\/\/.*503.*after 2 attempts/);
      expect(events.ofType('started', job.id).map((e) => e.attempt)).toEqual([1, 2]);
      expect(events.ofType('retrying', job.id).map((e) => e.attempt)).toEqual([1]);
      expect(events.ofType('completed', job.id)).toEqual([]);
      expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
      expect(await s3.list(bucket, 'out/')).toEqual([]);
      expect(worker.alarms(['job failed; dead-lettered'])).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
