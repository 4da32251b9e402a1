/**
 * Every URI a playlist names (RFC 8216): the URI lines (variant streams in a master playlist, segments
 * in a media playlist) and the URI attributes of tags (EXT-X-KEY, EXT-X-MAP, EXT-X-MEDIA,
 * EXT-X-I-FRAME-STREAM-INF, EXT-X-SESSION-KEY, EXT-X-SESSION-DATA, EXT-X-PART, EXT-X-PRELOAD-HINT,
 * EXT-X-RENDITION-REPORT, and any other tag carrying a URI). Pure.
 */

export interface PlaylistReference {
  uri: string;
  /** The tag that names it (`EXT-X-KEY`), or `line` for a URI line. */
  tag: string;
  /** Whether the URI names a playlist (variant streams, renditions, I-frame playlists, rendition reports). */
  playlist: boolean;
}

/** Tags whose URI attribute names another playlist rather than a media or key file. */
const PLAYLIST_TAGS = new Set(['EXT-X-MEDIA', 'EXT-X-I-FRAME-STREAM-INF', 'EXT-X-RENDITION-REPORT']);
/** Attribute names that hold a URI (§4.3; SERVER-URI of EXT-X-CONTENT-STEERING). */
const URI_ATTRIBUTES = new Set(['URI', 'SERVER-URI']);

/** Parses an attribute list (§4.2): NAME=value pairs, comma-separated, quoted strings may hold commas. */
export function parseAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /\s*([A-Z0-9-]+)=("[^"\r\n]*"|[^,]*)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
    const value = match[2]!;
    attributes.set(match[1]!, value.startsWith('"') ? value.slice(1, -1) : value.trim());
  }
  return attributes;
}

/** Every URI `text` names, in order. A master playlist is told apart from a media one by its tags. */
export function playlistReferences(text: string): PlaylistReference[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const isMaster = lines.some((line) => line.startsWith('#EXT-X-STREAM-INF'));
  const references: PlaylistReference[] = [];
  for (const line of lines) {
    if (line === '') continue;
    if (!line.startsWith('#')) {
      references.push({ uri: line, tag: 'line', playlist: isMaster });
      continue;
    }
    if (!line.startsWith('#EXT')) continue; // a comment
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const tag = line.slice(1, colon);
    for (const [name, value] of parseAttributes(line.slice(colon + 1))) {
      if (URI_ATTRIBUTES.has(name)) references.push({ uri: value, tag, playlist: PLAYLIST_TAGS.has(tag) });
    }
  }
  return references;
}
