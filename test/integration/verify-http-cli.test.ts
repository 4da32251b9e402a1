/** `verify` over HTTP (same origin only, size and time limits) and the CLI's exit codes, JSON and help. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { expectOneErrorLine } from './support.js';
import { copyLadder, edit, evidence, makeSource, scratch, statuses, transcodeLadder, verify } from './verify-support.js';

let dir: string;
let remove: () => Promise<void>;
let ladder: string;
let server: Server;
let origin: string;
let other: Server;
let otherOrigin: string;
const otherRequests: string[] = [];

/** Routes of the ladder server that are not plain files. */
const special: Record<string, (res: import('node:http').ServerResponse) => void> = {
  '/offsite/master.m3u8': (res) => res.end('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nindex.m3u8\n'),
  '/offsite/index.m3u8': (res) => res.end(`#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2,\n${otherOrigin}/absolute.ts\n#EXTINF:2,\nredirected.ts\n#EXTINF:2,\nsame-origin.ts\n#EXTINF:2,\nslow.ts\n#EXT-X-ENDLIST\n`),
  '/offsite/redirected.ts': (res) => res.writeHead(302, { location: `${otherOrigin}/stolen.ts` }).end(),
  '/offsite/same-origin.ts': (res) => res.writeHead(301, { location: '/ladder/240p/segment_00000.ts' }).end(),
  '/offsite/slow.ts': () => {},
};

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  const s = createServer(handler);
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve({ server: s, origin: `http://127.0.0.1:${(s.address() as AddressInfo).port}` })));
}

beforeAll(async () => {
  ({ dir, remove } = await scratch('http'));
  makeSource(join(dir, 'source.mp4'));
  ladder = join(dir, 'ladder');
  await transcodeLadder(join(dir, 'source.mp4'), ladder);
  ({ server, origin } = await listen((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (special[path]) return special[path](res);
    const file = normalize(join(dir, path));
    if (!file.startsWith(`${ladder}/`) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  }));
  ({ server: other, origin: otherOrigin } = await listen((req, res) => {
    otherRequests.push(req.url ?? '');
    res.end('not yours');
  }));
});
afterAll(async () => {
  server.closeAllConnections();
  other.closeAllConnections();
  await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => other.close(r))]);
  await remove();
});

describe('verify over HTTP', () => {
  it('reads a served ladder as it reads the directory', async () => {
    const [local, remote] = await Promise.all([verify(ladder, { quick: true }), verify(`${origin}/ladder/master.m3u8`, { quick: true })]);
    expect(statuses(remote)).toEqual(statuses(local));
    expect(remote.location).toBe(`${origin}/ladder/master.m3u8`);
    expect(evidence(remote, '1.27')).toContain('360p/index.m3u8: measured peak');
  });

  it('refuses URIs and redirects off the origin, follows same-origin redirects, limits time', async () => {
    const report = await verify(`${origin}/offsite/master.m3u8`, { quick: true, limits: { requestTimeoutMs: 500 } });
    const problems = evidence(report, 'RFC 8216 §4.1');
    expect(problems).toContain(`"${otherOrigin}/absolute.ts" (in offsite/index.m3u8): off the ladder's origin ${origin}`);
    expect(problems).toContain(`offsite/redirected.ts: redirect to ${otherOrigin} refused (off the ladder's origin ${origin})`);
    expect(problems).toContain('offsite/slow.ts: slow server, no complete answer within 0.5 s');
    expect(problems).not.toContain('same-origin.ts');
    expect(otherRequests).toEqual([]);
  });

  it('refuses a segment above the size limit', async () => {
    const report = await verify(`${origin}/ladder/master.m3u8`, { quick: true, limits: { maxSegmentBytes: 10_000 } });
    // Segments are read concurrently, so which one is named first depends on timing: any of them will do.
    expect(evidence(report, 'RFC 8216 §4.1')).toMatch(/(360p|240p)\/segment_0000\d\.ts: (\d+ bytes, above|more than) the 10000-byte limit/);
    expect(report.rules.find((r) => r.id === 'RFC 8216 §4.1')?.status).toBe('FAIL');
  });
});

describe('hlsify verify (CLI)', () => {
  it('exits 0 when every MUST holds, 1 with a report when one fails; --json gives the report as one document', async () => {
    const good = await hlsify(['verify', ladder, '--quick']);
    expect(good.exitCode, String(good.stdout)).toBe(0);
    expect(String(good.stdout).trim().split('\n').at(-1)).toMatch(/^✔ every MUST holds \(\d+ pass, 0 fail, 0 warn, \d+ n\/a; 8 segments \(6 decoded\), 8 I-frame ranges \(6 decoded\), quick\)$/);
    const broken = await copyLadder(ladder, dir);
    await edit(join(broken, 'master.m3u8'), (t) => t.replace(/#EXT-X-I-FRAME-STREAM-INF:.*\n/g, ''));
    const text = await hlsify(['verify', broken, '--quick']);
    expect(text.exitCode).toBe(1);
    expect(String(text.stdout)).toMatch(/^FAIL 6\.1 +MUST +I-frame playlists provided\n +master: no EXT-X-I-FRAME-STREAM-INF \(2 variants\)$/m);
    expect(String(text.stdout).trim().split('\n').at(-1)).toMatch(/^✘ MUST failed: 6\.1 \(\d+ pass, 1 fail/);
    const json = await hlsify(['verify', join(broken, 'master.m3u8'), '--quick', '--json']);
    expect(json.exitCode).toBe(1);
    const parsed = JSON.parse(String(json.stdout));
    expect(parsed.ok).toBe(false);
    expect(parsed.summary.failedMust).toEqual(['6.1']);
    expect(parsed.rules.find((r: { id: string }) => r.id === '9.2')).toMatchObject({ level: 'MUST', status: 'PASS' });
  });

  it('usage errors exit 2; a missing ladder exits 1 with one line', async () => {
    expect((await hlsify(['verify'])).exitCode).toBe(2);
    expect((await hlsify(['verify', ladder, '--bogus'])).exitCode).toBe(2);
    const scheme = await hlsify(['verify', 'ftp://127.0.0.1/master.m3u8']);
    expect(scheme.exitCode).toBe(2);
    expect(expectOneErrorLine(String(scheme.stderr))).toContain('only local paths and http(s) URLs');
    const missing = await hlsify(['verify', join(dir, 'nothing-here')]);
    expect(missing.exitCode).toBe(1);
    expect(expectOneErrorLine(String(missing.stderr))).toContain('no such file or directory');
  });

  it('--help ends with examples', async () => {
    const help = await hlsify(['verify', '--help']);
    expect(help.exitCode).toBe(0);
    const lines = String(help.stdout).trim().split('\n');
    expect(lines.slice(-4)).toEqual(['Examples:', '  $ hlsify verify input-hls', '  $ hlsify verify out/master.m3u8 --quick', '  $ hlsify verify https://cdn.example.com/videos/42/master.m3u8 --json']);
  });
});
