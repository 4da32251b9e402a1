/**
 * `hlsify preview` as a web server: only files inside the ladder directory, whatever the request path
 * tries (dot segments, encoded ones, absolute paths, symlinks out), with the Content-Types players
 * expect; and the command's life: URL on stdout, one-line errors, port fallback, exit 0 on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { expectOneErrorLine, waitFor } from './support.js';
import { rawRequest, startServing, startServingForTest, type PreviewProcess } from './preview-support.js';

const SECRET = 'TOP SECRET outside the ladder';
const MASTER =
  '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"\n360p/index.m3u8\n' +
  '#EXT-X-STREAM-INF:BANDWIDTH=500000,RESOLUTION=426x240,CODECS="avc1.64001e"\nfmp4/index.m3u8\n';
const ENV_SECRET = 'AWS_SECRET_ACCESS_KEY=dotfile-secret';

/** A ladder-shaped dir (no real media needed to test serving) with traps beside and inside it. */
async function makeLadder(work?: string): Promise<{ work: string; ladder: string }> {
  work ??= await tempDir('preview-server');
  const ladder = join(work, 'ladder');
  await mkdir(join(ladder, '360p'), { recursive: true });
  await mkdir(join(ladder, 'fmp4'), { recursive: true });
  await writeFile(join(work, 'secret.txt'), `${SECRET}\n`);
  await writeFile(join(ladder, 'master.m3u8'), MASTER);
  await writeFile(join(ladder, '360p', 'index.m3u8'), '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI="key.bin"\n#EXTINF:2,\nsegment_00000.ts\n#EXT-X-ENDLIST\n');
  await writeFile(join(ladder, '360p', 'key.bin'), Buffer.alloc(16, 1));
  // A crafted playlist naming a dotfile does not get it served.
  await writeFile(join(ladder, 'fmp4', 'index.m3u8'), '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\nsegment_00000.m4s\n#EXTINF:2,\n.hidden.m4s\n#EXT-X-ENDLIST\n');
  await writeFile(join(ladder, 'fmp4', '.hidden.m4s'), ENV_SECRET);
  await writeFile(join(ladder, '.env'), ENV_SECRET);
  await mkdir(join(ladder, '.git'));
  await writeFile(join(ladder, '.git', 'config'), ENV_SECRET);
  await writeFile(join(ladder, 'notes.txt'), ENV_SECRET);
  await writeFile(join(ladder, '360p', 'segment_99999.ts'), ENV_SECRET);
  await writeFile(join(ladder, '360p', 'segment_00000.ts'), Buffer.alloc(188 * 4, 0x47));
  await writeFile(join(ladder, 'fmp4', 'init.mp4'), Buffer.from('init'));
  await writeFile(join(ladder, 'fmp4', 'segment_00000.m4s'), Buffer.from('media'));
  await symlink('/etc/passwd', join(ladder, 'passwd'));
  await symlink(join(work, 'secret.txt'), join(ladder, 'secret-link.txt'));
  await symlink(work, join(ladder, 'up'));
  await symlink('master.m3u8', join(ladder, 'alias.m3u8'));
  return { work, ladder };
}

