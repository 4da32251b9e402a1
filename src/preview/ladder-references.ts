/**
 * What a ladder consists of, as its playlists say: the master playlist, every playlist it names, and every
 * file those name (segments, EXT-X-MAP init sections, EXT-X-KEY keys, any other `URI="…"`). The preview
 * serves these and nothing else, so a `.env`, notes or any stray file beside the ladder stays private.
 */
import { posix } from 'node:path';
import { openRegularFile } from '../core/fs/open-regular-file.js';

/** Playlists above this size are not read (an hlsify ladder's are a few KiB). */
const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;
/** master → media playlists; a media playlist naming further playlists is not followed. */
const MAX_DEPTH = 2;

/** Every URI a playlist names: URI lines and `URI="…"` attributes of tags (RFC 8216 §4.3). */
export function playlistUris(text: string): string[] {
  const uris: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) uris.push(line);
    else for (const match of line.matchAll(/\bURI="([^"]*)"/g)) uris.push(match[1]!);
  }
  return uris;
}

/**
 * A playlist URI as a path relative to the ladder root (`360p/segment_00000.ts`), or undefined when it is
 * not a relative path inside the ladder, or names a hidden (dot) file or folder.
 */
export function referencedPath(playlistFolder: string, uri: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(uri.split(/[?#]/, 1)[0]!);
  } catch {
    return undefined;
  }
  if (path === '' || path.includes('\0') || path.includes('\\')) return undefined;
  const joined = posix.normalize(posix.join(playlistFolder, path));
  if (joined === '..' || joined.startsWith('../') || joined.startsWith('/')) return undefined;
  if (joined.split('/').some((part) => part.startsWith('.'))) return undefined;
  return joined;
}

async function readPlaylist(realRoot: string, relativePath: string): Promise<string | undefined> {
  const opened = await openRegularFile(realRoot, relativePath);
  if (opened.status !== 'file') return undefined;
  try {
    if (opened.size > MAX_PLAYLIST_BYTES) return undefined;
    const { buffer, bytesRead } = await opened.handle.read(Buffer.alloc(opened.size), 0, opened.size, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await opened.handle.close();
  }
}

/** The relative paths of every file the ladder's playlists name, starting from `master` (read now, from disk). */
export async function ladderReferences(realRoot: string, master: string): Promise<Set<string>> {
  const files = new Set<string>([master]);
  let playlists = [master];
  for (let depth = 0; depth < MAX_DEPTH && playlists.length > 0; depth++) {
    const next: string[] = [];
    for (const playlist of playlists) {
      const text = await readPlaylist(realRoot, playlist);
      if (text === undefined || !text.startsWith('#EXTM3U')) continue;
      const folder = posix.dirname(playlist) === '.' ? '' : posix.dirname(playlist);
      for (const uri of playlistUris(text)) {
        const path = referencedPath(folder, uri);
        if (path === undefined || files.has(path)) continue;
        files.add(path);
        if (/\.m3u8?$/i.test(path)) next.push(path);
      }
    }
    playlists = next;
  }
  return files;
}
