/**
 * Maps a request path to a file inside the ladder directory, or says why it will not be served.
 * Nothing outside the root is ever reached: not by `..`, not by encoded `%2e%2e` or `%2f`, not by an
 * absolute path, not by a symlink that points out of the ladder.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export type LadderPath =
  | { status: 'file'; path: string; relativePath: string; size: number }
  | { status: 'forbidden'; reason: string }
  | { status: 'not-found' };

/** `target` is `root` itself or below it (both absolute and normalised). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The decoded, checked relative path of a request's URL path (`/720p/index.m3u8` → `720p/index.m3u8`),
 * or why it is refused. Pure: touches no disk.
 */
export function requestRelativePath(urlPath: string): { ok: true; relativePath: string } | { ok: false; reason: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, reason: 'malformed percent-encoding' };
  }
  if (!decoded.startsWith('/')) return { ok: false, reason: 'not an absolute URL path' };
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, reason: 'NUL or backslash in path' };
  const relativePath = decoded.slice(1);
  // "//etc/passwd" (or "/%2Fetc/passwd") would make path.resolve start again from the filesystem root.
  if (relativePath.startsWith('/') || isAbsolute(relativePath)) return { ok: false, reason: 'absolute path' };
  const parts = relativePath.split('/');
  if (parts.some((part) => part === '..' || part === '.')) return { ok: false, reason: 'dot segment in path' };
  if (parts.some((part, i) => part === '' && i !== parts.length - 1)) return { ok: false, reason: 'empty segment in path' };
  return { ok: true, relativePath };
}

/** Resolves `urlPath` (the URL's path, still percent-encoded, without query) to a regular file below `realRoot`. */
export async function resolveLadderPath(realRoot: string, urlPath: string): Promise<LadderPath> {
  const checked = requestRelativePath(urlPath);
  if (!checked.ok) return { status: 'forbidden', reason: checked.reason };
  const candidate = resolve(realRoot, checked.relativePath);
  if (!isInside(realRoot, candidate)) return { status: 'forbidden', reason: 'outside the ladder directory' };
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return { status: 'not-found' };
  }
  // A symlink inside the ladder may still point anywhere: judge where it really leads.
  if (!isInside(realRoot, real)) return { status: 'forbidden', reason: 'symlink out of the ladder directory' };
  try {
    const info = await stat(real);
    if (!info.isFile()) return { status: 'not-found' };
    return { status: 'file', path: real, relativePath: relative(realRoot, real).split(sep).join('/'), size: info.size };
  } catch {
    return { status: 'not-found' };
  }
}
