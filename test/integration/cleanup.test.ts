/**
 * `hlsify cleanup`: stale hlsify work dirs go; fresh ones, ones a live process holds, and anything that
 * is not hlsify's stay.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';

const HOUR = 3600;

/** A pid that is certainly not running any more. */
function deadPid(): number {
  const out = execFileSync('sh', ['-c', 'sh -c "echo \\$\\$"']).toString().trim();
  return Number(out);
}

async function workDir(root: string, name: string, options: { pid?: number; ageSeconds: number; lock?: boolean; bytes?: number }) {
  const dir = join(root, name);
  await mkdir(join(dir, 'ladder'), { recursive: true });
  await writeFile(join(dir, 'ladder', 'segment_00000.ts'), Buffer.alloc(options.bytes ?? 1000));
  if (options.lock !== false) await writeFile(join(dir, 'hlsify.lock'), JSON.stringify({ pid: options.pid ?? deadPid(), startedAt: new Date().toISOString() }));
  const when = new Date(Date.now() - options.ageSeconds * 1000);
  await utimes(dir, when, when);
  return dir;
}

describe('hlsify cleanup', () => {
  it('removes only stale hlsify dirs and says how many bytes it freed', async () => {
    const root = await tempDir('cleanup');
    const stale = await workDir(root, 'hlsify-stale-1', { ageSeconds: 2 * HOUR, bytes: 5000 });
    const fresh = await workDir(root, 'hlsify-fresh-1', { ageSeconds: 60 });
    const live = await workDir(root, 'hlsify-live-1', { ageSeconds: 5 * HOUR, pid: process.pid });
    const noLock = await workDir(root, 'hlsify-nolock', { ageSeconds: 5 * HOUR, lock: false });
    const foreign = await workDir(root, 'other-app-1', { ageSeconds: 5 * HOUR });
    await writeFile(join(root, 'hlsify-notes.txt'), 'not a dir');

    const dry = await hlsify(['cleanup', '--tmp-dir', root, '--older-than', '1h', '--dry-run', '--json']);
    expect(dry.exitCode).toBe(0);
    expect(JSON.parse(String(dry.stdout))).toMatchObject({ ok: true, dryRun: true, removed: 1, bytesFreed: 0 });
    expect(existsSync(stale)).toBe(true);

    const result = await hlsify(['cleanup', '--tmp-dir', root, '--older-than', '1h', '--json']);
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(String(result.stdout)) as { removed: number; bytesFreed: number; outcomes: { dir: string; action: string; reason: string }[] };
    expect(summary.removed).toBe(1);
    expect(summary.bytesFreed).toBeGreaterThanOrEqual(5000);
    expect(existsSync(stale)).toBe(false);
    for (const kept of [fresh, live, noLock, foreign]) expect(existsSync(kept)).toBe(true);
    expect(summary.outcomes.find((o) => o.dir === live)).toMatchObject({ action: 'kept', reason: 'in-use' });
    expect(summary.outcomes.find((o) => o.dir === fresh)).toMatchObject({ action: 'kept', reason: 'fresh' });
    expect((await readdir(root)).sort()).toEqual(['hlsify-fresh-1', 'hlsify-live-1', 'hlsify-nolock', 'hlsify-notes.txt', 'other-app-1']);
  });

  it('removes the work dir of an hlsify that was killed with SIGKILL once it is old enough', async () => {
    const root = await tempDir('cleanup-killed');
    const run = hlsify(['transcode', fixture('landscape-1080p25.mp4'), '--preset', 'veryslow', '--tmp-dir', root, '-o', join(root, 'out')]);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(await readdir(root)).some((name) => name.startsWith('hlsify-'))) await new Promise((r) => setTimeout(r, 100));
    run.kill('SIGKILL');
    await run;
    const [left] = (await readdir(root)).filter((name) => name.startsWith('hlsify-'));
    expect(left, 'the killed run left its work dir').toBeDefined();

    const young = await hlsify(['cleanup', '--tmp-dir', root, '--older-than', '1h', '--json']);
    expect(JSON.parse(String(young.stdout)).removed).toBe(0);

    const when = new Date(Date.now() - 2 * HOUR * 1000);
    await utimes(join(root, left!), when, when);
    // Its ffmpeg dies (SIGPIPE) at its next progress write once hlsify is gone.
    const orphans = () => execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((line) => line.includes(root) && /ffmpeg/.test(line));
    const orphanDeadline = Date.now() + 10_000;
    while (Date.now() < orphanDeadline && orphans().length > 0) await new Promise((r) => setTimeout(r, 200));
    expect(orphans()).toEqual([]);
    const old = await hlsify(['cleanup', '--tmp-dir', root, '--older-than', '1h']);
    expect(old.exitCode).toBe(0);
    expect(String(old.stdout)).toMatch(/removed 1 stale dir/);
    expect(existsSync(join(root, left!))).toBe(false);
  });

  it('rejects a bad --older-than with exit 2', async () => {
    const result = await hlsify(['cleanup', '--older-than', 'soon']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/--older-than/);
  });
});
