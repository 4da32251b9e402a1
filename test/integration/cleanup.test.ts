/**
 * `hlsify cleanup`: stale hlsify work dirs go; fresh ones, ones a live process holds, and anything that
 * is not hlsify's stay.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, readdir, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';

const HOUR = 3600;
const PID_NAMESPACE = readlinkSync('/proc/self/ns/pid');

/** A pid that is certainly not running any more. */
function deadPid(): number {
  const out = execFileSync('sh', ['-c', 'sh -c "echo \\$\\$"']).toString().trim();
  return Number(out);
}

async function workDir(root: string, name: string, options: { pid?: number; host?: string; pidNamespace?: string; ageSeconds: number; lock?: boolean; bytes?: number }) {
  const dir = join(root, name);
  await mkdir(join(dir, 'ladder'), { recursive: true });
  await writeFile(join(dir, 'ladder', 'segment_00000.ts'), Buffer.alloc(options.bytes ?? 1000));
  if (options.lock !== false) await writeFile(join(dir, 'hlsify.lock'), JSON.stringify({ pid: options.pid ?? deadPid(), host: options.host, pidNamespace: options.pidNamespace, startedAt: new Date().toISOString() }));
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

  it('removes the work dir of an hlsify that was killed with SIGKILL at once: its lock names a dead process of this host', async () => {
    const root = await tempDir('cleanup-killed');
    const run = hlsify(['transcode', fixture('landscape-1080p25.mp4'), '--preset', 'veryslow', '--tmp-dir', root, '-o', join(root, 'out')]);
    const deadline = Date.now() + 60_000;
    // A lock with its owner written (killed between creating and writing it, a dir keeps the retention).
    const locked = async () => (await readdir(root)).some((name) => name.startsWith('hlsify-') && existsSync(join(root, name, 'hlsify.lock')) && statSync(join(root, name, 'hlsify.lock')).size > 0);
    while (Date.now() < deadline && !(await locked())) await new Promise((r) => setTimeout(r, 100));
    run.kill('SIGKILL');
    await run;
    const [left] = (await readdir(root)).filter((name) => name.startsWith('hlsify-'));
    expect(left, 'the killed run left its work dir').toBeDefined();
    // Its ffmpeg dies with it (setpriv --pdeathsig) or at its next progress write.
    const orphans = () => execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((line) => line.includes(root) && /ffmpeg/.test(line));
    const orphanDeadline = Date.now() + 10_000;
    while (Date.now() < orphanDeadline && orphans().length > 0) await new Promise((r) => setTimeout(r, 200));
    expect(orphans()).toEqual([]);

    // Seconds old, far below the retention: stale all the same.
    const result = await hlsify(['cleanup', '--tmp-dir', root, '--older-than', '1h']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/removed 1 stale dir/);
    expect(existsSync(join(root, left!))).toBe(false);
  });

  it('keeps the retention for a dead pid named by a lock of another host, another pid namespace or an older hlsify (no host)', async () => {
    const root = await tempDir('cleanup-hosts');
    const here = await workDir(root, 'hlsify-here-1', { ageSeconds: 60, host: hostname(), pidNamespace: PID_NAMESPACE });
    const otherHost = await workDir(root, 'hlsify-other-host-1', { ageSeconds: 60, host: 'some-other-host.example', pidNamespace: PID_NAMESPACE });
    // A container with the same hostname sharing the temp root: its pids are not ours to judge.
    const otherNamespace = await workDir(root, 'hlsify-other-ns-1', { ageSeconds: 60, host: hostname(), pidNamespace: 'pid:[1]' });
    const noHost = await workDir(root, 'hlsify-no-host-1', { ageSeconds: 60 });
    const oldOtherHost = await workDir(root, 'hlsify-other-host-2', { ageSeconds: 2 * HOUR, host: 'some-other-host.example' });
    const result = await hlsify(['cleanup', '--tmp-dir', root, '--older-than', '1h', '--json']);
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(String(result.stdout)) as { removed: number; outcomes: { dir: string; action: string; reason: string }[] };
    expect(summary.removed).toBe(2);
    expect(existsSync(here)).toBe(false);
    expect(existsSync(oldOtherHost)).toBe(false);
    for (const kept of [otherHost, otherNamespace, noHost]) expect(summary.outcomes.find((o) => o.dir === kept)).toMatchObject({ action: 'kept', reason: 'fresh' });
  });

  it('never blocks on, follows or reads a lock that is a FIFO, a symlink or huge: reports it and keeps the dir', async () => {
    const root = await tempDir('cleanup-bad-lock');
    const fifo = await workDir(root, 'hlsify-fifo-1', { ageSeconds: 2 * HOUR, lock: false });
    execFileSync('mkfifo', [join(fifo, 'hlsify.lock')]);
    const link = await workDir(root, 'hlsify-link-1', { ageSeconds: 2 * HOUR, lock: false });
    execFileSync('mkfifo', [join(root, 'elsewhere-fifo')]);
    await symlink(join(root, 'elsewhere-fifo'), join(link, 'hlsify.lock'));
    const huge = await workDir(root, 'hlsify-huge-1', { ageSeconds: 2 * HOUR, lock: false });
    await writeFile(join(huge, 'hlsify.lock'), '');
    await truncate(join(huge, 'hlsify.lock'), 1024 ** 3);
    for (const dir of [fifo, link, huge]) await utimes(dir, new Date(Date.now() - 2 * HOUR * 1000), new Date(Date.now() - 2 * HOUR * 1000));
    const stale = await workDir(root, 'hlsify-stale-1', { ageSeconds: 2 * HOUR });

    const started = Date.now();
    const result = await hlsify(['cleanup', '--tmp-dir', root, '--older-than', '1h', '--json'], { timeout: 20_000 });
    expect(result.timedOut, 'cleanup hung').toBe(false);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(String(result.stdout)) as { removed: number; outcomes: { dir: string; action: string; reason: string; detail?: string }[] };
    expect(summary.removed).toBe(1);
    expect(existsSync(stale)).toBe(false);
    for (const dir of [fifo, link, huge]) {
      expect(existsSync(dir)).toBe(true);
      expect(summary.outcomes.find((o) => o.dir === dir)).toMatchObject({ action: 'kept', reason: 'bad-lock' });
    }
    const plain = await hlsify(['cleanup', '--tmp-dir', root, '--older-than', '1h'], { timeout: 20_000 });
    expect(String(plain.stdout)).toMatch(/kept\s+\S+hlsify-fifo-1 \(bad-lock: lock is not a regular file/);
  });

  it('rejects a bad --older-than with exit 2', async () => {
    const result = await hlsify(['cleanup', '--older-than', 'soon']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/--older-than/);
  });
});
