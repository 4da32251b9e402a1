/**
 * `hlsify upload` against a real S3-protocol server (s3rver): every object arrives byte for byte with the
 * headers a CDN and a player need, the master playlist goes up last, --dry-run sends nothing, and
 * `transcode --upload` does both steps in one run.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { fixture } from '../../fixtures/recipes.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { linesOf } from './support.js';
import { expectBucketMatches, ladderFiles, makeLadder, parseJson, putKeys, removeLadder, runCli, writes, type UploadJson } from './upload-support.js';

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const SEGMENT_CACHE = 'public, max-age=31536000, immutable';
const PLAYLIST_CACHE = 'public, max-age=60';

let server: S3TestServer;
let ladder: string;
let fmp4Ladder: string;
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  server = await startS3Server();
  ladder = await makeLadder();
  fmp4Ladder = await makeLadder(['--segment-type', 'fmp4']);
});

afterAll(async () => {
  await server?.close();
  await removeLadder(ladder);
  await removeLadder(fmp4Ladder);
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('hlsify upload', () => {
  it('uploads every file of the ladder byte for byte under the prefix, with the right headers', async () => {
    const bucket = await server.bucket('basics');
    const result = await runCli(['upload', ladder, `s3://${bucket}/videos/clip-1`, '--endpoint', server.endpoint, '--json']);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const files = await ladderFiles(ladder);
    expect(files).toContain('master.m3u8');
    expect(files.length).toBeGreaterThanOrEqual(15);
    const json = parseJson(result.stdout);
    expect(json).toMatchObject({ ok: true, dryRun: false, files: files.length, uploaded: files.length, skipped: 0, retried: 0 });
    expect(json.masterPlaylist).toBe(`s3://${bucket}/videos/clip-1/master.m3u8`);
    await expectBucketMatches(server, bucket, 'videos/clip-1', ladder);

    for (const file of files) {
      const head = await server.head(bucket, `videos/clip-1/${file}`);
      if (file.endsWith('.m3u8')) {
        expect(head, file).toMatchObject({ contentType: PLAYLIST_TYPE, cacheControl: PLAYLIST_CACHE });
      } else {
        expect(file).toMatch(/\.ts$/);
        expect(head, file).toMatchObject({ contentType: 'video/mp2t', cacheControl: SEGMENT_CACHE });
      }
      // The content hash a later run compares against, so a same-size change is never mistaken for "same".
      const sha256 = createHash('sha256').update(await readFile(join(ladder, file))).digest('hex');
      expect(head.metadata?.['hlsify-sha256'], file).toBe(sha256);
    }
  });

  it('serves fMP4 init segments and .m4s segments as video/mp4', async () => {
    const bucket = await server.bucket('fmp4');
    const result = await runCli(['upload', fmp4Ladder, `s3://${bucket}`, '--endpoint', server.endpoint, '--quiet']);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toBe('');
    await expectBucketMatches(server, bucket, '', fmp4Ladder);
    const files = await ladderFiles(fmp4Ladder);
    const inits = files.filter((f) => f.endsWith('.mp4'));
    const segments = files.filter((f) => f.endsWith('.m4s'));
    expect(inits.length).toBeGreaterThanOrEqual(2);
    expect(segments.length).toBeGreaterThanOrEqual(2);
    for (const file of [...inits, ...segments]) {
      expect(await server.head(bucket, file), file).toMatchObject({ contentType: 'video/mp4', cacheControl: SEGMENT_CACHE });
    }
    expect(await server.head(bucket, 'master.m3u8')).toMatchObject({ contentType: PLAYLIST_TYPE, cacheControl: PLAYLIST_CACHE });
  });

  it('takes Cache-Control and Content-Type overrides from the flags', async () => {
    const bucket = await server.bucket('headers');
    const result = await runCli([
      'upload',
      ladder,
      `s3://${bucket}/p`,
      '--endpoint',
      server.endpoint,
      '--quiet',
      '--segment-cache-control',
      'public, max-age=600',
      '--playlist-cache-control',
      'no-cache',
      '--content-type',
      '.ts=video/foo',
    ]);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    for (const file of await ladderFiles(ladder)) {
      const head = await server.head(bucket, `p/${file}`);
      if (file.endsWith('.m3u8')) expect(head, file).toMatchObject({ contentType: PLAYLIST_TYPE, cacheControl: 'no-cache' });
      else expect(head, file).toMatchObject({ contentType: 'video/foo', cacheControl: 'public, max-age=600' });
    }
  });

  it('puts master.m3u8 last and every media playlist after all segments', async () => {
    const bucket = await server.bucket('order');
    proxy = await startFaultProxy(server.endpoint);
    const result = await runCli(['upload', ladder, `s3://${bucket}/o`, '--endpoint', proxy.endpoint, '--concurrency', '8', '--quiet']);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const order = putKeys(proxy, bucket);
    const files = await ladderFiles(ladder);
    expect([...order].sort()).toEqual(files.map((f) => `o/${f}`).sort());
    expect(order.at(-1)).toBe('o/master.m3u8');
    const lastSegment = Math.max(...order.map((key, i) => (key.endsWith('.ts') ? i : -1)));
    const mediaPlaylists = order.map((key, i) => ({ key, i })).filter(({ key }) => /\/(480p|360p)\/[^/]+\.m3u8$/.test(key));
    // index.m3u8 and iframes.m3u8 of each rendition.
    expect(mediaPlaylists).toHaveLength(4);
    for (const { key, i } of mediaPlaylists) expect(i, `${key} went up before a segment`).toBeGreaterThan(lastSegment);
  });

  it('reads the endpoint from AWS_ENDPOINT_URL_S3 and prints a summary naming the master playlist', async () => {
    const bucket = await server.bucket('envendpoint');
    const result = await runCli(['upload', ladder, `s3://${bucket}/e`], { env: { AWS_ENDPOINT_URL_S3: server.endpoint } });

    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toContain(`s3://${bucket}/e/master.m3u8`);
    await expectBucketMatches(server, bucket, 'e', ladder);
  });
});

describe('hlsify upload --dry-run', () => {
  it('lists every file it would upload and sends nothing', async () => {
    const bucket = await server.bucket('dryrun');
    proxy = await startFaultProxy(server.endpoint);
    const result = await runCli(['upload', ladder, `s3://${bucket}/d`, '--endpoint', proxy.endpoint, '--dry-run']);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const files = await ladderFiles(ladder);
    const stdout = String(result.stdout);
    expect(linesOf(stdout)[0]).toMatch(new RegExp(`${files.length} of ${files.length} files would be uploaded`));
    for (const file of files) expect(stdout).toMatch(new RegExp(`upload +d/${file.replace(/\./g, '\\.')}\\b`));
    expect(writes(proxy)).toEqual([]);
    expect(await server.list(bucket)).toEqual([]);
  });

  it('--json reports would-upload for every file, and the bucket stays empty', async () => {
    const bucket = await server.bucket('dryjson');
    const result = await runCli(['upload', ladder, `s3://${bucket}`, '--endpoint', server.endpoint, '--dry-run', '--json']);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = parseJson(result.stdout);
    const files = await ladderFiles(ladder);
    expect(json).toMatchObject({ ok: true, dryRun: true, files: files.length, uploaded: files.length, skipped: 0, bytes: 0 });
    expect(json.objects.map((o) => o.status)).toEqual(files.map(() => 'would-upload'));
    expect(await server.list(bucket)).toEqual([]);
  });
});

describe('hlsify transcode --upload', () => {
  it('encodes and uploads in one run; --json has an upload section', async () => {
    const bucket = await server.bucket('transcode');
    const out = join(await tempDir('upload-transcode'), 'out');
    const result = await runCli([
      'transcode',
      fixture('landscape-720p30.mp4'),
      '--preset',
      'ultrafast',
      '--ladder',
      '360',
      '-o',
      out,
      '--upload',
      `s3://${bucket}/movies/one`,
      '--endpoint',
      server.endpoint,
      '--json',
    ]);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = parseJson<{ ok: boolean; outputDir: string; upload?: UploadJson }>(result.stdout);
    expect(json.ok).toBe(true);
    const files = await ladderFiles(out);
    expect(json.upload).toMatchObject({ ok: true, files: files.length, uploaded: files.length, skipped: 0, masterPlaylist: `s3://${bucket}/movies/one/master.m3u8` });
    expect((await server.get(bucket, 'movies/one/master.m3u8')).equals(await readFile(join(out, 'master.m3u8')))).toBe(true);
    await expectBucketMatches(server, bucket, 'movies/one', out);
  });
});
