/**
 * Wrong S3 credentials are the worker's fault, not the job's: the worker hands the job back untouched,
 * stops consuming, says why on /ready and in its log, tries the credentials again with backoff, and
 * consumes again once they work. The job is neither retried nor dead-lettered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expectCompleteLadder, quickJob, until, uploadInput, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

describe('hlsify consume: wrong S3 credentials', () => {
  // The test server checks access key ids but not v4 signatures, so the wrong credentials here are a key
  // it does not know (InvalidAccessKeyId); the SignatureDoesNotMatch answer of a wrong secret is in the next test.
  it('with a wrong key: requeues the job, stops consuming, /ready says why; a worker with good credentials then does the job', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-creds');
    const input = await uploadInput(s3, bucket, 'inputs/clip.mp4', 'landscape-720p30.mp4');
    const events = await broker.collectEvents();
    const wrong = await broker.startWorker({ endpoint: s3.endpoint, env: { AWS_ACCESS_KEY_ID: 'AKIAWRONGKEY0000', AWS_SECRET_ACCESS_KEY: 'wrong/secret+value' } });

    const job = quickJob(input, `s3://${bucket}/out/clip`);
    await broker.publishJob(job);
    const requeued = await events.waitFor('the requeued event', (e) => e.type === 'requeued' && e.jobId === job.id, 30_000);
    expect(requeued.reason).toMatch(/403 InvalidAccessKeyId/);
    const logged = await wrong.waitForLog('the credentials log line', (l) => l.op === 'credentials' && l.level === 50, 5_000);
    expect(logged.msg).toBe('S3 credentials rejected: stopped consuming until they work');
    const ready = await wrong.http('/ready');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: 'not ready', reason: expect.stringMatching(/^paused: .*403 InvalidAccessKeyId/) });
    // It keeps trying the credentials (LIST on the bucket), and keeps its hands off the job meanwhile.
    const retried = await wrong.waitForLog('a credential retry', (l) => l.msg === 'S3 credentials still rejected', 10_000);
    expect(retried.reason).toMatch(/^LIST s3:\/\/.*403 InvalidAccessKeyId/);
    console.log(`wrong credentials: /ready ${ready.status} ${ready.text.trim()}\nlog: ${JSON.stringify(logged)}`);
    await until('the job back in the work queue', async () => (await broker.depths()).work === 1, 10_000);
    expect(await broker.depths()).toEqual({ work: 1, dead: 0, retry: [0, 0, 0] });
    expect(events.ofType('started', job.id)).toHaveLength(1);
    expect(events.ofType('failed', job.id)).toEqual([]);
    expect(events.ofType('retrying', job.id)).toEqual([]);
    expect(JSON.parse((await wrong.http('/status')).text)).toMatchObject({ ready: false, counts: { requeued: 1, deadLettered: 0, retried: 0 } });

    const good = await broker.startWorker({ endpoint: s3.endpoint });
    await events.waitFor('the completed event', (e) => e.type === 'completed' && e.jobId === job.id, 60_000);
    await expectCompleteLadder(s3, bucket, 'out/clip');
    expect(good.logs.filter((l) => l.msg === 'job started')).toHaveLength(1);
    expect(wrong.logs.filter((l) => l.msg === 'job started'), 'the paused worker took the job only once').toHaveLength(1);
  });

  it('with a wrong secret (SignatureDoesNotMatch): consumes again once the credentials work', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-creds-back');
    const input = await uploadInput(s3, bucket, 'inputs/clip.mp4', 'landscape-720p30.mp4');
    const proxy = await startFaultProxy(s3.endpoint);
    try {
      let rejected = true;
      proxy.setRule(() => (rejected ? { status: 403, code: 'SignatureDoesNotMatch' } : 'pass'));
      const events = await broker.collectEvents();
      const worker = await broker.startWorker({ endpoint: proxy.endpoint });
      const job = quickJob(input, `s3://${bucket}/out/clip`);
      await broker.publishJob(job);
      const requeued = await events.waitFor('the requeued event', (e) => e.type === 'requeued' && e.jobId === job.id, 30_000);
      expect(requeued.reason).toMatch(/403 SignatureDoesNotMatch/);
      await worker.waitForLog('a credential retry', (l) => l.msg === 'S3 credentials still rejected', 10_000);
      expect((await worker.http('/ready')).status).toBe(503);

      rejected = false;
      await worker.waitForLog('consuming again', (l) => l.msg === 'S3 credentials work again: consuming', 15_000);
      const completed = await events.waitFor('the completed event', (e) => e.type === 'completed' && e.jobId === job.id, 60_000);
      expect(completed).toMatchObject({ status: 'completed' });
      await expectCompleteLadder(s3, bucket, 'out/clip');
      expect((await worker.http('/ready')).status).toBe(200);
      expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
      expect(events.ofType('failed', job.id)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
