/** Reads the media playlists ffmpeg wrote (our own output, not user input): segments and their durations. */

export interface MediaPlaylist {
  /** #EXT-X-VERSION (1 when absent). */
  version: number;
  targetDuration: number;
  segments: { uri: string; duration: number }[];
  /** `#EXT-X-MAP` URI for fMP4. */
  initUri: string | undefined;
  ended: boolean;
}

/** Parses a media playlist's text. */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an M3U8 playlist (no #EXTM3U)');
  let targetDuration = 0;
  let version = 1;
  let pendingDuration: number | undefined;
  let initUri: string | undefined;
  let ended = false;
  const segments: MediaPlaylist['segments'] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line.startsWith('#EXT-X-VERSION:')) version = Number(line.slice(15)) || 1;
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXTINF:')) pendingDuration = Number.parseFloat(line.slice(8));
    else if (line.startsWith('#EXT-X-MAP:')) initUri = /URI="([^"]+)"/.exec(line)?.[1];
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (!line.startsWith('#')) {
      if (pendingDuration === undefined || !Number.isFinite(pendingDuration)) throw new Error(`segment ${line} has no #EXTINF duration`);
      segments.push({ uri: line, duration: pendingDuration });
      pendingDuration = undefined;
    }
  }
  return { version, targetDuration, segments, initUri, ended };
}

/** RFC 8216 §4.3.3.1: the target duration is at least every EXTINF rounded to the nearest integer. */
export function targetDurationFor(durations: readonly number[]): number {
  return Math.max(1, ...durations.map((d) => Math.floor(d + 0.5)));
}

/**
 * The playlist text with #EXT-X-TARGETDURATION computed from its real EXTINFs. ffmpeg rounds half to even
 * and tracks its own estimate, so a 4.5 s or edit-list-stretched segment could exceed its target.
 */
export function withTargetDuration(text: string): string {
  const target = targetDurationFor(parseMediaPlaylist(text).segments.map((s) => s.duration));
  return text.replace(/^#EXT-X-TARGETDURATION:.*$/m, `#EXT-X-TARGETDURATION:${target}`);
}

/**
 * A VOD media playlist for segments written in pieces (a chunked encode), in the form ffmpeg's HLS muxer
 * writes: version, target from the real EXTINFs, independent segments, the segments, ENDLIST.
 */
export function buildMediaPlaylist(segments: readonly { uri: string; duration: number }[], options: { version: number; initUri?: string | undefined }): string {
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${options.version}`,
    `#EXT-X-TARGETDURATION:${targetDurationFor(segments.map((s) => s.duration))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...(options.initUri ? [`#EXT-X-MAP:URI="${options.initUri}"`] : []),
  ];
  for (const segment of segments) lines.push(`#EXTINF:${segment.duration.toFixed(6)},`, segment.uri);
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
