/**
 * `hlsify upload` through a fault-injecting proxy: transient failures (503, connection resets) are retried
 * until the bucket is complete; permanent ones (403, a missing bucket) fail at once with one clear line;
 * a failed multipart upload leaves no object behind.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultAction, type FaultProxy } from '../helpers/fault-proxy.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expectFinalErrorLine, expectOneErrorLine } from './support.js';
import { copyLadder, expectBucketMatches, keyOf, ladderFiles, makeLadder, parseJson, putKeys, removeLadder, runCli } from './upload-support.js';

let server: S3TestServer;
let ladder: string;
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  server = await startS3Server();
  ladder = await makeLadder();
});

afterAll(async () => {
  await server?.close();
  await removeLadder(ladder);
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** Requests the proxy did not pass on as they were. */
function faults(proxy: FaultProxy): number {
  return proxy.seen.filter((r) => r.action !== 'pass').length;
}

describe('transient faults', () => {
  it('retries 503s and connection resets; the bucket ends complete and byte-identical', async () => {
    const bucket = await server.bucket('transient');
    proxy = await startFaultProxy(server.endpoint);
    // Each key fails at most once, so the outcome does not depend on timing: the first PUT of every 3rd
    // key gets a 503, the first PUT of every 5th a reset, the first HEAD of every 4th a reset.
    const putsPerKey = new Map<string, number>();
    const headsPerKey = new Map<string, number>();
    proxy.setRule(({ method, path }): FaultAction => {
      const key = keyOf(bucket, path);
      if (key === undefined) return 'pass';
      const counts = method === 'PUT' ? putsPerKey : method === 'HEAD' ? headsPerKey : undefined;
      if (!counts) return 'pass';
      const firstTry = !counts.has(key);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (!firstTry) return 'pass';
      const nth = counts.size;
      if (method === 'PUT' && nth % 3 === 0) return { status: 503 };
      if (method === 'PUT' && nth % 5 === 0) return 'reset';
      if (method === 'HEAD' && nth % 4 === 0) return 'reset';
      return 'pass';
    });

    const result = await runCli(['upload', ladder, `s3://${bucket}/t`, '--endpoint', proxy.endpoint, '--json']);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const injected = faults(proxy);
    expect(proxy.seen.some((r) => r.action === 'reset')).toBe(true);
    expect(proxy.seen.some((r) => typeof r.action === 'object' && r.action.status === 503)).toBe(true);
    const json = parseJson(result.stdout);
    const files = await ladderFiles(ladder);
    expect(json).toMatchObject({ ok: true, files: files.length, uploaded: files.length, skipped: 0 });
    expect(json.retried).toBeGreaterThan(0);
    expect(json.retried).toBe(injected);
    await expectBucketMatches(server, bucket, 't', ladder);
  });

  it('gives up on a key that keeps failing, after a bounded number of attempts, and never puts the master', async () => {
    const bucket = await server.bucket('giveup');
    proxy = await startFaultProxy(server.endpoint);
    const victim = 'g/480p/segment_00001.ts';
    proxy.setRule(({ method, path }) => (method === 'PUT' && keyOf(bucket, path) === victim ? { status: 503 } : 'pass'));

    const started = Date.now();
    const result = await runCli(['upload', ladder, `s3://${bucket}/g`, '--endpoint', proxy.endpoint, '--quiet']);

    expect(result.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000);
    const line = expectOneErrorLine(String(result.stderr));
    expect(line).toContain(victim);
    expect(line).toMatch(/503/);
    const attempts = putKeys(proxy, bucket).filter((k) => k === victim).length;
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThanOrEqual(10);
    const keys = (await server.list(bucket)).map((o) => o.key);
    expect(keys).not.toContain(victim);
    expect(keys).not.toContain('g/master.m3u8');
  });
});

