/**
 * A SIGKILLed `hlsify bench` or `hlsify verify` leaves its temp dir behind; `hlsify cleanup` removes it
 * (its lock names a dead process), and the bench's local s3rver dies with the bench. `bench --tmp-dir`
 * naming no directory is a usage error.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { childProcesses, expectOneErrorLine, waitFor } from './support.js';
import { transcodeLadder } from './verify-support.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function cleanupJson(root: string): Promise<{ removed: number; outcomes: { dir: string; action: string }[] }> {
  const result = await hlsify(['cleanup', '--tmp-dir', root, '--json']);
  expect(result.exitCode, String(result.stderr)).toBe(0);
  return JSON.parse(String(result.stdout)) as { removed: number; outcomes: { dir: string; action: string }[] };
}

describe('temp dirs of a SIGKILLed bench or verify', () => {
  it('bench: its s3rver dies with it and cleanup removes its hlsify-bench-* dir', async () => {
    const root = await tempDir('killed-bench');
    const bench = hlsify(['bench', '--tmp-dir', root, '--skip', 'presets,encode,load,queue', '--resolution', '320x180', '--duration', '1', '--upload-segments', '15', '-q']);
    await waitFor(async () => {
      const line = (await childProcesses(bench.pid!)).find((l) => l.includes('s3-server.mjs'));
      return line !== undefined;
    }, 60_000);
    const { stdout } = await import('execa').then((m) => m.execa('ps', ['-eo', 'pid=,ppid=,args=']));
    const server = Number(stdout.split('\n').map((l) => l.trim().split(/\s+/)).find(([, ppid, ...args]) => Number(ppid) === bench.pid && args.join(' ').includes('s3-server.mjs'))?.[0]);
    expect(server).toBeGreaterThan(0);
    bench.kill('SIGKILL');
    await bench;
    expect(await waitFor(() => !alive(server!), 5000), 'the s3rver outlived the bench').toBe(true);
    expect((await readdir(root)).filter((n) => n.startsWith('hlsify-bench-'))).toHaveLength(1);
    const swept = await cleanupJson(root);
    expect(swept.outcomes).toEqual([expect.objectContaining({ action: 'removed', dir: expect.stringContaining('hlsify-bench-') })]);
    expect(await readdir(root)).toEqual([]);
  }, 120_000);

  it('verify: cleanup removes its hlsify-verify-* dir', async () => {
    const dir = await tempDir('killed-verify');
    const root = join(dir, 'tmp');
    await import('node:fs/promises').then((fs) => fs.mkdir(root));
    await transcodeLadder(fixture('landscape-720p30.mp4'), join(dir, 'ladder'));
    const fake = join(dir, 'ffprobe');
    // Hangs on every segment: the segment's temp dir exists while it waits.
    await writeFile(fake, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const verify = hlsify(['verify', join(dir, 'ladder'), '--ffprobe', fake], { env: { TMPDIR: root } });
    expect(await waitFor(async () => (await readdir(root)).some((n) => n.startsWith('hlsify-verify-')), 30_000)).toBe(true);
    verify.kill('SIGKILL');
    await verify;
    const swept = await cleanupJson(root);
    expect(swept.removed).toBeGreaterThan(0);
    expect((await readdir(root)).filter((n) => n.startsWith('hlsify-verify-'))).toEqual([]);
  }, 120_000);

  it('bench --tmp-dir /missing: exit 2, one line', async () => {
    const result = await hlsify(['bench', '--tmp-dir', '/no/such/dir-hlsify']);
    expect(result.exitCode).toBe(2);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/--tmp-dir \/no\/such\/dir-hlsify: no such directory/);
  });
});
