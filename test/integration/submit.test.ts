/**
 * `hlsify submit`: a job published before any worker exists is not lost (submit declares the queue);
 * a local file goes up to --staging first, under a key the workers accept, and is removed when the job
 * ends; --wait follows the job, believes only events its worker signed, gives up after --wait-timeout and
 * exits with its outcome; a job the worker would refuse is refused here first, before anything is
 * uploaded or published.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { signEvent } from '../../src/worker/event-signature.js';
import { resolveJobInput } from '../../src/worker/job-message.js';
import { hlsify } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { S3_TEST_ENV, startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { AMQP_URL, expectCompleteLadder, sleep, until, useBroker, type TestBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

function submit(broker: TestBroker, args: string[]) {
  return hlsify(['submit', ...args, '--amqp', AMQP_URL, '--queue', broker.queue, '--events-exchange', broker.exchange, '--endpoint', s3.endpoint], { env: { ...S3_TEST_ENV }, timeout: 120_000 });
}

describe('hlsify submit', () => {
  it('--wait with a local file: uploads it to --staging, queues the job before any worker runs, follows it to completion (exit 0)', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('submit');
    const proc = submit(broker, [fixture('landscape-720p30.mp4'), '--staging', `s3://${bucket}/incoming`, '--output', `s3://${bucket}/hls/clip`, '--ladder', '360', '--preset', 'ultrafast', '--id', 'clip-1', '--wait']);
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // No worker yet: the job must wait in the queue that submit declared.
    await until('the job id on stdout', () => stdout.includes('clip-1'), 30_000);
    await until('the job in the work queue', async () => (await broker.messageCount(broker.queue)) === 1, 10_000);
    expect(proc.exitCode).toBe(null);

    // Anyone on the broker can publish on the events exchange: a forged `completed` (unsigned, or signed
    // with a key of its own) must not end the wait.
    const forged = Buffer.from(JSON.stringify({ type: 'completed', jobId: 'clip-1', attempt: 1, at: new Date().toISOString(), status: 'completed', master: `s3://${bucket}/hls/clip/master.m3u8`, seconds: 1 }));
    const channel = await broker.connection.createChannel();
    channel.publish(broker.exchange, 'job.completed', forged, { contentType: 'application/json' });
    channel.publish(broker.exchange, 'job.completed', forged, { contentType: 'application/json', headers: { 'x-hlsify-signature': signEvent('ab'.repeat(32), forged) } });
    await until('the forged event noticed', () => stderr.includes('ignored a "completed" event'), 10_000);
    await sleep(500);
    expect(proc.exitCode).toBe(null);
    await channel.close();

    await broker.startWorker({ endpoint: s3.endpoint });
    const result = await proc;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout).trim()).toBe('clip-1');
    expect(stderr).toMatch(/^job clip-1: ignored a "completed" event that no worker of this job signed/m);
    expect(stderr).toMatch(/^uploading .*landscape-720p30\.mp4 to s3:\/\/.*\/incoming\/clip-1\/landscape-720p30\.mp4$/m);
    expect(stderr).toMatch(/^job clip-1: started \(attempt 1\) s3:\/\/.*\/incoming\/clip-1\/landscape-720p30\.mp4 → s3:\/\/.*\/hls\/clip$/m);
    expect(stderr).toMatch(/^job clip-1: completed in [\d.]+ s: s3:\/\/.*\/hls\/clip\/master\.m3u8 \(640x360\)$/m);
    await expectCompleteLadder(s3, bucket, 'hls/clip');
    // The job is over: its staged input is removed.
    expect(stderr).toMatch(/^removed the staged input s3:\/\/.*\/incoming\/clip-1\/landscape-720p30\.mp4$/m);
    expect(await s3.list(bucket, 'incoming/')).toEqual([]);
  });

  it('stages a file whose name the workers would refuse under a clean key; --wait-timeout gives up (exit 1) and keeps the staged input for the queued job', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('submit-names');
    const dir = await mkdtemp(join(tmpdir(), 'hlsify-submit-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const odd = join(dir, 'my clip %2e (final)\\\u0007.mp4');
    await copyFile(fixture('landscape-720p30.mp4'), odd);
    const started = Date.now();
    const result = await submit(broker, [odd, '--staging', `s3://${bucket}/incoming`, '--output', `s3://${bucket}/hls/odd`, '--id', 'odd-1', '--wait', '--wait-timeout', '2s']);
    const seconds = (Date.now() - started) / 1000;
    expect(result.exitCode, String(result.stderr)).toBe(1);
    const stderr = String(result.stderr);
    expect(stderr).toMatch(/^hlsify: error: job odd-1: no final event within 2s \(--wait-timeout\); the job may still be queued or running$/m);
    expect(stderr).toMatch(/^the staged input s3:\/\/.*\/incoming\/odd-1\/my_clip_2e_final_\.mp4 stays for the workers$/m);
    expect(seconds).toBeLessThan(30);
    expect((await s3.list(bucket, 'incoming/')).map((o) => o.key)).toEqual(['incoming/odd-1/my_clip_2e_final_.mp4']);
    // The queued job names that key, and the worker's own check of an input accepts it.
    const channel = await broker.connection.createChannel();
    const message = await channel.get(broker.queue, { noAck: true });
    await channel.close();
    expect(message).not.toBe(false);
    const job = JSON.parse((message as { content: Buffer }).content.toString()) as { input: string; eventKey?: string };
    expect(job.input).toBe(`s3://${bucket}/incoming/odd-1/my_clip_2e_final_.mp4`);
    expect(job.eventKey).toMatch(/^[0-9a-f]{64}$/);
    expect(resolveJobInput(job.input, undefined)).toEqual({ kind: 's3', url: job.input });
  });

  it('--wait --json on a job that fails for good: exit 1, the reason, one JSON document', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('submit-fail');
    await broker.startWorker({ endpoint: s3.endpoint });
    const result = await submit(broker, [`s3://${bucket}/missing.mp4`, '--output', `s3://${bucket}/hls/x`, '--id', 'missing-1', '--wait', '--json']);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(String(result.stdout))).toEqual({ ok: false, error: { kind: 'input', message: expect.stringMatching(/^job missing-1 failed: input s3:\/\/.*\/missing\.mp4: no such object$/) } });
    expect(String(result.stderr).trim().split('\n')).toHaveLength(1);
    expect((await broker.readDeadLetters(1, 10_000))[0]!.reason).toMatch(/no such object/);
  });

  it('refuses a job the worker would refuse, before uploading or publishing (exit 2)', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('submit-bad');
    const result = await submit(broker, [fixture('landscape-720p30.mp4'), '--staging', `s3://${bucket}/incoming`, '--output', '/var/www/hls', '--webhook', 'http://user:pw@example.com/h']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/invalid job: .*output: expected s3:\/\/bucket\/key.*webhook: user:password in a webhook URL is refused/s);
    expect(await s3.list(bucket)).toEqual([]);
  });

  it('without --wait prints the job id and returns at once; --help ends with examples', async () => {
    const broker = await useBroker();
    const result = await submit(broker, ['s3://media-in/in.mp4', '--output', 's3://media-out/out', '--priority', '7']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toMatch(/^job-[0-9a-f-]{36}$/);
    expect(await broker.messageCount(broker.queue)).toBe(1);
    const stray = await submit(broker, ['s3://media-in/in.mp4', '--output', 's3://media-out/out', '--wait-timeout', '1h']);
    expect(stray.exitCode).toBe(2);
    expect(String(stray.stderr)).toMatch(/^hlsify: error: --wait-timeout is for --wait$/m);
    expect(await broker.messageCount(broker.queue)).toBe(1);
    const help = await hlsify(['submit', '--help']);
    expect(String(help.stdout).trim().split('\n').at(-1)).toMatch(/^ {2}\$ hlsify submit /);
  });
});
