/** What the integration tests check after a run: the error a user reads and what is left on disk. */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';

/** commander's hint after a usage error; not part of the message itself. */
export const HELP_HINT = '(run hlsify --help for usage)';

/** Non-empty lines of a captured stream. */
export function linesOf(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

/** Asserts `stderr` is exactly one `hlsify: error:` line (no stack trace, nothing else) and returns it. */
export function expectOneErrorLine(stderr: string, options: { allowHelpHint?: boolean } = {}): string {
  const lines = linesOf(stderr).filter((line) => !(options.allowHelpHint && line === HELP_HINT));
  expect(lines, `stderr was:\n${stderr}`).toHaveLength(1);
  const line = lines[0]!;
  expect(line).toMatch(/^hlsify: error: \S/);
  expect(line).not.toMatch(/\bat .+:\d+:\d+\)?$/);
  return line;
}

/** Asserts the last line of `stderr` is the only error line (progress lines may come before it) and returns it. */
export function expectFinalErrorLine(stderr: string): string {
  const lines = linesOf(stderr);
  const errors = lines.filter((line) => line.includes('hlsify: error:'));
  expect(errors, `stderr was:\n${stderr}`).toHaveLength(1);
  expect(lines.at(-1)).toBe(errors[0]);
  expect(errors[0]).toMatch(/^hlsify: error: \S/);
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  return errors[0]!;
}

/** Every file below `dir` (recursively), or [] when `dir` does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Asserts the temp root given with --tmp-dir is absent or empty: no job dir was left behind. */
export async function expectNoTempLeft(tmpRoot: string): Promise<void> {
  const left = existsSync(tmpRoot) ? await readdir(tmpRoot) : [];
  expect(left, `left in ${tmpRoot}`).toEqual([]);
}

/** Files below `dir` whose content contains `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await filesUnder(dir)) {
    if ((await readFile(file)).includes(needle)) hits.push(file);
  }
  return hits;
}

/** Command lines of every running process whose arguments mention `text` (e.g. a test's own temp dir). */
export async function processesMentioning(text: string): Promise<string[]> {
  const { stdout } = await execa('ps', ['-eo', 'pid=,ppid=,args=']);
  return linesOf(stdout).filter((line) => line.includes(text) && !/\bps -eo\b/.test(line));
}

/** Command lines of the running children of `parentPid`. */
export async function childProcesses(parentPid: number): Promise<string[]> {
  const { stdout } = await execa('ps', ['-eo', 'ppid=,args=']);
  return linesOf(stdout)
    .map((line) => line.trim().split(/\s+/))
    .filter(([ppid]) => Number(ppid) === parentPid)
    .map(([, ...args]) => args.join(' '));
}

/** Ffmpeg processes started by `parentPid` whose arguments mention `text`. */
export async function ffmpegChildren(parentPid: number, text: string): Promise<string[]> {
  return (await processesMentioning(text)).filter((line) => {
    const [, ppid, ...args] = line.trim().split(/\s+/);
    return Number(ppid) === parentPid && /(^|\/)ffmpeg$/.test(args[0] ?? '');
  });
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}
