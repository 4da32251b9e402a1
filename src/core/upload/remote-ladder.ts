/**
 * Is a ladder already complete in the bucket? master.m3u8 goes up last, so its presence means the rest
 * went up before it; this also reads every playlist it names and checks each named object exists.
 */
import { posix } from 'node:path';
import { parseMediaPlaylist } from '../playlist/media-playlist.js';
import { masterUris } from './ladder-files.js';
import { playlistReferences } from './playlist-references.js';
import type { ObjectStore } from './object-store.js';
import { objectKey, type S3Location } from './s3-location.js';

export async function isRemoteLadderComplete(store: ObjectStore, location: S3Location, signal: AbortSignal): Promise<boolean> {
  const master = await store.getText(objectKey(location, 'master.m3u8'), signal);
  if (master === undefined || !master.startsWith('#EXTM3U')) return false;
  for (const uri of masterUris(master)) {
    const text = await store.getText(objectKey(location, posix.normalize(uri)), signal);
    if (text === undefined) return false;
    let playlist;
    try {
      playlist = parseMediaPlaylist(text);
    } catch {
      return false;
    }
    if (!playlist.ended) return false;
    const folder = posix.dirname(uri);
    // Segments, init segments, keys: every file the playlist names.
    const names = playlistReferences(text).filter((r) => !r.playlist).map((r) => r.uri.split(/[?#]/)[0]!);
    for (const name of names) {
      if (!(await store.head(objectKey(location, posix.normalize(posix.join(folder, name))), signal))) return false;
    }
  }
  return true;
}
