/**
 * A job that kills its worker every time (think out-of-memory): the broker redelivers it after each
 * death, and without a count it would loop forever as attempt 1. The worker records the redeliveries on
 * the message and dead-letters the job once --max-redeliveries is passed, saying why.
 */
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/recipes.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { encoding, hangingFfmpeg, quickJob, until, useBroker, type WorkerProcess } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

describe('hlsify consume: a job whose worker dies every time', () => {
  it('counts redeliveries after kill -9 and dead-letters past --max-redeliveries with that reason', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-redelivery');
    const ffmpeg = await hangingFfmpeg();
    const events = await broker.collectEvents();
    const start = () => broker.startWorker({ endpoint: s3.endpoint, inputRoot: dirname(fixture('landscape-720p30.mp4')), extra: ['--ffmpeg', ffmpeg, '--max-redeliveries', '1'] });
    const killMidJob = async (worker: WorkerProcess, startedEvents: number) => {
      await worker.waitForLog('job started', (l) => l.msg === 'job started', 30_000);
      await events.waitFor(`started event #${startedEvents}`, () => events.ofType('started', job.id).length >= startedEvents, 30_000);
      await until('the job encoding', () => encoding(worker), 30_000);
      expect((await worker.stop('SIGKILL')).signal).toBe('SIGKILL');
    };

    const job = quickJob('landscape-720p30.mp4', `s3://${bucket}/out/clip`);
    const first = await start();
    await broker.publishJob(job);
    await killMidJob(first, 1);
    const second = await start();
    await killMidJob(second, 2);
    // The second worker saw the redelivery and put the count on the message before running it again.
    expect(second.logs.some((l) => l.msg === 'redelivered after its worker stopped mid-job; requeued with the count' && l.redeliveries === 1)).toBe(true);

    const third = await start();
    const failed = await events.waitFor('the failed event', (e) => e.type === 'failed' && e.jobId === job.id, 30_000);
    const [letter, ...more] = await broker.readDeadLetters(1, 10_000);

    // Attempts go up with each death: never attempt 1 again.
    expect(events.ofType('started', job.id).map((e) => [e.attempt, e.redeliveries])).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(failed).toMatchObject({ attempt: 3, final: true, kind: 'redelivered' });
    expect(failed.reason).toMatch(/stopped mid-job 2 times .*redelivery limit 1/);
    expect(more).toEqual([]);
    expect(JSON.parse(letter!.body)).toEqual(job);
    expect(letter!.reason).toMatch(/stopped mid-job 2 times/);
    expect(letter!.headers['x-hlsify-redeliveries']).toBe(1);
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
    expect(await encoding(third), 'the third worker did not run the job').toBe(false);
    expect(third.logs.filter((l) => l.msg === 'job started')).toEqual([]);
    expect((await third.http('/ready')).status).toBe(200);
  });
});
