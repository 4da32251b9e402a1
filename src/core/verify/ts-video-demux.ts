/**
 * The video access units of an MPEG-TS segment (ISO/IEC 13818-1), read the way ffprobe reports them, for
 * segments with exactly one program holding exactly one H.264 or HEVC stream; anything else is left to
 * ffprobe. Pure.
 */
import type { DemuxedVideo } from './video-demux.js';
import { AnnexBScanner, type VideoCodec } from './nal-units.js';

const PACKET = 188;
const STREAM_TYPES: Record<number, VideoCodec> = { 0x1b: 'h264', 0x24: 'hevc' };
const NULL_PID = 0x1fff;
/** PIDs below this are PSI/SI (§2.4.3.3 Table 2-3: PAT, CAT, TSDT, and the DVB/ATSC tables such as the SDT). */
const FIRST_USER_PID = 0x20;
const WRAP = 2 ** 33;
/** libavformat puts its wrap reference 60 s before the first time stamp (update_wrap_reference). */
const WRAP_WINDOW = 60 * 90_000;

let crcTable: Uint32Array | undefined;

/** CRC_32 of §Annex A (polynomial 0x04C11DB7, MSB first); a section with its CRC appended sums to 0. */
function crc32(d: Uint8Array, from: number, to: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n << 24;
      for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = from; i < to; i++) crc = ((crc << 8) ^ crcTable[((crc >>> 24) ^ d[i]!) & 0xff]!) >>> 0;
  return crc;
}

/** The PSI section a unit-start payload carries, as [start, end), when it is whole in this packet, current and its CRC holds. */
function section(d: Uint8Array, payload: number, end: number, tableId: number): [number, number] | undefined {
  const s = payload + 1 + d[payload]!;
  if (s + 8 > end || d[s] !== tableId || (d[s + 1]! & 0x80) === 0) return undefined;
  const sectionEnd = s + 3 + (((d[s + 1]! & 0x0f) << 8) | d[s + 2]!);
  // current_next_indicator, and a single section (section_number = last_section_number = 0).
  if (sectionEnd > end || sectionEnd < s + 12 || (d[s + 5]! & 1) === 0 || d[s + 6] !== 0 || d[s + 7] !== 0) return undefined;
  return crc32(d, s, sectionEnd) === 0 ? [s, sectionEnd] : undefined;
}

/** 33-bit time stamp of §2.4.3.7 at `p`. */
function timestamp(d: Uint8Array, p: number): number {
  return ((d[p]! >> 1) & 0x07) * 2 ** 30 + ((d[p + 1]! << 22) | ((d[p + 2]! >> 1) << 15) | (d[p + 3]! << 7) | (d[p + 4]! >> 1));
}

interface OpenPes {
  pts: number;
  /** Payload bytes still to come for a PES with a PES_packet_length, -1 for an unbounded one. */
  left: number;
}

