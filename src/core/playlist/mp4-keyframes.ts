/**
 * Keyframes of a fragmented-MP4 segment as byte ranges, for I-frame playlists: each range runs from a
 * `moof` (Apple HLS Authoring Spec 6.10: an fMP4 I-frame segment includes its moof) to the end of the
 * video keyframe that starts its fragment, so it holds exactly one frame (RFC 8216 §4.3.3.6). Pure.
 */

export interface Mp4Track {
  trackId: number;
  /** mdhd timescale: units per second of the track's times. */
  timescale: number;
}

export interface Mp4Keyframe {
  /** Byte offset of the moof in the segment. */
  offset: number;
  /** From the moof's first byte to the keyframe's last. */
  length: number;
  /** Presentation time in the track's timescale. */
  pts: number;
}

interface Box {
  type: string;
  start: number;
  /** First byte of the content (after size, type and any largesize). */
  body: number;
  end: number;
}

function view(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

/** The boxes directly inside [from, to). */
function boxes(data: Uint8Array, from: number, to: number): Box[] {
  const dv = view(data);
  const found: Box[] = [];
  for (let at = from; at + 8 <= to; ) {
    let size = dv.getUint32(at);
    let body = at + 8;
    if (size === 1) {
      size = Number(dv.getBigUint64(at + 8));
      body += 8;
    } else if (size === 0) size = to - at;
    if (size < 8 || at + size > to) throw new Error(`MP4 box at byte ${at} runs past its parent`);
    found.push({ type: String.fromCharCode(...data.subarray(at + 4, at + 8)), start: at, body, end: at + size });
    at += size;
  }
  return found;
}

function child(data: Uint8Array, parent: Box, type: string): Box | undefined {
  return boxes(data, parent.body, parent.end).find((b) => b.type === type);
}

/** The video track of an init segment (moov/trak with a 'vide' handler): its id and timescale. */
export function mp4VideoTrack(init: Uint8Array): Mp4Track {
  const dv = view(init);
  const moov = boxes(init, 0, init.length).find((b) => b.type === 'moov');
  if (!moov) throw new Error('no moov box in the init segment');
  for (const trak of boxes(init, moov.body, moov.end).filter((b) => b.type === 'trak')) {
    const tkhd = child(init, trak, 'tkhd');
    const mdia = child(init, trak, 'mdia');
    const hdlr = mdia && child(init, mdia, 'hdlr');
    const mdhd = mdia && child(init, mdia, 'mdhd');
    if (!tkhd || !hdlr || !mdhd) continue;
    if (String.fromCharCode(...init.subarray(hdlr.body + 8, hdlr.body + 12)) !== 'vide') continue;
    const tkhdV1 = init[tkhd.body] === 1;
    const mdhdV1 = init[mdhd.body] === 1;
    return {
      trackId: dv.getUint32(tkhd.body + (tkhdV1 ? 20 : 12)),
      timescale: dv.getUint32(mdhd.body + (mdhdV1 ? 20 : 12)),
    };
  }
  throw new Error('no video track in the init segment');
}

/** sample_is_non_sync_sample (ISO/IEC 14496-12 sample flags). */
function isSync(flags: number): boolean {
  return ((flags >>> 16) & 1) === 0;
}

/** The keyframe that starts each fragment of `segment` for `track`. */
export function mp4Keyframes(segment: Uint8Array, track: Mp4Track): Mp4Keyframe[] {
  const dv = view(segment);
  const keyframes: Mp4Keyframe[] = [];
  for (const moof of boxes(segment, 0, segment.length).filter((b) => b.type === 'moof')) {
    for (const traf of boxes(segment, moof.body, moof.end).filter((b) => b.type === 'traf')) {
      const tfhd = child(segment, traf, 'tfhd');
      if (!tfhd || dv.getUint32(tfhd.body + 4) !== track.trackId) continue;
      const tfhdFlags = dv.getUint32(tfhd.body) & 0xffffff;
      let p = tfhd.body + 8;
      let base = moof.start; // default-base-is-moof, or the first traf's implicit base
      if (tfhdFlags & 0x1) {
        base = Number(dv.getBigUint64(p));
        p += 8;
      }
      if (tfhdFlags & 0x2) p += 4;
      let defaultSize = 0;
      let defaultFlags: number | undefined;
      if (tfhdFlags & 0x8) p += 4; // default sample duration
      if (tfhdFlags & 0x10) (defaultSize = dv.getUint32(p)), (p += 4);
      if (tfhdFlags & 0x20) defaultFlags = dv.getUint32(p);
      const tfdt = child(segment, traf, 'tfdt');
      const decodeTime = tfdt ? (segment[tfdt.body] === 1 ? Number(dv.getBigUint64(tfdt.body + 4)) : dv.getUint32(tfdt.body + 4)) : 0;
      const trun = child(segment, traf, 'trun');
      if (!trun) continue;
      const trunFlags = dv.getUint32(trun.body) & 0xffffff;
      const signedCto = segment[trun.body] === 1;
      const count = dv.getUint32(trun.body + 4);
      if (count === 0) continue;
      let q = trun.body + 8;
      let dataOffset = 0;
      if (trunFlags & 0x1) (dataOffset = dv.getInt32(q)), (q += 4);
      let firstFlags: number | undefined;
      if (trunFlags & 0x4) (firstFlags = dv.getUint32(q)), (q += 4);
      // Only the fragment's first sample: a later keyframe's range from the moof would hold earlier frames.
      if (trunFlags & 0x100) q += 4; // sample duration
      const size = trunFlags & 0x200 ? dv.getUint32(q) : defaultSize;
      if (trunFlags & 0x200) q += 4;
      const sampleFlags = trunFlags & 0x400 ? dv.getUint32(q) : (firstFlags ?? defaultFlags);
      if (trunFlags & 0x400) q += 4;
      const cto = trunFlags & 0x800 ? (signedCto ? dv.getInt32(q) : dv.getUint32(q)) : 0;
      // No flags at all: HLS fragments start with a keyframe (RFC 8216 §6.2.4 independent segments).
      if (sampleFlags !== undefined && !isSync(sampleFlags)) continue;
      const end = base + dataOffset + size;
      if (size === 0 || end > segment.length) throw new Error(`fragment at byte ${moof.start}: keyframe data runs past the segment`);
      keyframes.push({ offset: moof.start, length: end - moof.start, pts: decodeTime + cto });
    }
  }
  return keyframes;
}
