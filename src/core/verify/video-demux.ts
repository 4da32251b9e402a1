/**
 * A segment's video packets read in-process for `verify`, as ffprobe would list them, for the segments
 * hlsify writes: MPEG-TS with one H.264/HEVC stream and nothing else, or fragmented MP4 with one AVC/HEVC
 * track. Anything this does not fully understand gives undefined, and the caller asks ffprobe. Pure.
 */
import { demuxMp4 } from './mp4-video-demux.js';
import { demuxTs } from './ts-video-demux.js';

/** A segment's video stream as ffprobe would list its packets. */
export interface DemuxedVideo {
  container: 'mpegts' | 'mov';
  codec: 'h264' | 'hevc';
  /** Video access units in decode order: presentation time in seconds (exactly as ffprobe's packet pts_time would report it), and whether the access unit is an IDR (H.264: holds a NAL of type 5; HEVC: an IRAP NAL, types 16–21). */
  packets: { pts: number; key: boolean }[];
}

/** The video packets of one HLS media segment, or undefined when the bytes are not a segment this reader fully understands (the caller then uses ffprobe). Never throws. */
export function demuxVideoSegment(bytes: Uint8Array): DemuxedVideo | undefined {
  try {
    if (bytes[0] === 0x47) return demuxTs(bytes);
    if (bytes.length >= 8) return demuxMp4(bytes);
    return undefined;
  } catch {
    // A reader bug or a field past the end of the bytes (DataView throws): not a segment this understands.
    return undefined;
  }
}
