/**
 * Messages that can never succeed: malformed jobs, paths out of --input-root, inputs that are not videos.
 * Each goes to `<queue>.dead` once, with the reason in a header, is never retried, and the worker carries on.
 */
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/recipes.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expectCompleteLadder, quickJob, sleep, uploadInput, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

describe('hlsify consume: poison messages', () => {
  it('dead-letters invalid JSON, schema violations and a path out of --input-root at once, and keeps working', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-poison');
    const inputRoot = dirname(fixture('landscape-720p30.mp4'));
    const events = await broker.collectEvents();
    const worker = await broker.startWorker({ endpoint: s3.endpoint, inputRoot });

    const output = `s3://${bucket}/out/poison`;
    const poison: { label: string; body: object | string; reason: RegExp }[] = [
      { label: 'invalid JSON', body: '{"id": "broken", "input": ', reason: /not valid JSON/i },
      { label: 'missing output', body: { id: 'no-output', input: 'landscape-720p30.mp4' }, reason: /output/ },
      { label: 'unknown field', body: { ...quickJob('landscape-720p30.mp4', output), id: 'unknown-field', colour: 'blue' }, reason: /colour/ },
      { label: 'non-s3 output', body: { ...quickJob('landscape-720p30.mp4', '/var/www/hls'), id: 'local-output' }, reason: /output.*s3:\/\//s },
      { label: 'path traversal', body: { ...quickJob('../../etc/passwd', output), id: 'traversal' }, reason: /outside .*input-root/ },
    ];
    for (const message of poison) await broker.publishJob(message.body);

    const letters = await broker.readDeadLetters(poison.length, 20_000);
    expect(letters).toHaveLength(poison.length);
    for (const [i, message] of poison.entries()) {
      const letter = letters[i]!;
      const body = typeof message.body === 'string' ? message.body : JSON.stringify(message.body);
      expect(letter.body, message.label).toBe(body);
      expect(letter.reason, message.label).toMatch(message.reason);
      expect(letter.attempt, `${message.label}: dead-lettered on the first attempt`).toBe(1);
    }
    // Nothing retried, nothing started, nothing written.
    expect(events.ofType('retrying')).toEqual([]);
    expect(events.ofType('started')).toEqual([]);
    // The traversal job passed the schema, so its id is known: subscribers hear that it failed for good
    // (the event follows the dead letter, so it may arrive just after the letters were read).
    await events.waitFor('the traversal job failed', (e) => e.type === 'failed' && e.jobId === 'traversal', 10_000);
    expect(events.ofType('failed', 'traversal')).toEqual([expect.objectContaining({ final: true, attempt: 1, reason: expect.stringMatching(/outside/) })]);
    expect(await s3.list(bucket)).toEqual([]);
    expect((await worker.http('/health')).status).toBe(200);
    expect((await worker.http('/ready')).status).toBe(200);

    // The worker still takes a good job (a local input under --input-root).
    const good = quickJob('landscape-720p30.mp4', `s3://${bucket}/out/good`);
    await broker.publishJob(good);
    await events.waitFor('the good job to complete', (e) => e.type === 'completed' && e.jobId === good.id, 60_000);
    await expectCompleteLadder(s3, bucket, 'out/good');
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
    expect(worker.running()).toBe(true);
    expect(worker.alarms()).toEqual([]);
  });

  it('dead-letters inputs that are not videos (a crafted HLS playlist, a text file) exactly once, with a reason', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-crafted');
    const crafted = await uploadInput(s3, bucket, 'inputs/crafted.mp4', 'crafted-playlist.mp4');
    const text = await uploadInput(s3, bucket, 'inputs/text.mp4', 'text-file.mp4');
    const events = await broker.collectEvents();
    const worker = await broker.startWorker({ endpoint: s3.endpoint });

    const jobs = [quickJob(crafted, `s3://${bucket}/out/crafted`), quickJob(text, `s3://${bucket}/out/text`)];
    for (const job of jobs) await broker.publishJob(job);

    for (const job of jobs) await events.waitFor(`the failed event of ${job.id}`, (e) => e.type === 'failed' && e.jobId === job.id, 30_000);
    const letters = await broker.readDeadLetters(2, 10_000);
    // Longer than a retry delay (1 s): a retried job would have been started again by now.
    await sleep(2_500);

    expect(letters.map((l) => (JSON.parse(l.body) as { id: string }).id).sort()).toEqual(jobs.map((j) => j.id).sort());
    for (const letter of letters) {
      expect(letter.attempt).toBe(1);
      expect(letter.reason).toMatch(/^input /);
      expect(letter.reason).not.toMatch(/after \d+ attempts/);
    }
    for (const job of jobs) {
      expect(events.ofType('started', job.id), `${job.id} started once`).toHaveLength(1);
      expect(events.ofType('failed', job.id)).toHaveLength(1);
      expect(events.ofType('failed', job.id)[0]).toMatchObject({ kind: 'input', final: true, attempt: 1 });
    }
    expect(events.ofType('retrying')).toEqual([]);
    expect(events.ofType('completed')).toEqual([]);
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
    expect((await s3.list(bucket)).map((o) => o.key).filter((k) => k.startsWith('out/'))).toEqual([]);
    expect((await worker.http('/health')).status).toBe(200);
    expect(await worker.ffmpegs()).toEqual([]);
    expect(worker.alarms(['job failed; dead-lettered'])).toEqual([]);
  });
});
