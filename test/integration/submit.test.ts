/**
 * `hlsify submit`: a job published before any worker exists is not lost (submit declares the queue);
 * a local file goes up to --staging first; --wait follows the job and exits with its outcome; a job the
 * worker would refuse is refused here first, before anything is uploaded or published.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { S3_TEST_ENV, startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { AMQP_URL, expectCompleteLadder, until, useBroker, type TestBroker } from './consume-support.js';

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
    proc.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // No worker yet: the job must wait in the queue that submit declared.
    await until('the job id on stdout', () => stdout.includes('clip-1'), 30_000);
    await until('the job in the work queue', async () => (await broker.messageCount(broker.queue)) === 1, 10_000);
    expect(proc.exitCode).toBe(null);

    await broker.startWorker({ endpoint: s3.endpoint });
    const result = await proc;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout).trim()).toBe('clip-1');
    const stderr = String(result.stderr);
    expect(stderr).toMatch(/^uploading .*landscape-720p30\.mp4 to s3:\/\/.*\/incoming\/clip-1\/landscape-720p30\.mp4$/m);
    expect(stderr).toMatch(/^job clip-1: started \(attempt 1\) s3:\/\/.*\/incoming\/clip-1\/landscape-720p30\.mp4 → s3:\/\/.*\/hls\/clip$/m);
    expect(stderr).toMatch(/^job clip-1: completed in [\d.]+ s: s3:\/\/.*\/hls\/clip\/master\.m3u8 \(640x360\)$/m);
    await expectCompleteLadder(s3, bucket, 'hls/clip');
    expect((await s3.list(bucket, 'incoming/')).map((o) => o.key)).toEqual(['incoming/clip-1/landscape-720p30.mp4']);
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
    const help = await hlsify(['submit', '--help']);
    expect(String(help.stdout).trim().split('\n').at(-1)).toMatch(/^ {2}\$ hlsify submit /);
  });
});
