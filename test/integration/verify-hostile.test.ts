/**
 * `verify` against hostile ladders and servers: a server that trickles, ignores Range, resets the
 * connection or sends gzip bombs; a FIFO in a ladder directory; EXT-X-KEY; a segment of many packets;
 * terminal escapes in URIs. Each ends promptly with a finding or one clear error line.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { expectOneErrorLine } from './support.js';
import { copyLadder, edit, evidence, ffmpeg, makeSource, scratch, statuses, transcodeLadder, verify } from './verify-support.js';

let dir: string;
let remove: () => Promise<void>;
let ladder: string;
let server: Server;
let origin: string;
/** Bytes the hostile routes wrote, by route. */
const sent = new Map<string, number>();

const MEDIA_HEAD = '#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n';
const master = (uri = 'index.m3u8') => `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000\n${uri}\n`;

/** Writes `total` bytes of MPEG-TS-looking filler (chunked, no Content-Length), as fast as the reader takes them. */
function stream(res: ServerResponse, route: string, total: number): void {
  const chunk = Buffer.alloc(64 * 1024, 0xff);
  for (let i = 0; i < chunk.length; i += 188) chunk[i] = 0x47;
  let written = 0;
  res.writeHead(200, { 'content-type': 'video/mp2t' });
  const pump = () => {
    while (written < total) {
      written += chunk.length;
      sent.set(route, written);
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  res.on('close', () => sent.set(route, written));
  pump();
}

let bomb: Buffer;
let nearBomb: Buffer;
/** Routes that are not plain files of the ladder. */
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  // One byte every 20 s: alive, never done.
  '/trickle/master.m3u8': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
    const text = master();
    let at = 0;
    const tick = () => {
      if (at >= text.length || res.destroyed) return res.end();
      res.write(text[at++]!);
      setTimeout(tick, 20_000).unref();
    };
    tick();
  },
  '/slow-segment/master.m3u8': (_req, res) => res.end(master()),
  '/slow-segment/index.m3u8': (_req, res) => res.end(`${MEDIA_HEAD}#EXTINF:2,\nslow.ts\n#EXT-X-ENDLIST\n`),
  '/slow-segment/slow.ts': (_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp2t' });
    res.write(Buffer.from([0x47]));
  },
  '/range/master.m3u8': (_req, res) => res.end(master()),
  '/range/index.m3u8': (_req, res) => res.end(`${MEDIA_HEAD}#EXTINF:2,\n#EXT-X-BYTERANGE:188@1000000000\nfar.ts\n#EXTINF:2,\n#EXT-X-BYTERANGE:188@1000\nnear.ts\n#EXT-X-ENDLIST\n`),
  // Both ignore Range and stream 1.2 GB.
  '/range/far.ts': (_req, res) => stream(res, 'far', 1_200_000_000),
  '/range/near.ts': (_req, res) => stream(res, 'near', 1_200_000_000),
  '/reset/master.m3u8': (_req, res) => res.end(master()),
  '/reset/index.m3u8': (_req, res) => res.end(`${MEDIA_HEAD}#EXTINF:2,\nreset.ts\n#EXT-X-ENDLIST\n`),
  '/reset/reset.ts': (_req, res) => {
    res.writeHead(200, { 'content-length': '1000000', 'content-type': 'video/mp2t' });
    res.write(Buffer.alloc(4096, 0x47), () => res.socket?.destroy());
  },
  '/many/master.m3u8': (_req, res) => res.end(`#EXTM3U\n${Array.from({ length: 10 }, (_, i) => `#EXT-X-STREAM-INF:BANDWIDTH=${1000 + i}\nv${i}.m3u8\n`).join('')}`),
  '/bomb/master.m3u8': (_req, res) => res.end(`#EXTM3U\n${Array.from({ length: 40 }, (_, i) => `#EXT-X-STREAM-INF:BANDWIDTH=${1000 + i}\nv${i}.m3u8\n`).join('')}`),
};

function route(path: string) {
  if (routes[path]) return routes[path];
  if (/^\/many\/v\d+\.m3u8$/.test(path)) return (_req: IncomingMessage, res: ServerResponse) => res.end(`${MEDIA_HEAD}${'#EXTINF:1,\nhttp://elsewhere.invalid/s.ts\n'.repeat(3000)}#EXT-X-ENDLIST\n`);
  // Forty gzip'd media playlists: four of ~100 MB once gunzipped (above the playlist limit), the rest just
  // under it, each of ~95,000 segments.
  const bombIndex = /^\/bomb\/v(\d+)\.m3u8$/.exec(path);
  if (bombIndex) {
    const body = Number(bombIndex[1]) < 4 ? bomb : nearBomb;
    return (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
  }
  return undefined;
}

beforeAll(async () => {
  ({ dir, remove } = await scratch('hostile'));
  makeSource(join(dir, 'source.mp4'), 4);
  ladder = join(dir, 'ladder');
  await transcodeLadder(join(dir, 'source.mp4'), ladder);
  // ~100 MB of media playlist, the segments refused (off the origin) so that only memory is at stake.
  const line = '#EXTINF:1,\nhttp://elsewhere.invalid/s.ts\n';
  bomb = gzipSync(`${MEDIA_HEAD}${line.repeat(2_500_000)}#EXT-X-ENDLIST\n`, { level: 9 });
  nearBomb = gzipSync(`${MEDIA_HEAD}${line.repeat(Math.floor((3.9 * 1024 * 1024) / line.length))}#EXT-X-ENDLIST\n`, { level: 9 });
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const special = route(path);
    if (special) return special(req, res);
    const file = normalize(join(dir, path));
    if (!file.startsWith(`${ladder}/`) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await remove();
});

/** Runs the CLI, timing it; SIGKILL after `killAfterMs` (a hang shows as a kill, not as a stuck test). */
async function timed(args: string[], killAfterMs = 30_000, env: Record<string, string> = {}) {
  const started = Date.now();
  const result = await hlsify(args, { timeout: killAfterMs, forceKillAfterDelay: 1000, env });
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

describe('a slow server', () => {
  it('a master playlist trickled one byte every 20 s: one line naming the slow server after the request deadline', async () => {
    const result = await timed(['verify', `${origin}/trickle/master.m3u8`, '--request-timeout', '2']);
    expect(result.isTerminated, 'killed: verify did not end').toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.seconds).toBeLessThan(8);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/trickle\/master\.m3u8: slow server, no complete answer within 2 s/);
    expect(String(result.stderr)).not.toMatch(/bug in hlsify/i);
  });

  it('a segment that never finishes: a finding; the whole run has its own budget (--timeout)', async () => {
    const report = await verify(`${origin}/slow-segment/master.m3u8`, { limits: { requestTimeoutMs: 1000 } });
    expect(evidence(report, 'RFC 8216 §4.1')).toContain('slow-segment/slow.ts: slow server, no complete answer within 1 s');
    expect(report.summary.ok).toBe(false);
    const result = await timed(['verify', `${origin}/slow-segment/master.m3u8`, '--timeout', '2']);
    expect(result.isTerminated).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.seconds).toBeLessThan(8);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/verify stopped: the ladder was not read and checked within 2 s \(--timeout\)/);
  });
});

describe('EXT-X-BYTERANGE against a server that ignores Range', () => {
  it('never reads past the fixed segment limit, whatever offset the playlist gives', async () => {
    sent.clear();
    const report = await verify(`${origin}/range/master.m3u8`, { quick: true });
    const problems = evidence(report, 'RFC 8216 §4.1');
    expect(problems).toContain('range/far.ts: the server ignored Range (HTTP 200) and byte range 188@1000000000 ends past the 268435456-byte limit');
    // Read up to the range's end (1188 bytes) and dropped: the server could push a few socket buffers at most.
    expect(sent.get('far') ?? 0).toBeLessThan(32 * 1024 * 1024);
    expect(sent.get('near') ?? 0).toBeLessThan(32 * 1024 * 1024);
    expect(problems).not.toContain('near.ts');
    expect(report.summary.ok).toBe(false);
  });
});

describe('a connection reset mid-segment', () => {
  it('is a finding naming the segment, not an internal error', async () => {
    const report = await verify(`${origin}/reset/master.m3u8`, { quick: true });
    expect(evidence(report, 'RFC 8216 §4.1')).toMatch(/reset\/reset\.ts: connection failed \(/);
  });
});

describe('forty gzip bombs of media playlists', () => {
  it('are read under the limits in bounded memory, and the limit reached is named', async () => {
    // A heap of 400 MB: enough for verify within its limits, far too little for 40 × 100 MB at once.
    const result = await timed(['verify', `${origin}/bomb/master.m3u8`, '--json'], 120_000, { NODE_OPTIONS: '--max-old-space-size=400' });
    expect(result.isTerminated).toBe(false);
    expect(String(result.stderr)).not.toMatch(/heap out of memory/);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout)) as { rules: { id: string; status: string; evidence: string[] }[] };
    const rule = (id: string) => report.rules.find((r) => r.id === id)!;
    expect(rule('RFC 8216 §4.1').evidence.join('\n')).toMatch(/v[0-3]\.m3u8: more than the 4194304-byte limit/);
    expect(rule('hlsify limits').status).toBe('FAIL');
    expect(rule('hlsify limits').evidence.join('\n')).toMatch(/segments past the first 50000 of the run were not read \(limit: 50000 segments per run\)/);
  }, 150_000);

  it('segments per run are capped, and the cap is a failing finding', async () => {
    const report = await verify(`${origin}/many/master.m3u8`, { limits: { maxSegments: 1000, maxPlaylists: 5 } });
    const limits = evidence(report, 'hlsify limits');
    expect(limits).toContain('more than 5 media playlists: the rest were not read (limit: 5 media playlists per run)');
    expect(limits).toMatch(/segments past the first 1000 of the run were not read \(limit: 1000 segments per run\)/);
    expect(statuses(report)['hlsify limits']).toBe('FAIL');
  });
});

