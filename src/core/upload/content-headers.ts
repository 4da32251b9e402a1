/** Content-Type and Cache-Control per HLS file kind; both overridable. */

export type LadderFileKind = 'master' | 'media-playlist' | 'segment' | 'init-segment' | 'other';

export interface HeaderOverrides {
  /** Cache-Control for segments and init segments. */
  segmentCacheControl?: string | undefined;
  /** Cache-Control for playlists. */
  playlistCacheControl?: string | undefined;
  /** Content-Type by file extension (".ts" → "video/mp2t"), winning over the defaults. */
  contentTypes?: Readonly<Record<string, string>> | undefined;
}

// Segments never change once written (a new encode writes new names or is a new upload): cache them
// for a year. Playlists may be replaced by a re-run: keep them short.
export const DEFAULT_SEGMENT_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const DEFAULT_PLAYLIST_CACHE_CONTROL = 'public, max-age=60';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  // fMP4 media segments are served as video/mp4 like their init segment: what players and CDNs expect.
  '.m4s': 'video/mp4',
  '.mp4': 'video/mp4',
  '.aac': 'audio/aac',
  '.vtt': 'text/vtt',
  '.json': 'application/json',
};

export function extensionOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? path.slice(dot).toLowerCase() : '';
}

/** What role a file plays in a ladder, from its path relative to the ladder root. */
export function fileKind(relativePath: string): LadderFileKind {
  const ext = extensionOf(relativePath);
  if (ext === '.m3u8') return relativePath === 'master.m3u8' ? 'master' : 'media-playlist';
  if (ext === '.ts' || ext === '.m4s' || ext === '.aac') return 'segment';
  if (ext === '.mp4') return 'init-segment';
  return 'other';
}

export function contentHeaders(relativePath: string, overrides: HeaderOverrides = {}): { contentType: string; cacheControl: string } {
  const ext = extensionOf(relativePath);
  const contentType = overrides.contentTypes?.[ext] ?? CONTENT_TYPES[ext] ?? 'application/octet-stream';
  const kind = fileKind(relativePath);
  const cacheControl =
    kind === 'master' || kind === 'media-playlist'
      ? (overrides.playlistCacheControl ?? DEFAULT_PLAYLIST_CACHE_CONTROL)
      : (overrides.segmentCacheControl ?? DEFAULT_SEGMENT_CACHE_CONTROL);
  return { contentType, cacheControl };
}
