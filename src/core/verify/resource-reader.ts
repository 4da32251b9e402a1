/**
 * How verify reads a ladder: the master playlist and every URI it leads to, either from a local directory
 * (nothing outside it) or over HTTP(S) (nothing off the master's origin). Untrusted input: every read
 * has a size limit, and a URI that leaves the ladder is refused, never followed.
 */

/**
 * What one verify run may cost, whatever the ladder says: none of these is ever raised by a number in a
 * playlist (a byte range's offset, a segment count). A limit reached is a failing finding naming it.
 */
export interface ResourceLimits {
  /** Largest playlist read, bytes (after any Content-Encoding is undone). */
  maxPlaylistBytes: number;
  /** Largest segment (or byte range) read, bytes. */
  maxSegmentBytes: number;
  /** Longest single HTTP request, headers and body together, ms. */
  requestTimeoutMs: number;
  /** Longest whole run (reading, probing, checking), ms; past it verify stops with a TimeoutError. */
  runTimeoutMs: number;
  /** Most media playlists read per run. */
  maxPlaylists: number;
  /** Most segments (and I-frame ranges) read per run. */
  maxSegments: number;
  /** Most bytes read per run, playlists and segments together. */
  maxTotalBytes: number;
  /** Media playlists read at once. */
  playlistConcurrency: number;
}

export const DEFAULT_LIMITS: ResourceLimits = {
  maxPlaylistBytes: 4 * 1024 * 1024,
  maxSegmentBytes: 256 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  runTimeoutMs: 60 * 60_000,
  maxPlaylists: 100,
  maxSegments: 50_000,
  maxTotalBytes: 16 * 1024 * 1024 * 1024,
  playlistConcurrency: 4,
};

/** A URI that is refused, missing or too large: a finding about the ladder, not a crash. */
export class ResourceError extends Error {
  constructor(
    message: string,
    readonly reason: 'outside' | 'missing' | 'too-large' | 'unreadable',
  ) {
    super(message);
    this.name = 'ResourceError';
  }
}

export interface ResourceReader {
  /** The master playlist's key. */
  readonly master: string;
  /** Where the ladder is, for messages: a directory or an origin. */
  readonly root: string;
  /** The key of `uri` as written in the playlist at `base`; throws ResourceError when it leaves the ladder. */
  resolve(base: string, uri: string): string;
  /** Bytes of `key` (or of `range` of it), at most `maxBytes`. */
  read(key: string, options: { maxBytes: number; range?: { offset: number; length: number } | undefined; signal?: AbortSignal | undefined }): Promise<Uint8Array>;
  /** `key` as the user should read it in evidence: relative to the ladder. */
  describe(key: string): string;
}

/** URIs with a scheme (`http:`, `file:`, `data:`) or starting with `/` are not relative references. */
export function isRelativeReference(uri: string): boolean {
  return !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri) && !uri.startsWith('/') && !uri.startsWith('\\');
}
