/** Ladders for the verify tests: a small good one made once per file, copies to break, and report diffs. */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RuleStatus, VerifyReport } from '../../src/core/verify/report.js';
import { verifyLadder, type VerifyOptions } from '../../src/core/verify/verify-ladder.js';
import { hlsify } from '../helpers/cli.js';

export const FFPROBE = process.env.HLSIFY_FFPROBE ?? 'ffprobe';
export const FFMPEG = process.env.HLSIFY_FFMPEG ?? 'ffmpeg';

export function ffmpeg(args: string[], cwd?: string): void {
  execFileSync(process.env.HLSIFY_FFMPEG ?? 'ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** 8 s of 640x360 25 fps test pattern with a stereo tone. */
export function makeSource(path: string, seconds = 8): void {
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', '-shortest', path]);
}

/**
 * A ladder made by `hlsify transcode` (360p and 240p, 2 s segments unless `extra` says otherwise), with its
 * audio muxed into the video unless `extra` asks otherwise: the rule tests add renditions by hand.
 */
export async function transcodeLadder(source: string, output: string, extra: string[] = []): Promise<void> {
  const audio = extra.includes('--audio') ? [] : ['--audio', 'muxed'];
  const result = await hlsify(['transcode', source, '-o', output, '--ladder', '360,240', '--segment-duration', '2', '--preset', 'ultrafast', '--no-verify', '-q', ...audio, ...extra]);
  expect(result.exitCode, String(result.stderr)).toBe(0);
}

/** A scratch dir for the whole test file. */
export async function scratch(label: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `hlsify-test-verify-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

let copies = 0;
/** A copy of `ladder` to break. */
export async function copyLadder(ladder: string, parent: string): Promise<string> {
  const copy = join(parent, `copy-${++copies}`);
  await cp(ladder, copy, { recursive: true });
  return copy;
}

/** Rewrites a text file in place. */
export async function edit(path: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(path, 'utf8');
  const after = change(before);
  expect(after, `edit of ${path} changed nothing`).not.toBe(before);
  await writeFile(path, after);
}

export function verify(location: string, options: Partial<VerifyOptions> = {}): Promise<VerifyReport> {
  return verifyLadder(location, { ffprobe: FFPROBE, ffmpeg: FFMPEG, concurrency: 2, ...options });
}

export function statuses(report: VerifyReport): Record<string, RuleStatus> {
  return Object.fromEntries(report.rules.map((r) => [r.id, r.status]));
}

/** Ids of rules whose status differs between two reports, with the new status. */
export function changedRules(before: VerifyReport, after: VerifyReport): Record<string, RuleStatus> {
  const old = statuses(before);
  return Object.fromEntries(Object.entries(statuses(after)).filter(([id, status]) => old[id] !== status));
}

/** The evidence of one rule, joined for matching. */
export function evidence(report: VerifyReport, id: string): string {
  const rule = report.rules.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule.evidence.join('\n');
}

/**
 * The body of an ffmpeg wrapper whose showinfo frame reports (verify's decode) say "interlaced" (i:T)
 * where the real decoder said progressive; every other call is the real ffmpeg.
 */
export const INTERLACING_FFMPEG = (real: string) =>
  `case "$*" in\n  *showinfo*) err=$(mktemp); ${real} "$@" 2>"$err"; rc=$?; sed 's/ i:P iskey:/ i:T iskey:/' "$err" >&2; rm -f "$err"; exit $rc ;;\n  *) exec ${real} "$@" ;;\nesac\n`;
