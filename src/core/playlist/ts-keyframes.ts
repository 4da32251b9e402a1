/**
 * Keyframes of an MPEG-TS segment as byte ranges, for I-frame playlists (RFC 8216 §4.3.3.6): walks the
 * 188-byte packets, finds the video PID from the PAT and PMT, and for each video PES that starts a random
 * access point (adaptation field random_access_indicator) gives the range from that packet, or from the
 * PAT/PMT packets right before it, to the start of the next video PES. Pure: bytes in, ranges out.
 */

const PACKET = 188;
/** Stream types of the video PID: H.264 and HEVC. */
const VIDEO_STREAM_TYPES = new Set([0x1b, 0x24]);
/** Service Description Table, which ffmpeg writes before PAT and PMT. */
const SDT_PID = 0x11;

export interface TsKeyframe {
  /** Byte offset of the range in the segment. */
  offset: number;
  length: number;
  /** Presentation time stamp, 90 kHz units. */
  pts: number;
  /** The range starts with the PAT and PMT, so a decoder needs nothing else. */
  selfContained: boolean;
}

export interface TsKeyframes {
  keyframes: TsKeyframe[];
  /** Length of the PAT/PMT (and SDT) packets the segment begins with: an EXT-X-MAP for ranges without them. */
  headerLength: number;
}

interface Packet {
  pid: number;
  unitStart: boolean;
  randomAccess: boolean;
  /** Offset of the payload inside the packet. */
  payload: number;
}

function readPacket(data: Uint8Array, at: number): Packet {
  if (data[at] !== 0x47) throw new Error(`not an MPEG-TS packet at byte ${at} (no 0x47 sync byte)`);
  const adaptation = (data[at + 3]! >> 4) & 0x3;
  const hasAdaptation = (adaptation & 0x2) !== 0;
  const adaptationLength = hasAdaptation ? data[at + 4]! : 0;
  return {
    pid: ((data[at + 1]! & 0x1f) << 8) | data[at + 2]!,
    unitStart: (data[at + 1]! & 0x40) !== 0,
    randomAccess: hasAdaptation && adaptationLength > 0 && (data[at + 5]! & 0x40) !== 0,
    payload: 4 + (hasAdaptation ? 1 + adaptationLength : 0),
  };
}

/** The PSI section a unit-start packet carries (after its pointer field). */
function section(data: Uint8Array, at: number, packet: Packet): Uint8Array {
  const start = at + packet.payload + 1 + data[at + packet.payload]!;
  const length = ((data[start + 1]! & 0x0f) << 8) | data[start + 2]!;
  return data.subarray(start, Math.min(start + 3 + length, at + PACKET));
}

/** PAT → the PID of the first program's PMT. */
function pmtPidFromPat(pat: Uint8Array): number | undefined {
  for (let i = 8; i + 4 <= pat.length - 4; i += 4) {
    const program = (pat[i]! << 8) | pat[i + 1]!;
    if (program !== 0) return ((pat[i + 2]! & 0x1f) << 8) | pat[i + 3]!;
  }
  return undefined;
}

/** PMT → the PID of its first H.264/HEVC stream. */
function videoPidFromPmt(pmt: Uint8Array): number | undefined {
  const programInfoLength = ((pmt[10]! & 0x0f) << 8) | pmt[11]!;
  for (let i = 12 + programInfoLength; i + 5 <= pmt.length - 4; ) {
    const pid = ((pmt[i + 1]! & 0x1f) << 8) | pmt[i + 2]!;
    if (VIDEO_STREAM_TYPES.has(pmt[i]!)) return pid;
    i += 5 + (((pmt[i + 3]! & 0x0f) << 8) | pmt[i + 4]!);
  }
  return undefined;
}

/** PTS of the PES header at `start` (33 bits, 90 kHz), or undefined when it has none. */
function pesPts(data: Uint8Array, start: number): number | undefined {
  if (data[start] !== 0 || data[start + 1] !== 0 || data[start + 2] !== 1) return undefined;
  if ((data[start + 7]! & 0x80) === 0) return undefined;
  const p = start + 9;
  return (
    ((data[p]! >> 1) & 0x07) * 2 ** 30 +
    ((data[p + 1]! << 22) | ((data[p + 2]! >> 1) << 15) | (data[p + 3]! << 7) | (data[p + 4]! >> 1))
  );
}

/** The keyframe ranges of one TS segment. */
export function tsKeyframes(data: Uint8Array): TsKeyframes {
  if (data.length % PACKET !== 0) throw new Error(`MPEG-TS data of ${data.length} bytes is not a whole number of 188-byte packets`);
  let pmtPid: number | undefined;
  let videoPid: number | undefined;
  let headerLength = 0;
  let headerDone = false;
  const packets: Packet[] = [];
  const keyframes: TsKeyframe[] = [];
  let open: { index: number; offset: number; pts: number; selfContained: boolean } | undefined;
  for (let at = 0, index = 0; at < data.length; at += PACKET, index++) {
    const packet = readPacket(data, at);
    packets.push(packet);
    const psi = packet.pid === 0 || packet.pid === pmtPid || packet.pid === SDT_PID;
    if (!headerDone && psi) headerLength = at + PACKET;
    else headerDone = true;
    if (packet.pid === 0 && packet.unitStart) pmtPid = pmtPidFromPat(section(data, at, packet)) ?? pmtPid;
    else if (packet.pid === pmtPid && packet.unitStart) videoPid = videoPidFromPmt(section(data, at, packet)) ?? videoPid;
    else if (packet.pid === videoPid && packet.unitStart) {
      if (open) {
        keyframes.push({ offset: open.offset, length: at - open.offset, pts: open.pts, selfContained: open.selfContained });
        open = undefined;
      }
      const pts = pesPts(data, at + packet.payload);
      if (packet.randomAccess && pts !== undefined) {
        // Start with the PAT/PMT run right before the keyframe (ffmpeg repeats them there), so the range
        // decodes on its own.
        let first = index;
        const seen = new Set<number>();
        while (first > 0 && [0, pmtPid, SDT_PID].includes(packets[first - 1]!.pid)) seen.add(packets[--first]!.pid);
        open = { index, offset: first * PACKET, pts, selfContained: seen.has(0) && seen.has(pmtPid!) };
      }
    }
  }
  if (open) keyframes.push({ offset: open.offset, length: data.length - open.offset, pts: open.pts, selfContained: open.selfContained });
  if (videoPid === undefined) throw new Error('no H.264 or HEVC stream in the MPEG-TS program map');
  return { keyframes, headerLength };
}
