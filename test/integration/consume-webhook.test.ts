/**
 * A job's webhook as the worker sends it: an internal receiver (loopback) gets nothing unless the worker
 * runs with --webhook-allow, and then gets the final event. The jobs fail fast (their input is missing),
 * so no encode is needed to reach the webhook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { quickJob, receiver, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

describe('hlsify consume: job webhooks', () => {
  it('refuses an internal webhook by default (nothing reaches it) and delivers it with --webhook-allow', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-webhook');
    const hook = await receiver();
    const events = await broker.collectEvents();

    const refused = await broker.startWorker({ endpoint: s3.endpoint });
    const first = quickJob(`s3://${bucket}/missing.mp4`, `s3://${bucket}/out/a`, { webhook: hook.url });
    await broker.publishJob(first);
    await events.waitFor('the first job failing', (e) => e.type === 'failed' && e.jobId === first.id, 20_000);
    const line = await refused.waitForLog('the webhook outcome', (l) => l.op === 'webhook', 10_000);
    expect(line).toMatchObject({ msg: 'webhook failed', err: expect.stringMatching(/^refused: 127\.0\.0\.1 is an internal address/) });
    expect(hook.bodies).toEqual([]);
    await refused.stop('SIGTERM');

    const allowed = await broker.startWorker({ endpoint: s3.endpoint, extra: ['--webhook-allow', '127.0.0.1'] });
    const second = quickJob(`s3://${bucket}/missing.mp4`, `s3://${bucket}/out/b`, { webhook: hook.url });
    await broker.publishJob(second);
    await allowed.waitForLog('the webhook delivered', (l) => l.op === 'webhook' && l.msg === 'webhook delivered', 20_000);
    expect(hook.bodies).toEqual([expect.objectContaining({ event: 'failed', jobId: second.id, final: true, reason: expect.stringMatching(/no such object/) })]);
  });
});