describe('permanent failures', () => {
  it('403 on one object: exit 1 within seconds, one line saying access denied, no retry, no master', async () => {
    const bucket = await server.bucket('denied');
    proxy = await startFaultProxy(server.endpoint);
    const victim = 'd/480p/segment_00002.ts';
    proxy.setRule(({ method, path }) => (method === 'PUT' && keyOf(bucket, path) === victim ? { status: 403 } : 'pass'));

    const started = Date.now();
    const result = await runCli(['upload', ladder, `s3://${bucket}/d`, '--endpoint', proxy.endpoint, '--quiet']);
    const seconds = (Date.now() - started) / 1000;

    expect(result.exitCode).toBe(1);
    expect(seconds).toBeLessThan(8);
    const line = expectOneErrorLine(String(result.stderr));
    expect(line).toMatch(/access denied/i);
    expect(line).toContain(victim);
    expect(putKeys(proxy, bucket).filter((k) => k === victim)).toHaveLength(1);
    const keys = (await server.list(bucket)).map((o) => o.key);
    expect(keys).not.toContain(victim);
    expect(keys.filter((k) => k.endsWith('.m3u8'))).toEqual([]);
  });

  it('403 for everything (e.g. a bucket policy): exit 1 with one line, each object tried once, the rest not tried', async () => {
    const bucket = await server.bucket('alldenied');
    proxy = await startFaultProxy(server.endpoint);
    proxy.setRule(({ method }) => (method === 'PUT' ? { status: 403 } : 'pass'));

    const result = await runCli(['upload', ladder, `s3://${bucket}`, '--endpoint', proxy.endpoint, '--concurrency', '4']);

    expect(result.exitCode).toBe(1);
    expect(expectFinalErrorLine(String(result.stderr))).toMatch(/access denied/i);
    const tried = putKeys(proxy, bucket);
    expect(new Set(tried).size).toBe(tried.length);
    // The first refusal stops the run: at most the files already in flight were sent, not all of them.
    expect((await ladderFiles(ladder)).length).toBeGreaterThan(10);
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.length).toBeLessThanOrEqual(4);
    expect(await server.list(bucket)).toEqual([]);
  });

  it('listing refused (no s3:ListBucket): falls back to a HEAD per file and uploads everything', async () => {
    const bucket = await server.bucket('nolist');
    proxy = await startFaultProxy(server.endpoint);
    proxy.setRule(({ method, path }) => (method === 'GET' && path.includes('list-type=2') ? { status: 403 } : 'pass'));

    const result = await runCli(['upload', ladder, `s3://${bucket}/n`, '--endpoint', proxy.endpoint, '--quiet']);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const files = await ladderFiles(ladder);
    expect(proxy.seen.filter((r) => r.method === 'HEAD')).toHaveLength(files.length);
    await expectBucketMatches(server, bucket, 'n', ladder);
  });

  it('a bucket that does not exist: exit 1 with one line saying so', async () => {
    const bucket = `no-such-bucket-${randomBytes(4).toString('hex')}`;
    proxy = await startFaultProxy(server.endpoint);
    const started = Date.now();
    const result = await runCli(['upload', ladder, `s3://${bucket}/x`, '--endpoint', proxy.endpoint, '--quiet']);

    // At once: one listing, NoSuchBucket, no retry (generous for a loaded 2-core machine).
    expect(Date.now() - started).toBeLessThan(8000);
    expect(proxy.seen.filter((r) => r.method === 'PUT')).toEqual([]);
    expect(proxy.seen).toHaveLength(1);
    expect(result.exitCode).toBe(1);
    const line = expectOneErrorLine(String(result.stderr));
    expect(line).toMatch(/bucket does not exist/);
    expect(line).toContain(bucket);
  });
});

