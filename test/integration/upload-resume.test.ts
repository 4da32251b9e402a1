/**
 * Re-running `hlsify upload` sends only what the bucket lacks or holds differently: nothing after a complete
 * upload, exactly the changed file after a same-size edit, exactly the rest after a run killed half-way.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { S3_TEST_ENV, startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { copyLadder, expectBucketMatches, keyOf, ladderFiles, makeLadder, parseJson, putKeys, removeLadder, runCli, writes } from './upload-support.js';

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

/** A first, complete upload of `dir` straight to the server. */
async function uploadOnce(dir: string, url: string): Promise<void> {
  const first = await runCli(['upload', dir, url, '--endpoint', server.endpoint, '--quiet']);
  expect(first.exitCode, String(first.stderr)).toBe(0);
}

describe('hlsify upload, run again', () => {
  it('uploads nothing the second time: every file skipped, no PUT sent', async () => {
    const bucket = await server.bucket('again');
    await uploadOnce(ladder, `s3://${bucket}/a`);
    const before = await server.head(bucket, 'a/master.m3u8');

    proxy = await startFaultProxy(server.endpoint);
    const second = await runCli(['upload', ladder, `s3://${bucket}/a`, '--endpoint', proxy.endpoint, '--json']);

    expect(second.exitCode, String(second.stderr)).toBe(0);
    const files = await ladderFiles(ladder);
    expect(parseJson(second.stdout)).toMatchObject({ ok: true, files: files.length, uploaded: 0, skipped: files.length, bytes: 0 });
    expect(writes(proxy)).toEqual([]);
    // It did look: one listing, then one HEAD per (same-size) file for its recorded hash.
    expect(proxy.seen.filter((r) => r.method === 'HEAD')).toHaveLength(files.length);
    expect((await server.head(bucket, 'a/master.m3u8')).lastModified).toEqual(before.lastModified);
    await expectBucketMatches(server, bucket, 'a', ladder);
  });

  it('asks the bucket once, not once per file: one listing, no HEAD on an empty prefix, a HEAD only for same-size objects', async () => {
    const bucket = await server.bucket('requests');
    const dir = await copyLadder(ladder);
    proxy = await startFaultProxy(server.endpoint);
    const first = await runCli(['upload', dir, `s3://${bucket}/r`, '--endpoint', proxy.endpoint, '--quiet']);

    expect(first.exitCode, String(first.stderr)).toBe(0);
    const files = await ladderFiles(dir);
    const listings = (p: FaultProxy) => p.seen.filter((r) => r.method === 'GET' && r.path.includes('list-type=2'));
    expect(listings(proxy)).toHaveLength(1);
    expect(listings(proxy)[0]!.path).toContain('prefix=r%2F');
    expect(proxy.seen.filter((r) => r.method === 'HEAD')).toEqual([]);
    expect(putKeys(proxy, bucket)).toHaveLength(files.length);

    // A segment that grew is sent without a HEAD (the listing shows another size); the rest are HEADed.
    const grown = join(dir, '360p', 'segment_00001.ts');
    await writeFile(grown, Buffer.concat([await readFile(grown), Buffer.alloc(188)]));
    proxy.seen.length = 0;
    const second = await runCli(['upload', dir, `s3://${bucket}/r`, '--endpoint', proxy.endpoint, '--json']);

    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(parseJson(second.stdout)).toMatchObject({ uploaded: 1, skipped: files.length - 1 });
    expect(putKeys(proxy, bucket)).toEqual(['r/360p/segment_00001.ts']);
    const heads = proxy.seen.filter((r) => r.method === 'HEAD').map((r) => keyOf(bucket, r.path));
    expect(heads).toHaveLength(files.length - 1);
    expect(heads).not.toContain('r/360p/segment_00001.ts');
    await expectBucketMatches(server, bucket, 'r', dir);
  });

  it('re-uploads exactly the one segment whose bytes changed at the same size', async () => {
    const bucket = await server.bucket('samesize');
    const dir = await copyLadder(ladder);
    await uploadOnce(dir, `s3://${bucket}/s`);

    const segment = join(dir, '360p', 'segment_00003.ts');
    const bytes = await readFile(segment);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    await writeFile(segment, bytes);
    expect((await readFile(segment)).length).toBe((await readFile(join(ladder, '360p', 'segment_00003.ts'))).length);

    proxy = await startFaultProxy(server.endpoint);
    const second = await runCli(['upload', dir, `s3://${bucket}/s`, '--endpoint', proxy.endpoint, '--json']);

    expect(second.exitCode, String(second.stderr)).toBe(0);
    const files = await ladderFiles(dir);
    expect(parseJson(second.stdout)).toMatchObject({ uploaded: 1, skipped: files.length - 1, bytes: bytes.length });
    expect(putKeys(proxy, bucket)).toEqual(['s/360p/segment_00003.ts']);
    expect((await server.get(bucket, 's/360p/segment_00003.ts')).equals(bytes)).toBe(true);
    await expectBucketMatches(server, bucket, 's', dir);
  });

  it('--dry-run after a change lists just that file as to be uploaded', async () => {
    const bucket = await server.bucket('drychange');
    const dir = await copyLadder(ladder);
    await uploadOnce(dir, `s3://${bucket}`);
    const playlist = join(dir, '480p', 'index.m3u8');
    await writeFile(playlist, (await readFile(playlist, 'utf8')).replace('#EXT-X-ENDLIST', '#EXT-X-ENDLIST\n'));

    const result = await runCli(['upload', dir, `s3://${bucket}`, '--endpoint', server.endpoint, '--dry-run', '--json']);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = parseJson(result.stdout);
    expect(json.objects.filter((o) => o.status === 'would-upload').map((o) => o.key)).toEqual(['480p/index.m3u8']);
    expect(json.uploaded).toBe(1);
    // Nothing was sent: the bucket still has the old playlist.
    expect((await server.get(bucket, '480p/index.m3u8')).equals(await readFile(join(ladder, '480p', 'index.m3u8')))).toBe(true);
  });

  it('after a run killed half-way, sends only the files that did not make it', async () => {
    const bucket = await server.bucket('killed');
    proxy = await startFaultProxy(server.endpoint);
    const done = 5;
    let puts = 0;
    const run = hlsify(['upload', ladder, `s3://${bucket}/k`, '--endpoint', proxy.endpoint, '--concurrency', '1', '--quiet'], { env: S3_TEST_ENV });
    // With one file at a time, the 6th PUT only starts once the first 5 are stored: kill the CLI right there,
    // and never let that 6th one through.
    proxy.setRule(({ method, path }) => {
      if (method !== 'PUT' || keyOf(bucket, path) === undefined) return 'pass';
      puts++;
      if (puts <= done) return 'pass';
      run.kill('SIGKILL');
      return { status: 503 };
    });
    const killed = await run;
    expect(killed.signal).toBe('SIGKILL');

    const files = await ladderFiles(ladder);
    const after = (await server.list(bucket)).map((o) => o.key);
    expect(after).toHaveLength(done);
    // A half-done upload never publishes a playlist naming missing segments.
    expect(after.filter((key) => key.endsWith('.m3u8'))).toEqual([]);

    const firstRunKeys = new Set(putKeys(proxy, bucket).slice(0, done));
    proxy.seen.length = 0;
    proxy.setRule(() => 'pass');
    const second = await runCli(['upload', ladder, `s3://${bucket}/k`, '--endpoint', proxy.endpoint, '--json']);

    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(parseJson(second.stdout)).toMatchObject({ files: files.length, uploaded: files.length - done, skipped: done });
    const resent = putKeys(proxy, bucket);
    expect(resent).toHaveLength(files.length - done);
    for (const key of resent) expect(firstRunKeys.has(key), `${key} was sent twice`).toBe(false);
    await expectBucketMatches(server, bucket, 'k', ladder);
  });
});
