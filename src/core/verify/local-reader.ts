/** Reads a ladder from a local directory: only relative URIs that stay inside it, symlinks included. */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, posix, resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { openRegularFile } from '../fs/open-regular-file.js';
import { ResourceError, isRelativeReference, type ResourceReader } from './resource-reader.js';

/** `<dir>` (holding master.m3u8) or `<dir>/<name>.m3u8` → a reader confined to the directory. */
export async function openLocalLadder(location: string): Promise<ResourceReader> {
  const absolute = resolve(location);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new InputError(`${location}: no such file or directory`);
  let rootPath: string;
  let master: string;
  if (info.isDirectory()) {
    rootPath = absolute;
    master = 'master.m3u8';
    if (!(await stat(resolve(absolute, master)).catch(() => undefined))?.isFile()) throw new InputError(`${location}: no master.m3u8 in this directory`);
  } else if (info.isFile() && extname(absolute).toLowerCase() === '.m3u8') {
    rootPath = dirname(absolute);
    master = basename(absolute);
  } else {
    throw new InputError(`${location}: expected a ladder directory, its master playlist (.m3u8) or an http(s) URL`);
  }
  const root = await realpath(rootPath);
  return {
    master,
    root,
    resolve(base, uri) {
      if (uri.includes('\0') || uri.includes('\\')) throw new ResourceError(`"${uri}" (in ${base}): NUL or backslash in a URI`, 'outside');
      if (!isRelativeReference(uri)) throw new ResourceError(`"${uri}" (in ${base}): not a relative URI; a local ladder may only name files inside its directory`, 'outside');
      let path: string;
      try {
        path = decodeURIComponent(uri.split(/[?#]/)[0]!);
      } catch {
        throw new ResourceError(`"${uri}" (in ${base}): malformed percent-encoding`, 'unreadable');
      }
      const joined = posix.normalize(posix.join(posix.dirname(base), path));
      if (joined === '..' || joined.startsWith('../') || posix.isAbsolute(joined)) throw new ResourceError(`"${uri}" (in ${base}): leaves the ladder directory`, 'outside');
      return joined;
    },
    async read(key, options) {
      const opened = await openRegularFile(root, key);
      if (opened.status !== 'file') throw new ResourceError(`${key}: ${opened.reason}`, opened.status === 'not-regular' ? 'unreadable' : opened.status);
      const { handle, size } = opened;
      try {
        const offset = options.range?.offset ?? 0;
        const length = options.range?.length ?? size;
        if (length > options.maxBytes) throw new ResourceError(`${key}: ${length} bytes, above the ${options.maxBytes}-byte limit`, 'too-large');
        if (offset + length > size) throw new ResourceError(`${key}: byte range ${length}@${offset} goes past the end (${size} bytes)`, 'missing');
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, offset);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    describe: (key) => key,
  };
}
