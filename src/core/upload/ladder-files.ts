/**
 * The files of a ladder directory, checked before anything is uploaded: master.m3u8 at the root, every
 * playlist URI relative and inside the directory, every referenced file present. A crafted playlist
 * (absolute paths, `..`, URLs) or an incomplete ladder is an InputError.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { InputError } from '../../errors.js';
import { parseMediaPlaylist } from '../playlist/media-playlist.js';
import type { LocalFile } from './upload-plan.js';

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
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')) return undefined;
  const joined = posix.normalize(posix.join(fromFolder, uri.split('?')[0]!));
  return joined.startsWith('../') || joined === '..' ? undefined : joined;
}

/** Every playlist a master names: variant lines and URI="…" attributes (EXT-X-MEDIA, I-frame variants). */
export function masterUris(text: string): string[] {
  const uris: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) uris.push(line);
    else for (const match of line.matchAll(/\bURI="([^"]*)"/g)) uris.push(match[1]!);
  }
  return uris;
}

/** Lists and checks a ladder directory. */
export async function listLadderFiles(dir: string): Promise<LocalFile[]> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(`${dir}: no such directory`);
  const files = await walk(dir);
  const byPath = new Map(files.map((f) => [f.relativePath, f]));
  const master = byPath.get('master.m3u8');
  if (!master) throw new InputError(`${dir}: no master.m3u8, so not a finished ladder`);
  const problem = (what: string) => new InputError(`${dir}: ${what}`);
  const masterText = await readFile(master.absolutePath, 'utf8');
  if (!masterText.startsWith('#EXTM3U')) throw problem('master.m3u8 is not an M3U8 playlist');
  for (const uri of masterUris(masterText)) {
    const mediaPath = resolveUri('', uri);
    if (!mediaPath) throw problem(`master.m3u8 names "${uri}", which is not a relative path inside the ladder`);
    const media = byPath.get(mediaPath);
    if (!media) throw problem(`master.m3u8 names ${mediaPath}, which is missing`);
    let playlist;
    try {
      playlist = parseMediaPlaylist(await readFile(media.absolutePath, 'utf8'));
    } catch (error) {
      throw problem(`${mediaPath} is not a media playlist (${(error as Error).message})`);
    }
    const folder = posix.dirname(mediaPath) === '.' ? '' : posix.dirname(mediaPath);
    for (const ref of [...playlist.segments.map((s) => s.uri), ...(playlist.initUri ? [playlist.initUri] : [])]) {
      const segmentPath = resolveUri(folder, ref);
      if (!segmentPath) throw problem(`${mediaPath} names "${ref}", which is not a relative path inside the ladder`);
      if (!byPath.has(segmentPath)) throw problem(`${mediaPath} names ${segmentPath}, which is missing`);
    }
  }
  return files;
}
