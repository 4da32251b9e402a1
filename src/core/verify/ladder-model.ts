/** A ladder as verify has read it: the master, each media playlist, each segment and what ffprobe saw. */
import type { MasterPlaylist, MediaPlaylist } from './playlist-model.js';
import type { SegmentProbe } from './segment-probe.js';

export type PlaylistRole = 'variant' | 'audio' | 'subtitles' | 'video' | 'iframe';

export interface LoadedSegment {
  /** Segment URI relative to the ladder (with `#n` for the n-th byte range of one file). */
  name: string;
  index: number;
  /** EXTINF, seconds. */
  extinf: number;
  /** Bytes of the segment (its byte range when it has one). */
  bytes: number;
  /** ffprobe's view; undefined for WebVTT or when it could not be read. */
  probe: SegmentProbe | undefined;
  /** WebVTT text (subtitle segments). */
  text: string | undefined;
  /** Top-level ISO BMFF boxes of the segment's own bytes (fMP4), e.g. ['moof', 'mdat']. */
  boxes: string[] | undefined;
  /** Why it could not be read (outside the ladder, missing, too large). */
  readError: string | undefined;
}

export interface LoadedPlaylist {
  /** Reader key. */
  key: string;
  /** Playlist path relative to the ladder, for evidence. */
  name: string;
  role: PlaylistRole;
  playlist: MediaPlaylist | undefined;
  /** Why the playlist itself could not be read. */
  readError: string | undefined;
  segments: LoadedSegment[];
  /** `avc1.PPCCLL` from the SPS (TS) or avcC (fMP4 init segment), when H.264. */
  avcCodec: string | undefined;
}

export interface Ladder {
  location: string;
  master: MasterPlaylist;
  /** Media playlists by reader key (each read once even when several variants share it). */
  playlists: Map<string, LoadedPlaylist>;
  /** Reader key of each variant's media playlist, in master order (undefined: the URI was refused). */
  variantKeys: (string | undefined)[];
  /** Reader key of each EXT-X-MEDIA's playlist, in master order. */
  renditionKeys: (string | undefined)[];
  /** Reader key of each I-frame playlist, in master order. */
  iFrameKeys: (string | undefined)[];
  /** URIs refused or unreadable, with where they were named. */
  resourceProblems: string[];
  /** Verify's own limits reached (playlists, segments, bytes per run): what was left unread. */
  limitProblems: string[];
  /** Encryption in use (EXT-X-KEY / EXT-X-SESSION-KEY with a METHOD other than NONE): not checked. */
  keyProblems: string[];
  /** Media segments read, and decoded. */
  segments: { total: number; decoded: number };
  /** I-frame byte ranges read, and decoded. */
  iFrameRanges: { total: number; decoded: number };
}
