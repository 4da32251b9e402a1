/** Typed playlists as verify reads them (RFC 8216 §4.3), with what their structure got wrong. */

export interface Resolution {
  width: number;
  height: number;
}

export interface ByteRange {
  length: number;
  offset: number;
}

/** One `#EXT-X-STREAM-INF` and its URI. */
export interface Variant {
  uri: string;
  bandwidth: number | undefined;
  averageBandwidth: number | undefined;
  codecs: string[] | undefined;
  resolution: Resolution | undefined;
  frameRate: number | undefined;
  videoRange: string | undefined;
  audio: string | undefined;
  subtitles: string | undefined;
}

/** One `#EXT-X-I-FRAME-STREAM-INF`. */
export interface IFrameVariant {
  uri: string | undefined;
  bandwidth: number | undefined;
  codecs: string[] | undefined;
  resolution: Resolution | undefined;
  videoRange: string | undefined;
}

/** One `#EXT-X-MEDIA`. */
export interface MediaRendition {
  type: string;
  groupId: string | undefined;
  name: string | undefined;
  language: string | undefined;
  uri: string | undefined;
  isDefault: boolean;
  channels: string | undefined;
}

/** One `#EXT-X-KEY` (media playlist) or `#EXT-X-SESSION-KEY` (master), as written. */
export interface KeyTag {
  method: string | undefined;
  uri: string | undefined;
  /** Line number, for evidence. */
  line: number;
}

export interface MasterPlaylist {
  kind: 'master';
  /** EXT-X-VERSION, 1 when absent. */
  version: number;
  independentSegments: boolean;
  variants: Variant[];
  iFrameVariants: IFrameVariant[];
  renditions: MediaRendition[];
  /** EXT-X-SESSION-KEY tags. */
  sessionKeys: KeyTag[];
  /** RFC 8216 §4 problems: tags, attribute types, required attributes. */
  structure: string[];
  /** Features used and the EXT-X-VERSION each needs (RFC 8216 §7). */
  versionNeeds: { version: number; feature: string }[];
}

export interface MediaSegment {
  uri: string;
  /** EXTINF, seconds. */
  duration: number;
  byteRange: ByteRange | undefined;
  discontinuity: boolean;
  /** The EXT-X-MAP in force for this segment. */
  map: { uri: string; byteRange: ByteRange | undefined } | undefined;
}

export interface MediaPlaylist {
  kind: 'media';
  version: number;
  targetDuration: number | undefined;
  playlistType: string | undefined;
  ended: boolean;
  iFramesOnly: boolean;
  independentSegments: boolean;
  segments: MediaSegment[];
  /** EXT-X-KEY tags, in order. */
  keys: KeyTag[];
  structure: string[];
  versionNeeds: { version: number; feature: string }[];
}