/** The video packets of an MPEG-TS segment, or undefined (see demuxVideoSegment). */
export function demuxTs(d: Uint8Array): DemuxedVideo | undefined {
  if (d.length === 0 || d.length % PACKET !== 0) return undefined;
  let program = -1;
  let pmtPid = -1;
  let videoPid = -1;
  let codec: VideoCodec | undefined;
  let scanner: AnnexBScanner | undefined;
  let pes: OpenPes | undefined;
  let wrapReference = -1;
  const packets: DemuxedVideo['packets'] = [];
  const close = (): boolean => {
    const key = scanner!.finish();
    if (key === undefined || pes!.left > 0) return false; // not one access unit, or a PES cut short
    packets.push({ pts: pes!.pts / 90_000, key });
    return true;
  };
  for (let at = 0; at < d.length; at += PACKET) {
    const b1 = d[at + 1]!;
    const b3 = d[at + 3]!;
    // transport_error_indicator and transport_scrambling_control: ffmpeg keeps such packets, marked corrupt or unreadable.
    if (d[at] !== 0x47 || b1 & 0x80 || b3 & 0xc0) return undefined;
    const pid = ((b1 & 0x1f) << 8) | d[at + 2]!;
    const control = (b3 >> 4) & 3;
    if (control === 0) return undefined;
    const end = at + PACKET;
    let payload = control & 2 ? at + 5 + d[at + 4]! : at + 4;
    if (payload > end) return undefined;
    if ((control & 1) === 0) payload = end;
    const unitStart = (b1 & 0x40) !== 0;
    if (pid === 0 || pid === pmtPid) {
      if (!unitStart || payload === end) continue;
      if (pid === 0) {
        const pat = section(d, payload, end, 0x00);
        if (!pat) return undefined;
        let entry = -1;
        for (let i = pat[0] + 8; i + 4 <= pat[1] - 4; i += 4) {
          if (((d[i]! << 8) | d[i + 1]!) === 0) continue; // the network_PID
          if (entry >= 0) return undefined; // more than one program
          entry = i;
        }
        if (entry < 0) return undefined;
        const number = (d[entry]! << 8) | d[entry + 1]!;
        const map = ((d[entry + 2]! & 0x1f) << 8) | d[entry + 3]!;
        if (map < 0x10 || map === NULL_PID || (program >= 0 && (number !== program || map !== pmtPid))) return undefined;
        program = number;
        pmtPid = map;
      } else {
        const pmt = section(d, payload, end, 0x02);
        if (!pmt || ((d[pmt[0] + 3]! << 8) | d[pmt[0] + 4]!) !== program) return undefined;
        const first = pmt[0] + 12 + (((d[pmt[0] + 10]! & 0x0f) << 8) | d[pmt[0] + 11]!);
        const last = pmt[1] - 4;
        // Exactly one elementary stream: ES_info_length must take the loop exactly to the CRC.
        if (first + 5 > last || first + 5 + (((d[first + 3]! & 0x0f) << 8) | d[first + 4]!) !== last) return undefined;
        const pesPid = ((d[first + 1]! & 0x1f) << 8) | d[first + 2]!;
        const type = STREAM_TYPES[d[first]!];
        if (!type || pesPid < 0x10 || pesPid === pmtPid || pesPid === NULL_PID) return undefined;
        if (videoPid >= 0 && (pesPid !== videoPid || type !== codec)) return undefined;
        scanner ??= new AnnexBScanner(type);
        videoPid = pesPid;
        codec = type;
      }
      continue;
    }
    if (pid !== videoPid) {
      // Before the PMT nothing says what a PID carries, and ffmpeg would drop it: not a segment this reads.
      if (videoPid < 0 && pid >= FIRST_USER_PID && pid !== NULL_PID) return undefined;
      continue;
    }
    if (unitStart) {
      if (pes && !close()) return undefined;
      // PES header (§2.4.3.7), whole in this packet: start code, a video stream_id, '10', no scrambling, a PTS.
      const p = payload;
      if (p + 9 > end || d[p] !== 0 || d[p + 1] !== 0 || d[p + 2] !== 1 || (d[p + 3]! & 0xf0) !== 0xe0) return undefined;
      const flags = d[p + 7]! >> 6;
      const headerLength = d[p + 8]!;
      if ((d[p + 6]! & 0xf0) !== 0x80 || flags < 2 || headerLength < (flags === 3 ? 10 : 5) || p + 9 + headerLength > end) return undefined;
      const pts = timestamp(d, p + 9);
      const reference = flags === 3 ? timestamp(d, p + 14) : pts;
      if (wrapReference < 0) {
        // ffmpeg would shift time stamps this close to the wrap by -2^33.
        if (reference >= WRAP - WRAP_WINDOW) return undefined;
        wrapReference = reference;
      }
      // ffmpeg would add 2^33 to one this far before the reference: the PTS wrapped inside the segment.
      if (pts < wrapReference - WRAP_WINDOW) return undefined;
      const length = (d[p + 4]! << 8) | d[p + 5]!;
      const left = length === 0 ? -1 : length - 3 - headerLength;
      if (length !== 0 && left < 0) return undefined;
      pes = { pts, left };
      payload = p + 9 + headerLength;
    } else if (!pes) return undefined; // the tail of a PES that began before these bytes
    if (pes.left >= 0) {
      if (end - payload > pes.left) return undefined;
      pes.left -= end - payload;
    }
    scanner!.push(d, payload, end);
  }
  if (pes && !close()) return undefined;
  return packets.length > 0 && codec ? { container: 'mpegts', codec, packets } : undefined;
}
