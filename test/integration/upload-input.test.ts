/**
 * What `hlsify upload` refuses before sending anything: a directory that is not a finished ladder, playlists
 * that name files outside it, bad destinations and flags, missing or wrong credentials. The secret key is
 * never printed, whatever goes wrong.
 */
import { mkdir, rm, symlink, writeFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { fixture } from '../../fixtures/recipes.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expectFinalErrorLine, expectOneErrorLine } from './support.js';
import { copyLadder, ladderFiles, makeLadder, removeLadder, runCli, writes } from './upload-support.js';

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

async function replaceIn(path: string, from: string, to: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${path} does not contain ${from}`);
  await writeFile(path, text.replace(from, to));
}

interface BadLadder {
  name: string;
  /** Breaks a copy of the ladder. */
  breakIt: (dir: string) => Promise<void>;
  message: RegExp;
}

const BAD_LADDERS: BadLadder[] = [
  { name: 'no master.m3u8', breakIt: (dir) => rm(join(dir, 'master.m3u8')), message: /no master\.m3u8/ },
  {
    name: 'a media playlist naming ../../etc/passwd',
    breakIt: (dir) => replaceIn(join(dir, '360p', 'index.m3u8'), 'segment_00003.ts', '../../etc/passwd'),
    message: /360p\/index\.m3u8 names "\.\.\/\.\.\/etc\/passwd", which is not a relative path inside the ladder/,
  },
  {
    name: 'a media playlist naming /etc/passwd',
    breakIt: (dir) => replaceIn(join(dir, '480p', 'index.m3u8'), 'segment_00001.ts', '/etc/passwd'),
    message: /480p\/index\.m3u8 names "\/etc\/passwd"/,
  },
  {
    name: 'a master playlist naming a URL',
    breakIt: (dir) => replaceIn(join(dir, 'master.m3u8'), '360p/index.m3u8', 'https://example.com/360p/index.m3u8'),
    message: /master\.m3u8 names "https:\/\/example\.com\/360p\/index\.m3u8"/,
  },
  {
    name: 'a missing segment',
    breakIt: (dir) => rm(join(dir, '480p', 'segment_00004.ts')),
    message: /480p\/segment_00004\.ts, which is missing/,
  },
  {
    name: 'an EXT-X-KEY naming a key outside the ladder',
    breakIt: (dir) => replaceIn(join(dir, '480p', 'index.m3u8'), '#EXTINF', '#EXT-X-KEY:METHOD=AES-128,URI="../../../etc/passwd"\n#EXTINF'),
    message: /480p\/index\.m3u8 names "\.\.\/\.\.\/\.\.\/etc\/passwd", which is not a relative path inside the ladder/,
  },
  {
    name: 'an EXT-X-KEY naming a key file that is missing',
    breakIt: (dir) => replaceIn(join(dir, '360p', 'index.m3u8'), '#EXTINF', '#EXT-X-KEY:METHOD=AES-128,URI="enc.key"\n#EXTINF'),
    message: /360p\/index\.m3u8 names 360p\/enc\.key, which is missing/,
  },
  {
    name: 'a segment that is a symlink to /etc/passwd',
    breakIt: async (dir) => {
      await rm(join(dir, '360p', 'segment_00002.ts'));
      await symlink('/etc/passwd', join(dir, '360p', 'segment_00002.ts'));
    },
    message: /360p\/segment_00002\.ts/,
  },
];

describe('hlsify upload of a directory that is not a clean ladder', () => {
  it.each(BAD_LADDERS)('$name: exit 1, one line saying what is wrong, nothing sent', async ({ breakIt, message }) => {
    const dir = await copyLadder(ladder);
    await breakIt(dir);
    const bucket = await server.bucket('badladder');
    proxy = await startFaultProxy(server.endpoint);

    const result = await runCli(['upload', dir, `s3://${bucket}/x`, '--endpoint', proxy.endpoint]);

    expect(result.exitCode).toBe(1);
    const line = expectOneErrorLine(String(result.stderr));
    expect(line).toMatch(message);
    expect(String(result.stdout)).toBe('');
    expect(writes(proxy)).toEqual([]);
    expect(await server.list(bucket)).toEqual([]);
  });

  it('a path that does not exist: exit 1, one line naming it', async () => {
    const missing = join(await tempDir('upload-missing'), 'no-such-ladder');
    const result = await runCli(['upload', missing, 's3://some-bucket/x', '--endpoint', server.endpoint]);

    expect(result.exitCode).toBe(1);
    expect(expectOneErrorLine(String(result.stderr))).toContain('no-such-ladder');
  });

  it('a video file instead of a ladder directory: exit 1, one line', async () => {
    const result = await runCli(['upload', fixture('landscape-720p30.mp4'), 's3://some-bucket/x', '--endpoint', server.endpoint]);

    expect(result.exitCode).toBe(1);
    expect(expectOneErrorLine(String(result.stderr))).toContain('landscape-720p30.mp4');
  });
});

