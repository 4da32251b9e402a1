/**
 * The lock file of a work dir: which process on which host owns it. The temp root is often world-writable
 * /tmp, so the lock is read as untrusted: only a regular file (no symlink, FIFO or device: a FIFO would
 * block the reader forever), opened without following links and without blocking, at most 4 KiB.
 */
import { constants, readlinkSync } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface LockOwner {
  pid: number;
  /** The host the owner runs on; undefined in locks written before hlsify recorded it. */
  host: string | undefined;
  /** The owner's pid namespace (`pid:[4026531836]`): containers sharing a hostname and a temp root differ here. */
  pidNamespace: string | undefined;
}

export type LockRead = { status: 'missing' } | { status: 'owner'; owner: LockOwner } | { status: 'unreadable'; reason: string };

const MAX_LOCK_BYTES = 4096;

/** This process's pid namespace (Linux); a pid means this process only inside the same namespace. */
export const PID_NAMESPACE: string | undefined = (() => {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
})();

/** The text hlsify writes into a new work dir's lock file for this process. */
export function lockText(): string {
  return JSON.stringify({ pid: process.pid, host: hostname(), pidNamespace: PID_NAMESPACE, startedAt: new Date().toISOString() });
}

/** Reads a lock file without ever blocking on it or following a link. */
export async function readLock(path: string): Promise<LockRead> {
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : error));
  if (info === undefined) return { status: 'missing' };
  if (info instanceof Error) return { status: 'unreadable', reason: info.code ?? info.message };
  if (!info.isFile()) return { status: 'unreadable', reason: info.isSymbolicLink() ? 'lock is a symlink' : 'lock is not a regular file' };
  if (info.size > MAX_LOCK_BYTES) return { status: 'unreadable', reason: 'lock is too large' };
  let handle;
  try {
    // O_NONBLOCK: if the lock was swapped for a FIFO after lstat, open returns at once instead of waiting for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return { status: 'unreadable', reason: (error as NodeJS.ErrnoException).code ?? 'cannot open lock' };
  }
  try {
    if (!(await handle.stat()).isFile()) return { status: 'unreadable', reason: 'lock is not a regular file' };
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(MAX_LOCK_BYTES), 0, MAX_LOCK_BYTES, 0);
    return { status: 'owner', owner: parseLock(buffer.subarray(0, bytesRead).toString('utf8')) };
  } catch (error) {
    return { status: 'unreadable', reason: (error as NodeJS.ErrnoException).code ?? 'cannot read lock' };
  } finally {
    await handle.close();
  }
}

function parseLock(text: string): LockOwner {
  try {
    const json = JSON.parse(text) as { pid?: unknown; host?: unknown; pidNamespace?: unknown };
    const pid = Number(json.pid);
    const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
    return { pid: Number.isSafeInteger(pid) && pid > 0 ? pid : 0, host: str(json.host), pidNamespace: str(json.pidNamespace) };
  } catch {
    return { pid: 0, host: undefined, pidNamespace: undefined };
  }
}

/** Whether process `pid` exists on this host. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The owner is a process of this host (same hostname and pid namespace) that no longer runs: its work dir
 * is stale whatever its age.
 */
export function isDeadHere(owner: LockOwner): boolean {
  return owner.host === hostname() && owner.pidNamespace === PID_NAMESPACE && owner.pid > 0 && !isProcessAlive(owner.pid);
}
