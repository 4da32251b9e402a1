/**
 * The files of a ladder directory, checked before anything is uploaded: master.m3u8 at the root, every
 * URI its playlists name (URI lines and the URI attributes of every tag: keys, init segments, renditions,
 * I-frame playlists…) relative and inside the directory, and present. Only what the playlists name is
 * part of the ladder: a stray file beside it (notes, a dotfile) is never uploaded. A crafted playlist
 * (absolute paths, `..`, URLs) or an incomplete ladder is an InputError.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { InputError } from '../../errors.js';
import { parseMediaPlaylist } from '../playlist/media-playlist.js';
import { playlistReferences } from './playlist-references.js';
import type { LocalFile } from './upload-plan.js';

/** Regular files below `root` (no symlinks, no dotfiles or dot-folders). */
async function walk(root: string): Promise<LocalFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files: LocalFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const absolutePath = join(entry.parentPath, entry.name);
    const relativePath = relative(root, absolutePath).split(sep).join('/');
    if (relativePath.split('/').some((part) => part.startsWith('.'))) continue;
    files.push({ relativePath, absolutePath, size: (await lstat(absolutePath)).size });
  }
  return files;
}

/** Resolves a playlist URI against the playlist's folder; undefined when it escapes the ladder or is not a relative path. */
function resolveUri(fromFolder: string, uri: string): string | undefined {
  if (uri === '' || /^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/') || uri.includes('\\') || uri.includes('\0')) return undefined;
  const joined = posix.normalize(posix.join(fromFolder, uri.split(/[?#]/)[0]!));
  return joined.startsWith('../') || joined === '..' || joined === '.' ? undefined : joined;
}

/** Every playlist a master names: variant lines and URI="…" attributes (EXT-X-MEDIA, I-frame variants). */
export function masterUris(text: string): string[] {
  return playlistReferences(text)
    .filter((reference) => reference.playlist)
    .map((reference) => reference.uri);
}

export interface LadderListing {
  /** The files the playlists name, master.m3u8 and the playlists included. */
  files: LocalFile[];
  /** Files in the directory that no playlist names (left out of the upload). */
  unreferenced: string[];
}

/** Lists and checks a ladder directory: exactly the files its playlists name. */
export async function readLadder(dir: string): Promise<LadderListing> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(`${dir}: no such directory`);
  const all = await walk(dir);
  const byPath = new Map(all.map((f) => [f.relativePath, f]));
  const problem = (what: string) => new InputError(`${dir}: ${what}`);
  const master = byPath.get('master.m3u8');
  if (!master) throw problem('no master.m3u8, so not a finished ladder');
  const masterText = await readFile(master.absolutePath, 'utf8');
  if (!masterText.startsWith('#EXTM3U')) throw problem('master.m3u8 is not an M3U8 playlist');

  const referenced = new Set<string>(['master.m3u8']);
  const pending: string[] = [];
  /** Checks one URI named by `from` and records it; playlists are read in turn. */
  const visit = (from: string, uri: string, playlist: boolean) => {
    const folder = posix.dirname(from) === '.' ? '' : posix.dirname(from);
    const path = resolveUri(folder, uri);
    if (!path) throw problem(`${from} names "${uri}", which is not a relative path inside the ladder`);
    if (!byPath.has(path)) throw problem(`${from} names ${path}, which is missing`);
    if (referenced.has(path)) return;
    referenced.add(path);
    if (playlist) pending.push(path);
  };
  for (const reference of playlistReferences(masterText)) visit('master.m3u8', reference.uri, reference.playlist);
  for (let mediaPath = pending.shift(); mediaPath !== undefined; mediaPath = pending.shift()) {
    const text = await readFile(byPath.get(mediaPath)!.absolutePath, 'utf8');
    try {
      parseMediaPlaylist(text);
    } catch (error) {
      throw problem(`${mediaPath} is not a media playlist (${(error as Error).message})`);
    }
    for (const reference of playlistReferences(text)) visit(mediaPath, reference.uri, reference.playlist);
  }
  return {
    files: all.filter((f) => referenced.has(f.relativePath)),
    unreferenced: all.filter((f) => !referenced.has(f.relativePath)).map((f) => f.relativePath),
  };
}

/** The files of a checked ladder directory (see readLadder). */
export async function listLadderFiles(dir: string): Promise<LocalFile[]> {
  return (await readLadder(dir)).files;
}
