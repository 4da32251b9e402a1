/**
 * I-frame playlists (RFC 8216 §4.3.3.6, Apple HLS Authoring Spec 6.1/6.8): one EXT-X-BYTERANGE entry per
 * keyframe into the segments already written, each lasting until the next keyframe. Pure: text out.
 */

export interface IframeEntry {
  /** Segment URI, relative to the playlist. */
  uri: string;
  offset: number;
  length: number;
  /** Seconds to the next keyframe (or to the end for the last one). */
  duration: number;
}

export interface IframeMap {
  uri: string;
  /** Part of `uri` holding the initialization (TS: the PAT and PMT); absent for a whole init segment. */
  byterange?: { offset: number; length: number } | undefined;
}

/** Each keyframe's duration: the time to the next one, the last one's to `endSeconds`. */
export function iframeDurations(ptsSeconds: readonly number[], endSeconds: number): number[] {
  return ptsSeconds.map((t, i) => Math.max(0, (i + 1 < ptsSeconds.length ? ptsSeconds[i + 1]! : endSeconds) - t));
}

/** Presentation times in seconds from the first, from 90 kHz-style ticks that may wrap at 2^33 (MPEG-TS). */
export function ticksToSeconds(ticks: readonly number[], timescale: number, wrap = 2 ** 33): number[] {
  let offset = 0;
  const seconds: number[] = [];
  for (let i = 0; i < ticks.length; i++) {
    if (i > 0 && ticks[i]! + offset < ticks[i - 1]! + offset - wrap / 2) offset += wrap;
    seconds.push((ticks[i]! + offset - ticks[0]!) / timescale);
  }
  return seconds;
}

/** The playlist's EXT-X-VERSION: 4 for EXT-X-BYTERANGE and EXT-X-I-FRAMES-ONLY, 5 with EXT-X-MAP. */
export function iframePlaylistVersion(map: IframeMap | undefined): number {
  return map ? 5 : 4;
}

/** The I-frame playlist text. */
export function buildIframePlaylist(entries: readonly IframeEntry[], map?: IframeMap): string {
  // RFC 8216 §4.3.3.1: every EXTINF, rounded to the nearest integer, is at most the target duration.
  const target = Math.max(1, ...entries.map((e) => Math.round(e.duration)));
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${iframePlaylistVersion(map)}`,
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-I-FRAMES-ONLY',
  ];
  if (map) {
    const range = map.byterange ? `,BYTERANGE="${map.byterange.length}@${map.byterange.offset}"` : '';
    lines.push(`#EXT-X-MAP:URI="${map.uri}"${range}`);
  }
  for (const e of entries) lines.push(`#EXTINF:${e.duration.toFixed(6)},`, `#EXT-X-BYTERANGE:${e.length}@${e.offset}`, e.uri);
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