describe('multipart uploads', () => {
  const BIG = 12 * 1024 * 1024;

  /** A copy of the ladder whose first 480p segment is 12 MiB of random bytes (upload never decodes it). */
  async function ladderWithBigSegment(): Promise<{ dir: string; big: Buffer }> {
    const dir = await copyLadder(ladder);
    const big = randomBytes(BIG);
    await writeFile(join(dir, '480p', 'segment_00000.ts'), big);
    return { dir, big };
  }

  it('sends a file above --multipart-threshold in parts, intact, and skips it on the next run', async () => {
    const bucket = await server.bucket('multipart');
    const { dir, big } = await ladderWithBigSegment();
    proxy = await startFaultProxy(server.endpoint);

    const first = await runCli(['upload', dir, `s3://${bucket}/m`, '--endpoint', proxy.endpoint, '--multipart-threshold', '5MiB', '--json']);

    expect(first.exitCode, String(first.stderr)).toBe(0);
    const parts = proxy.seen.filter((r) => r.method === 'PUT' && r.path.includes('uploadId=') && keyOf(bucket, r.path) === 'm/480p/segment_00000.ts');
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect((await server.get(bucket, 'm/480p/segment_00000.ts')).equals(big)).toBe(true);
    await expectBucketMatches(server, bucket, 'm', dir);

    proxy.seen.length = 0;
    const second = await runCli(['upload', dir, `s3://${bucket}/m`, '--endpoint', proxy.endpoint, '--multipart-threshold', '5MiB', '--json']);
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(parseJson(second.stdout)).toMatchObject({ uploaded: 0, skipped: (await ladderFiles(dir)).length });
    // One listing of the prefix, then a HEAD per same-size object for its recorded hash; nothing written.
    const listings = proxy.seen.filter((r) => r.method === 'GET' && r.path.includes('list-type=2'));
    expect(listings).toHaveLength(1);
    expect(proxy.seen.filter((r) => r.method !== 'HEAD' && !listings.includes(r))).toEqual([]);
  });

  const KEY = 'f/480p/segment_00000.ts';
  const isAbort = (method: string, path: string) => method === 'DELETE' && path.includes('uploadId=') && keyOf(bucketOf(path), path) === KEY;
  const bucketOf = (path: string) => path.split('/')[1] ?? '';
  const FAILURES: { name: string; rule: (method: string, path: string) => boolean }[] = [
    { name: 'CompleteMultipartUpload', rule: (method, path) => method === 'POST' && path.includes('uploadId=') },
    { name: 'the second UploadPart', rule: (method, path) => method === 'PUT' && /[?&]partNumber=2\b/.test(path) },
  ];

  // s3rver does not implement AbortMultipartUpload (it answers 405); S3 answers 204. The proxy plays S3 here.
  it.each(FAILURES)('a 403 on $name: exit 1 saying access denied, no object at that key, the upload aborted', async ({ rule }) => {
    const bucket = await server.bucket('mpfail');
    const { dir } = await ladderWithBigSegment();
    proxy = await startFaultProxy(server.endpoint);
    proxy.setRule(({ method, path }) => {
      if (keyOf(bucket, path) !== KEY) return 'pass';
      if (isAbort(method, path)) return { status: 204 };
      return rule(method, path) ? { status: 403 } : 'pass';
    });

    const result = await runCli(['upload', dir, `s3://${bucket}/f`, '--endpoint', proxy.endpoint, '--multipart-threshold', '5MiB', '--quiet']);

    expect(result.exitCode).toBe(1);
    const line = expectOneErrorLine(String(result.stderr));
    expect(line).toMatch(/access denied/i);
    expect(line).toContain(KEY);
    const failed = proxy.seen.filter((r) => typeof r.action === 'object' && r.action.status === 403);
    expect(failed, 'a 403 is not retried').toHaveLength(1);
    const keys = (await server.list(bucket)).map((o) => o.key);
    expect(keys).not.toContain(KEY);
    expect(keys).not.toContain('f/master.m3u8');
    // The multipart upload was aborted, so no parts are left to be billed for.
    expect(proxy.seen.filter((r) => isAbort(r.method, r.path))).toHaveLength(1);
  });

  it('a 403 on a part, where aborting the multipart upload fails too: the error still says access denied', async () => {
    const bucket = await server.bucket('mpnoabort');
    const { dir } = await ladderWithBigSegment();
    proxy = await startFaultProxy(server.endpoint);
    proxy.setRule(({ method, path }) => (keyOf(bucket, path) === KEY && FAILURES[1]!.rule(method, path) ? { status: 403 } : 'pass'));

    const result = await runCli(['upload', dir, `s3://${bucket}/f`, '--endpoint', proxy.endpoint, '--multipart-threshold', '5MiB', '--quiet']);

    expect(result.exitCode).toBe(1);
    expect((await server.list(bucket)).map((o) => o.key)).not.toContain(KEY);
    const line = expectOneErrorLine(String(result.stderr));
    // The cause is the denied part, not the failed clean-up after it.
    expect(line).toMatch(/access denied/i);
  });

  it('a 503 on a part is retried and the big file arrives intact, even where aborting the failed attempt fails', async () => {
    const bucket = await server.bucket('mpretry');
    const { dir, big } = await ladderWithBigSegment();
    proxy = await startFaultProxy(server.endpoint);
    let failedOnce = false;
    proxy.setRule(({ method, path }) => {
      if (failedOnce || keyOf(bucket, path) !== KEY || !FAILURES[1]!.rule(method, path)) return 'pass';
      failedOnce = true;
      return { status: 503 };
    });

    const result = await runCli(['upload', dir, `s3://${bucket}/f`, '--endpoint', proxy.endpoint, '--multipart-threshold', '5MiB', '--json']);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(failedOnce).toBe(true);
    expect(parseJson(result.stdout).retried).toBe(1);
    expect((await server.get(bucket, KEY)).equals(big)).toBe(true);
    await expectBucketMatches(server, bucket, 'f', dir);
  });
});
