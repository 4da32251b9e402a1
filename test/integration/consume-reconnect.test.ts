/**
 * The broker closing the worker's connection mid-job: the worker aborts the job (its deliveries can no
 * longer be acked), reconnects, re-consumes the redelivered job and completes it exactly once.
 */
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/recipes.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expectCompleteLadder, rabbitmqctl, slowJob, until, useBroker, workerConnectionPid } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

describe('hlsify consume: broker connection closed mid-job', () => {
  it('reconnects, re-consumes, and the job completes exactly once', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-reconnect');
    const inputRoot = dirname(fixture('landscape-1080p25.mp4'));
    const events = await broker.collectEvents();
    const worker = await broker.startWorker({ endpoint: s3.endpoint, inputRoot });
    const connection = await until('the worker connection at the broker', () => workerConnectionPid(worker.pid), 15_000, 500);

    const job = slowJob('landscape-1080p25.mp4', `s3://${bucket}/out/clip`);
    await broker.publishJob(job);
    await events.waitFor('the started event', (e) => e.type === 'started' && e.jobId === job.id, 20_000);
    await until('ffmpeg running for the job', async () => (await worker.ffmpegs()).some((p) => / -progress /.test(p)), 30_000);
    expect(worker.logs.some((l) => l.msg === 'job completed'), 'the job was still running when the connection was closed').toBe(false);

    await rabbitmqctl(['close_connection', connection, 'closed by the hlsify test']);
    await worker.waitForLog('a reconnect', (l) => l.op === 'reconnect', 15_000);
    await until('the worker consuming again', () => worker.logs.filter((l) => l.op === 'consume').length >= 2, 20_000);
    expect(worker.logs.some((l) => l.msg === 'job completed'), 'the job had not completed when the connection was lost').toBe(false);

    const completed = await events.waitFor('the completed event', (e) => e.type === 'completed' && e.jobId === job.id, 90_000);
    expect(['completed', 'already-complete']).toContain(completed.status);
    expect(events.ofType('failed', job.id)).toEqual([]);
    await expectCompleteLadder(s3, bucket, 'out/clip');
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
    expect((await worker.http('/ready')).status).toBe(200);

    // Exactly once: no second completion shows up later, and no ffmpeg of the aborted attempt is left.
    const status = JSON.parse((await worker.http('/status')).text) as { inFlight: unknown[]; counts: { completed: number; alreadyComplete: number } };
    expect(status.inFlight).toEqual([]);
    expect(status.counts.completed + status.counts.alreadyComplete).toBe(1);
    expect(events.ofType('completed', job.id)).toHaveLength(1);
    expect(await worker.ffmpegs()).toEqual([]);
    expect(worker.logs.filter((l) => l.msg === 'job started').length, 'the job ran again after the redelivery').toBeGreaterThanOrEqual(2);
    expect(worker.alarms()).toEqual([]);
  });
});