describe('hlsify upload sends only what the playlists name', () => {
  it('uploads the EXT-X-KEY key file and leaves a stray notes.txt (and an old segment) out, saying so', async () => {
    const dir = await copyLadder(ladder);
    await replaceIn(join(dir, '480p', 'index.m3u8'), '#EXTINF', '#EXT-X-KEY:METHOD=AES-128,URI="../keys/k1.key",IV=0x1\n#EXTINF');
    await mkdir(join(dir, 'keys'));
    await writeFile(join(dir, 'keys', 'k1.key'), Buffer.alloc(16, 1));
    await writeFile(join(dir, 'notes.txt'), 'private notes');
    await writeFile(join(dir, '360p', 'segment_09999.ts'), 'left over');
    const bucket = await server.bucket('referenced');

    const result = await runCli(['upload', dir, `s3://${bucket}/v`, '--endpoint', server.endpoint]);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const keys = (await server.list(bucket)).map((o) => o.key);
    expect(keys).toContain('v/keys/k1.key');
    expect(keys).not.toContain('v/notes.txt');
    expect(keys).not.toContain('v/360p/segment_09999.ts');
    const expected = (await ladderFiles(dir)).filter((f) => f !== 'notes.txt' && f !== '360p/segment_09999.ts').map((f) => `v/${f}`);
    expect(keys).toEqual(expected.sort((a, b) => a.localeCompare(b)));
    expect(String(result.stdout)).toMatch(/not uploaded, no playlist names them: .*notes\.txt/);
  });
});

