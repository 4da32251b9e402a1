/**
 * A local input confined to a root directory, opened once and handed on by descriptor. The path is judged
 * by where it really leads (every symlink resolved, then inside the real root), the file is opened without
 * following a final link, and what was opened is checked again through the kernel's own name for the open
 * file (`/proc/self/fd/N`). ffprobe and ffmpeg then read `/proc/<pid>/fd/N`: that name reaches the very
 * file that was checked for as long as the descriptor is open, so swapping a path component for a symlink
 * after the check changes nothing (no check-then-reopen by name).
 */
import { constants } from 'node:fs';
import { open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { EnvironmentError, HlsifyError, InputError } from '../../errors.js';

export interface ConfinedInput {
  /** The name to hand ffprobe/ffmpeg (child processes of this one): `/proc/<pid>/fd/<n>`. */
  path: string;
  /** Where the file really is, inside the real root. */
  realPath: string;
  /** `error` with the descriptor's name in its message replaced by the requested path (for reasons and logs). */
  named(error: unknown): unknown;
  /** Closes the descriptor; safe to call twice. */
  close(): Promise<void>;
}

/** `target` is `root` itself or below it (both absolute, normalised). */
function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Where the open descriptor really points (Linux /proc); undefined where the system has no such name. */
async function openedPath(handle: FileHandle): Promise<string | undefined> {
  return readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
}

/**
 * Opens `requested` (relative to `root`, or absolute) only when it really is a regular file inside `root`;
 * an InputError naming `requested` otherwise.
 */
export async function openConfinedInput(root: string, requested: string): Promise<ConfinedInput> {
  const realRoot = await realpath(root).catch((error: NodeJS.ErrnoException) => {
    throw new EnvironmentError(`the input root ${root} cannot be read (${error.code ?? error.message})`, { cause: error });
  });
  const refuse = (why: string) => new InputError(`input "${requested}": ${why}`);
  const outside = () => refuse("resolves outside the worker's --input-root (through a symlink)");
  const candidate = resolve(root, requested);
  if (!isInside(resolve(root), candidate)) throw refuse("resolves outside the worker's --input-root");
  const real = await realpath(candidate).catch((error: NodeJS.ErrnoException) => {
    throw refuse(error.code === 'ENOENT' ? 'no such file' : `cannot be read (${error.code ?? error.message})`);
  });
  if (!isInside(realRoot, real) || real === realRoot) throw outside();

  let handle: FileHandle;
  try {
    // O_NOFOLLOW: `real` has no symlink left, so a link here was put in after realpath. O_NONBLOCK: a FIFO
    // swapped in must not block the open.
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw outside();
    throw refuse(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? (error as Error).message})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw refuse(info.isDirectory() ? 'is a directory, not a video file' : 'is not a regular file');
    // Judge what was opened, not the name: a directory above it may have been swapped for a symlink.
    const opened = await openedPath(handle);
    if (opened !== undefined) {
      if (!isInside(realRoot, opened)) throw outside();
    } else {
      const again = await stat(real);
      if (again.dev !== info.dev || again.ino !== info.ino || (await realpath(real)) !== real) throw outside();
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  let closed: Promise<void> | undefined;
  // Without /proc (not Linux) the checked real path is the best name left.
  const path = (await openedPath(handle)) === undefined ? real : `/proc/${process.pid}/fd/${handle.fd}`;
  return {
    path,
    realPath: real,
    named(error) {
      if (!(error instanceof HlsifyError) || !error.message.includes(path)) return error;
      const Kind = error.constructor as new (message: string, options?: { cause?: unknown; details?: string }) => HlsifyError;
      return new Kind(error.message.replaceAll(path, requested), { cause: error, ...(error.details === undefined ? {} : { details: error.details }) });
    },
    close() {
      closed ??= handle.close().catch(() => undefined);
      return closed;
    },
  };
}
