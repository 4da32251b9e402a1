/**
 * The bench's queue section against a real worker: jobs go through the shared publisher (the worker's
 * job schema, confirms, mandatory) and are timed from the worker's typed job events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { S3_TEST_ENV, startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { AMQP_URL, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

describe('hlsify bench: the queue section', () => {
  it('measures 2 jobs taken by a running worker: all succeed, with wait and processing times', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('bench-queue');
    const events = await broker.collectEvents();
    await broker.startWorker({ endpoint: s3.endpoint });
    const tmp = await tempDir('bench-queue');
    const result = await hlsify(
      ['bench', '--duration', '1', '--resolution', '160x120', '--jobs', '2', '--ladder', '120', '--skip', 'encode,load,upload', '--amqp', AMQP_URL, '--queue', broker.queue, '--events-exchange', broker.exchange, '--bucket', bucket, '--endpoint', s3.endpoint, '--json', '--tmp-dir', tmp],
      { env: { ...S3_TEST_ENV } },
    );
    expect(result.exitCode, String(result.stderr)).toBe(0);
    type Measured = { jobs: number; succeeded: number; failed: number; consumers: number; perJob: { id: string; outcome: string; processingSeconds: number }[] };
    const json = JSON.parse(String(result.stdout)) as { sections: { queue: { state: string; result: Measured } } };
    expect(json.sections.queue.state).toBe('measured');
    const measured = json.sections.queue.result;
    expect(measured).toMatchObject({ jobs: 2, succeeded: 2, failed: 0, consumers: 1 });
    for (const job of measured.perJob) {
      expect(job.outcome).toBe('completed');
      expect(job.processingSeconds).toBeGreaterThan(0);
    }
    // The jobs the bench published are the ones the worker reported on.
    expect(events.ofType('completed').map((e) => e.jobId).sort()).toEqual(measured.perJob.map((j) => j.id).sort());
  }, 120_000);
});
