/** Finds the ladder to preview from what the user named: its directory or its master playlist. */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { openRegularFile } from '../core/fs/open-regular-file.js';

export interface LadderLocation {
  /** Real path of the ladder directory: the only directory the preview serves from. */
  root: string;
  /** The master playlist's name inside `root` (normally `master.m3u8`). */
  master: string;
}

export const MASTER_PLAYLIST = 'master.m3u8';

/** `<dir>` (holding master.m3u8) or `<dir>/<name>.m3u8` → the ladder; a one-line InputError otherwise. */
export async function locateLadder(input: string): Promise<LadderLocation> {
  const absolute = resolve(input);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new InputError(`${input}: no such file or directory`);
  let root: string;
  let master: string;
  if (info.isDirectory()) {
    root = absolute;
    master = MASTER_PLAYLIST;
    const masterInfo = await stat(resolve(root, master)).catch(() => undefined);
    if (!masterInfo?.isFile()) throw new InputError(`${input}: no ${MASTER_PLAYLIST} in this directory (is it a ladder written by hlsify transcode?)`);
  } else if (info.isFile() && extname(absolute).toLowerCase() === '.m3u8') {
    root = dirname(absolute);
    master = basename(absolute);
  } else {
    throw new InputError(`${input}: expected a ladder directory or its master playlist (.m3u8)`);
  }
  const realRoot = await realpath(root);
  await expectPlaylist(realRoot, master, input);
  return { root: realRoot, master };
}

/** An HLS playlist starts with #EXTM3U (RFC 8216 §4.3.1.1). */
async function expectPlaylist(root: string, master: string, input: string): Promise<void> {
  const opened = await openRegularFile(root, master);
  if (opened.status !== 'file') throw new InputError(`${input}: cannot read ${master} (${opened.reason})`);
  try {
    const { buffer, bytesRead } = await opened.handle.read(Buffer.alloc(16), 0, 16, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    if (!head.startsWith('#EXTM3U')) throw new InputError(`${input}: ${master} is not an HLS playlist (no #EXTM3U)`);
  } finally {
    await opened.handle.close();
  }
}