describe('a FIFO in a ladder directory', () => {
  it('verify DIR ends promptly with a finding naming it', async () => {
    const copy = await copyLadder(ladder, dir);
    const segment = join(copy, '240p', 'segment_00001.ts');
    await rm(segment);
    execFileSync('mkfifo', [segment]);
    const result = await timed(['verify', copy, '--quick'], 20_000);
    expect(result.isTerminated, 'killed: verify hung on the FIFO').toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.seconds).toBeLessThan(15);
    expect(String(result.stdout)).toContain('240p/segment_00001.ts: a FIFO (named pipe), not a regular file');
  });

  it('preview serving a ladder with a FIFO for a playlist answers at once', async () => {
    const copy = await copyLadder(ladder, dir);
    const playlist = join(copy, '240p', 'index.m3u8');
    await rm(playlist);
    execFileSync('mkfifo', [playlist]);
    const { startServingForTest } = await import('./preview-support.js');
    const serving = await startServingForTest(['preview', copy, '--port', '0']);
    const ask = async (path: string) => {
      const started = Date.now();
      const response = await fetch(new URL(path, serving.url), { signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      return { status: response.status, ms: Date.now() - started };
    };
    const fifo = await ask('240p/index.m3u8');
    expect(fifo.status).toBe(404);
    const good = await ask('360p/index.m3u8');
    expect(good.status).toBe(200);
    expect(Math.max(fifo.ms, good.ms)).toBeLessThan(3000);
  });
});

describe('EXT-X-KEY', () => {
  it('an encrypted ladder is declared unsupported, and a key URI outside the ladder is named', async () => {
    const copy = await copyLadder(ladder, dir);
    await edit(join(copy, '360p', 'index.m3u8'), (t) => t.replace('#EXTINF', '#EXT-X-KEY:METHOD=AES-128,URI="file:///etc/shadow"\n#EXTINF'));
    await edit(join(copy, '240p', 'index.m3u8'), (t) => t.replace('#EXTINF', '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="key.bin"\n#EXTINF'));
    const report = await verify(copy, { quick: true });
    const keys = evidence(report, 'RFC 8216 §4.3.2.4');
    expect(keys).toMatch(/360p\/index\.m3u8: line \d+: METHOD=AES-128 \(URI "file:\/\/\/etc\/shadow" outside the ladder\): encrypted segments are not supported by verify/);
    expect(keys).toMatch(/240p\/index\.m3u8: line \d+: METHOD=SAMPLE-AES \(URI 240p\/key\.bin\): encrypted segments are not supported/);
    expect(evidence(report, 'RFC 8216 §4.1')).toContain('"file:///etc/shadow" (in 360p/index.m3u8): not a relative URI');
    expect(report.summary.ok).toBe(false);
  });

  it('METHOD=NONE is fine', async () => {
    const copy = await copyLadder(ladder, dir);
    await edit(join(copy, '360p', 'index.m3u8'), (t) => t.replace('#EXTINF', '#EXT-X-KEY:METHOD=NONE\n#EXTINF'));
    const report = await verify(copy, { quick: true });
    expect(statuses(report)['RFC 8216 §4.3.2.4']).toBe('PASS');
  });
});

describe('a segment of a quarter of a million packets', () => {
  it('is measured, not a stack overflow', async () => {
    const copy = await copyLadder(ladder, dir);
    ffmpeg(['-f', 'lavfi', '-i', 'color=black:s=16x16:r=5000', '-t', '25', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', join(copy, 'many.ts')]);
    await writeFile(join(copy, 'many.m3u8'), `${MEDIA_HEAD}#EXTINF:2,\nmany.ts\n#EXT-X-ENDLIST\n`);
    await writeFile(join(copy, 'master.m3u8'), master('many.m3u8'));
    const result = await timed(['verify', copy, '--json'], 120_000);
    expect(String(result.stderr)).not.toMatch(/call stack|bug in hlsify/i);
    const report = JSON.parse(String(result.stdout)) as { segments: { total: number } };
    expect(report.segments.total).toBe(1);
  }, 150_000);
});

describe('terminal escapes in playlist URIs', () => {
  it('reach the text report escaped, and --json as JSON escapes them', async () => {
    const copy = await copyLadder(ladder, dir);
    const fake = '\u001b[2K\r\u001b[32m✔ every MUST holds\u001b[0m\u202e';
    await edit(join(copy, '240p', 'index.m3u8'), (t) => t.replace('segment_00001.ts', `segment_00001.ts${fake}`));
    const text = await timed(['verify', copy, '--quick']);
    expect(String(text.stdout)).not.toContain('\u001b');
    expect(String(text.stdout)).not.toContain('\u202e');
    expect(String(text.stdout)).toContain('segment_00001.ts\\x1b[2K\\x0d\\x1b[32m✔ every MUST holds\\x1b[0m\\u202e');
    const lines = String(text.stdout).trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^✘ MUST failed/);
    const json = await timed(['verify', copy, '--quick', '--json']);
    expect(String(json.stdout)).toContain('\\u001b[2K\\r\\u001b[32m');
    const parsed = JSON.parse(String(json.stdout)) as { rules: { evidence: string[] }[] };
    expect(parsed.rules.flatMap((r) => r.evidence).some((e) => e.includes(fake))).toBe(true);
  });
});

// Keeps the helpers honest: the untouched ladder passes, so every failure above is the attack's.
describe('the ladder itself', () => {
  it('passes over HTTP and from its directory', async () => {
    const [local, remote] = await Promise.all([verify(ladder, { quick: true }), verify(`${origin}/ladder/master.m3u8`, { quick: true })]);
    expect(local.summary.failedMust).toEqual([]);
    expect(remote.summary.failedMust).toEqual([]);
  });
});
