/**
 * Opens a file of a directory that is read as untrusted (a ladder to verify or preview) without ever
 * blocking on it or leaving the directory: the path is judged by where it really leads (symlinks inside
 * the directory are fine, out of it not), only a regular file is opened (a FIFO would block the open, and
 * every read after it, until a writer comes; a device may never end), the open neither follows a final
 * link nor blocks (O_NOFOLLOW | O_NONBLOCK), and the handle is checked again: still a regular file, the
 * very inode judged, and (Linux) the kernel's name for it still inside the directory.
 */
import { constants } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export type OpenedFile = { status: 'file'; handle: FileHandle; size: number; realPath: string };
export type FileRefusal = { status: 'missing' | 'outside' | 'not-regular' | 'unreadable'; reason: string };

/** `target` is `root` itself or below it (both absolute and normalised). */
function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** What a non-regular file is, in the user's words. */
function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSymbolicLink(): boolean }): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSymbolicLink()) return 'a symlink';
  return 'not a regular file';
}

/**
 * Opens `relativePath` below `realRoot` (a real path: no symlink in it) when it is a regular file that
 * really is inside; says why not otherwise. The caller closes `handle`.
 */
export async function openRegularFile(realRoot: string, relativePath: string): Promise<OpenedFile | FileRefusal> {
  const candidate = resolve(realRoot, relativePath);
  if (!isInside(realRoot, candidate)) return { status: 'outside', reason: 'outside the ladder directory' };
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { status: 'missing', reason: 'no such file' } : { status: 'unreadable', reason: `cannot be read (${code ?? (error as Error).message})` };
  }
  // A symlink inside the directory may point anywhere: judge where it really leads.
  if (!isInside(realRoot, real)) return { status: 'outside', reason: 'a symlink out of the ladder directory' };
  const info = await lstat(real).catch(() => undefined);
  if (!info) return { status: 'missing', reason: 'no such file' };
  if (!info.isFile()) return { status: 'not-regular', reason: `${kindOf(info)}, not a regular file` };
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: `real` has no symlink left, so a link here was put in after realpath. O_NONBLOCK: a FIFO
    // swapped in after lstat must not block the open.
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { status: 'outside', reason: 'became a symlink while being opened' };
    if (code === 'ENOENT') return { status: 'missing', reason: 'no such file' };
    return { status: 'unreadable', reason: code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? (error as Error).message})` };
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return refuse(handle, { status: 'not-regular', reason: `${kindOf(opened)}, not a regular file` });
    if (opened.dev !== info.dev || opened.ino !== info.ino) return refuse(handle, { status: 'unreadable', reason: 'replaced while being opened' });
    // Judge what was opened, not the name: a directory above it may have been swapped for a symlink.
    const name = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (name !== undefined && !isInside(realRoot, name)) return refuse(handle, { status: 'outside', reason: 'a symlink out of the ladder directory' });
    return { status: 'file', handle, size: opened.size, realPath: real };
  } catch (error) {
    return refuse(handle, { status: 'unreadable', reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
  }
}

async function refuse(handle: FileHandle, refusal: FileRefusal): Promise<FileRefusal> {
  await handle.close().catch(() => undefined);
  return refusal;
}