describe('hlsify upload with a bad destination or flag', () => {
  const USAGE: { name: string; args: (dir: string) => string[]; message: RegExp }[] = [
    { name: 'an http:// URL as destination', args: (dir) => ['upload', dir, 'http://x'], message: /not an S3 location/ },
    { name: 'a bucket name with capitals and _', args: (dir) => ['upload', dir, 's3://B_d'], message: /"B_d" is not a valid bucket name/ },
    { name: 'a prefix with ..', args: (dir) => ['upload', dir, 's3://good-bucket/a/../b'], message: /\.\./ },
    { name: 'a prefix with an empty segment (a//b)', args: (dir) => ['upload', dir, 's3://good-bucket/a//b'], message: /empty segments/ },
    { name: 'a prefix of slashes (///)', args: (dir) => ['upload', dir, 's3://good-bucket///'], message: /may not start with \// },
    { name: 'a prefix starting with /', args: (dir) => ['upload', dir, 's3://good-bucket//videos'], message: /may not start with \// },
    { name: 'a percent-encoded .. (%2e%2e)', args: (dir) => ['upload', dir, 's3://good-bucket/%2e%2e/x'], message: /percent-escapes/ },
    { name: 'a backslash .. (..\\)', args: (dir) => ['upload', dir, 's3://good-bucket/..\\x'], message: /backslashes/ },
    { name: 'an endpoint that is not a URL', args: (dir) => ['upload', dir, 's3://good-bucket', '--endpoint', 'not a url'], message: /--endpoint/ },
    { name: '--concurrency 0', args: (dir) => ['upload', dir, 's3://good-bucket', '--concurrency', '0'], message: /--concurrency/ },
    { name: 'a multipart threshold below 5 MiB', args: (dir) => ['upload', dir, 's3://good-bucket', '--multipart-threshold', '1MiB'], message: /--multipart-threshold/ },
    { name: 'a malformed --content-type', args: (dir) => ['upload', dir, 's3://good-bucket', '--content-type', 'ts:video/mp2t'], message: /--content-type/ },
  ];

  it.each(USAGE)('$name: exit 2, one line', async ({ args, message }) => {
    proxy = await startFaultProxy(server.endpoint);
    const result = await runCli(args(ladder), { env: { AWS_ENDPOINT_URL_S3: proxy.endpoint } });

    expect(result.exitCode).toBe(2);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(message);
    expect(proxy.seen).toEqual([]);
  });

  it('transcode --upload with a bad destination fails at once, before encoding', async () => {
    const out = join(await tempDir('upload-bad-dest'), 'out');
    const started = Date.now();
    const result = await runCli(['transcode', fixture('landscape-720p30.mp4'), '-o', out, '--preset', 'ultrafast', '--upload', 's3://B_d/x']);

    expect(result.exitCode).toBe(2);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/"B_d" is not a valid bucket name/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await readFile(join(out, 'master.m3u8')).catch(() => undefined)).toBeUndefined();
  });
});

describe('transcode --upload checks the destination before encoding', () => {
  it('a bucket that does not exist: exit 1 at once with one line, nothing encoded, no output dir', async () => {
    const out = join(await tempDir('upload-no-bucket'), 'out');
    const started = Date.now();
    const result = await runCli(['transcode', fixture('landscape-720p30.mp4'), '-o', out, '--preset', 'ultrafast', '--upload', 's3://no-such-bucket-4f1e/x', '--endpoint', server.endpoint]);

    expect(result.exitCode).toBe(1);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/no-such-bucket-4f1e.*the bucket does not exist/);
    // Generous for a loaded 2-core machine; encoding first took 18 s on the 10 s 1080p sample.
    expect(Date.now() - started).toBeLessThan(8000);
    expect(existsSync(out)).toBe(false);
  });

  it('unknown credentials: exit 1 at once saying access denied, nothing encoded', async () => {
    const out = join(await tempDir('upload-bad-key'), 'out');
    const bucket = await server.bucket('prebadkey');
    const result = await runCli(['transcode', fixture('landscape-720p30.mp4'), '-o', out, '--preset', 'ultrafast', '--upload', `s3://${bucket}/x`, '--endpoint', server.endpoint], {
      env: { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000' },
    });

    expect(result.exitCode).toBe(1);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/access denied/i);
    expect(existsSync(out)).toBe(false);
  });
});

describe('credentials', () => {
  // s3rver checks the access key id, not SigV4 signatures: an unknown key id is what it denies.
  it('unknown credentials: exit 1 saying access denied, and the secret is never printed, even with --verbose --json', async () => {
    const bucket = await server.bucket('wrongsecret');
    const secret = 'wrong-secret-7f3a9c1e5b2d';
    const result = await runCli(['upload', ladder, `s3://${bucket}`, '--endpoint', server.endpoint, '--verbose', '--json'], {
      env: { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000', AWS_SECRET_ACCESS_KEY: secret },
    });

    expect(result.exitCode).toBe(1);
    const errors = String(result.stderr).split('\n').filter((l) => l.startsWith('hlsify: error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/access denied/i);
    expect(JSON.parse(String(result.stdout))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/access denied/i) } });
    expect(await server.list(bucket)).toEqual([]);
  });

  it('no credentials anywhere: exit 2 saying how to provide them', async () => {
    const home = await tempDir('upload-nocreds');
    const result = await runCli(['upload', ladder, 's3://some-bucket/x', '--endpoint', server.endpoint], {
      extendEnv: false,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });

    expect(result.exitCode).toBe(2);
    expect(expectFinalErrorLine(String(result.stderr))).toMatch(/no AWS credentials found.*AWS_ACCESS_KEY_ID/);
  });

  it('a user:password in --endpoint is neither used for printing nor leaked on failure', async () => {
    const bucket = await server.bucket('endpointcreds');
    proxy = await startFaultProxy(server.endpoint);
    proxy.setRule(({ method }) => (method === 'PUT' ? { status: 403 } : 'pass'));
    const endpoint = proxy.endpoint.replace('http://', 'http://someone:endpoint-password-91c2@');

    const result = await runCli(['upload', ladder, `s3://${bucket}`, '--endpoint', endpoint, '--verbose']);

    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/access denied/i);
    expect(String(result.stdout) + String(result.stderr)).not.toContain('endpoint-password-91c2');
  });
});