describe('serving only the ladder directory', () => {
  let serving: Awaited<ReturnType<typeof startServing>>;
  let url: string;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hlsify-test-preview-server-'));
    const { ladder } = await makeLadder(work);
    serving = await startServing(['preview', ladder, '--port', '0']);
    url = serving.url;
  });
  afterAll(async () => {
    serving?.child.kill('SIGKILL');
    await serving?.child;
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each([
    '/../secret.txt',
    '/360p/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/360p/%2e%2e/%2e%2e/secret.txt',
    '/%2F..%2Fsecret.txt',
    '/%2F../secret.txt',
    '//etc/passwd',
    '/%2Fetc%2Fpasswd',
    '/..%5csecret.txt',
    '/passwd',
    '/secret-link.txt',
    '/up/secret.txt',
    '/master.m3u8%00.ts',
  ])('refuses %s with 403 and leaks nothing', async (path) => {
    const response = await rawRequest(url, path);
    expect(response.status).toBe(403);
    expect(response.body.toString()).not.toContain(SECRET);
    expect(response.body.toString()).not.toContain('root:');
  });

  it.each(['/missing.m3u8', '/360p', '/360p/', '/_hlsify/other.js'])('answers 404 for %s (missing or a directory)', async (path) => {
    expect((await rawRequest(url, path)).status).toBe(404);
  });

  it.each(['/.env', '/%2eenv', '/.git/config', '/fmp4/.hidden.m4s', '/notes.txt', '/360p/segment_99999.ts', '/alias.m3u8'])(
    'answers 404 for %s: dotfiles and files no playlist names are not served',
    async (path) => {
      const response = await rawRequest(url, path);
      expect(response.status).toBe(404);
      expect(response.body.toString()).not.toContain('dotfile-secret');
    },
  );

  it.each([
    ['/master.m3u8', 'application/vnd.apple.mpegurl'],
    ['/360p/index.m3u8', 'application/vnd.apple.mpegurl'],
    ['/360p/segment_00000.ts', 'video/mp2t'],
    ['/fmp4/init.mp4', 'video/mp4'],
    ['/fmp4/segment_00000.m4s', 'video/mp4'],
    ['/fmp4/index.m3u8', 'application/vnd.apple.mpegurl'],
    ['/360p/key.bin', 'application/octet-stream'],
    ['/master.m3u8?cache-buster=1', 'application/vnd.apple.mpegurl'],
  ])('serves %s as %s, not cached for long', async (path, type) => {
    const response = await rawRequest(url, path);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(Number(response.headers['content-length'])).toBe(response.body.length);
  });

  it('serves the player page at / and hls.js from the npm package (no CDN)', async () => {
    const page = await rawRequest(url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = page.body.toString();
    expect(html).toContain('<script src="_hlsify/hls.min.js"></script>');
    expect(html).toContain('"master.m3u8"');
    expect(html).not.toMatch(/https?:\/\//);

    const script = await rawRequest(url, '/_hlsify/hls.min.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const installed = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));
    expect(script.body.equals(installed)).toBe(true);
  });

  it('answers HEAD with headers only and refuses other methods', async () => {
    const head = await rawRequest(url, '/360p/segment_00000.ts', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(188 * 4));
    expect(head.body.length).toBe(0);
    const post = await rawRequest(url, '/master.m3u8', { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('refuses a Host header that is not loopback (a DNS-rebinding page cannot read the ladder)', async () => {
    const response = await rawRequest(url, '/master.m3u8', { host: 'attacker.example:80' });
    expect(response.status).toBe(403);
    expect(response.body.toString()).not.toContain('#EXTM3U');
    expect((await rawRequest(url, '/master.m3u8', { host: `localhost:${new URL(url).port}` })).status).toBe(200);
  });

  it('listens on loopback only by default', () => {
    expect(new URL(url).hostname).toBe('127.0.0.1');
  });
});

describe('hlsify preview, the command', () => {
  it('exits 1 with one line for a missing directory', async () => {
    const dir = await tempDir('preview-missing');
    const result = await hlsify(['preview', join(dir, 'nope'), '--port', '0']);
    expect(result.exitCode).toBe(1);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/no such file or directory/);
  });

  it('exits 1 with one line for a directory without master.m3u8', async () => {
    const dir = await tempDir('preview-empty');
    const result = await hlsify(['preview', dir, '--port', '0']);
    expect(result.exitCode).toBe(1);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/no master\.m3u8/);
  });

  it('exits 2 for a port that is not a number', async () => {
    const { ladder } = await makeLadder();
    const result = await hlsify(['preview', ladder, '--port', 'eighty']);
    expect(result.exitCode).toBe(2);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/--port/);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('takes the master playlist path too, and exits 0 on %s', async (signal) => {
    const { ladder } = await makeLadder();
    const serving = await startServingForTest(['preview', join(ladder, 'master.m3u8'), '--port', '0']);
    expect((await rawRequest(serving.url, '/master.m3u8')).body.toString()).toBe(MASTER);
    serving.child.kill(signal);
    const result = await serving.child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    await expect(rawRequest(serving.url, '/master.m3u8')).rejects.toThrow(/ECONNREFUSED/);
  });

  describe('with a port already taken', () => {
    let blocker: Server;
    beforeAll(async () => {
      blocker = createServer((_req, res) => res.end('someone else'));
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it('exits 1 with one line when the port was asked for with --port', async () => {
      const { ladder } = await makeLadder();
      const port = (blocker.address() as AddressInfo).port;
      const result = await hlsify(['preview', ladder, '--port', String(port)]);
      expect(result.exitCode).toBe(1);
      expect(expectOneErrorLine(String(result.stderr))).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}: the port is in use`));
    });

    it('falls back to a free port when the default 8080 is taken', async () => {
      const { ladder } = await makeLadder();
      // Take 8080 if nobody has it yet; either way it is taken while hlsify starts.
      const holder = createServer();
      const held = await new Promise<boolean>((resolve) => {
        holder.once('error', () => resolve(false));
        holder.listen(8080, '127.0.0.1', () => resolve(true));
      });
      let serving: { child: PreviewProcess; url: string; stderr: () => string };
      try {
        serving = await startServingForTest(['preview', ladder]);
      } finally {
        if (held) holder.close();
      }
      expect(new URL(serving.url).port).not.toBe('8080');
      expect(serving.stderr()).toMatch(/port 8080 is in use: serving on port \d+ instead/);
      expect((await rawRequest(serving.url, '/master.m3u8')).status).toBe(200);
    });
  });

  it('says so when --open finds no browser opener', async () => {
    const { ladder } = await makeLadder();
    const serving = await startServing(['preview', ladder, '--port', '0', '--open'], { execa: { env: { PATH: '/nonexistent' } } });
    await waitFor(() => serving.stderr().includes('Press Ctrl-C'), 10_000);
    serving.child.kill('SIGTERM');
    const result = await serving.child;
    expect(result.exitCode).toBe(0);
    expect(serving.stderr()).toMatch(/no browser opener \(xdg-open\) on this machine: open the URL yourself/);
  });
});
