/**
 * Refuses output dirs that publishing would destroy: with --force the old output dir is replaced as a
 * whole, so an output dir that is, or contains, the input, the current directory, the home directory or
 * `/` would take them with it. Judged on real paths (symlinks resolved), before any work starts.
 */
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';

/** The real path of `path`, which need not exist: its deepest existing ancestor resolved, the rest appended. */
export async function realPathOf(path: string): Promise<string> {
  const absolute = resolve(path);
  const real = await realpath(absolute).catch(() => undefined);
  if (real !== undefined) return real;
  const parent = dirname(absolute);
  if (parent === absolute) return absolute;
  return join(await realPathOf(parent), basename(absolute));
}

/** `outer` is `inner` or one of its ancestors (both absolute). */
function holds(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}

/** Throws a one-line UsageError when `outputDir` is or contains the input, the cwd, the home dir or `/`. */
export async function refuseDangerousOutputDir(outputDir: string, input: string, env: { HOME?: string | undefined } = process.env): Promise<void> {
  const output = await realPathOf(outputDir);
  const inputReal = await realpath(resolve(input)).catch(() => undefined);
  const protectedPaths: [string | undefined, string][] = [
    ['/', 'the filesystem root'],
    [inputReal, 'the input'],
    [await realPathOf(process.cwd()), 'the current directory'],
    [env.HOME ? await realPathOf(env.HOME) : undefined, 'the home directory'],
    [await realPathOf(homedir()), 'the home directory'],
  ];
  for (const [path, what] of protectedPaths) {
    if (path === undefined || !holds(output, path)) continue;
    const how = path === output ? 'is' : 'contains';
    throw new UsageError(`output ${outputDir} ${how} ${what}${path === output || what === 'the filesystem root' ? '' : ` (${path})`}: choose a new or empty directory for the ladder`);
  }
}
