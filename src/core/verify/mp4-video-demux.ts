/**
 * The video samples of a fragmented MP4 (ISO/IEC 14496-12) init segment followed by its media segment,
 * with times as ffmpeg's mov demuxer gives them, for a moov holding one AVC or HEVC track (ISO/IEC
 * 14496-15); anything else is left to ffprobe. Pure.
 */
import type { DemuxedVideo } from './video-demux.js';
import { lengthPrefixedKey, type VideoCodec } from './nal-units.js';

const SAMPLE_ENTRIES: Record<string, VideoCodec> = { avc1: 'h264', avc3: 'h264', hvc1: 'hevc', hev1: 'hevc' };
/** Top-level boxes this reader understands; mfra (whose tfra times ffmpeg may prefer) and the rest are not. */
const TOP_LEVEL = new Set(['ftyp', 'styp', 'moov', 'moof', 'mdat', 'sidx', 'free', 'skip', 'emsg', 'prft']);
/** traf children that do not change sample times or data (senc/saiz/saio would mean encryption). */
const TRAF_CHILDREN = new Set(['tfhd', 'tfdt', 'trun', 'sbgp', 'sgpd', 'sdtp', 'subs']);

interface Box {
  type: string;
  start: number;
  body: number;
  end: number;
  /** The box runs past the end of the bytes (then `end` is that end). */
  cut: boolean;
}

/** The boxes directly inside [from, to); undefined when one runs past `to`, unless `cut` lets the last one (an I-frame range's mdat). */
function boxes(d: Uint8Array, v: DataView, from: number, to: number, cut = false): Box[] | undefined {
  const found: Box[] = [];
  for (let at = from; at < to; ) {
    if (at + 8 > to) return undefined;
    let size = v.getUint32(at);
    let body = at + 8;
    if (size === 1) {
      if (at + 16 > to) return undefined;
      size = Number(v.getBigUint64(at + 8));
      body += 8;
    } else if (size === 0) size = to - at;
    const type = String.fromCharCode(d[at + 4]!, d[at + 5]!, d[at + 6]!, d[at + 7]!);
    if (size < body - at || (at + size > to && !(cut && type === 'mdat'))) return undefined;
    found.push({ type, start: at, body, end: Math.min(at + size, to), cut: at + size > to });
    at += size;
  }
  return found;
}

/** Reads a full box's version-dependent field: 64 bits in version 1, else 32. */
function versioned(d: Uint8Array, v: DataView, box: Box, v0: number, v1: number): number {
  return d[box.body] === 1 ? Number(v.getBigUint64(box.body + v1)) : v.getUint32(box.body + v0);
}

interface Track {
  id: number;
  codec: VideoCodec;
  lengthSize: number;
  timescale: number;
  /** ffmpeg's time_offset from the edit list (mov_build_index), in the track timescale. */
  timeOffset: number;
  trex: { duration: number; size: number };
}

function one(list: Box[], type: string): Box | undefined {
  const matching = list.filter((b) => b.type === type);
  return matching.length === 1 ? matching[0] : undefined;
}

/** The single video track of a moov, or undefined. */
function readMoov(d: Uint8Array, v: DataView, moov: Box): Track | undefined {
  const inside = (box: Box | undefined, skip = 0): Box[] => (box && boxes(d, v, box.body + skip, box.end)) || [];
  const children = inside(moov);
  const mvhd = children.findIndex((b) => b.type === 'mvhd');
  const trak = children.findIndex((b) => b.type === 'trak');
  // mov_build_index runs when the trak ends: an mvhd after it would not yet be known.
  if (mvhd < 0 || mvhd > trak || children.filter((b) => b.type === 'trak').length !== 1) return undefined;
  const movieTimescale = versioned(d, v, children[mvhd]!, 12, 20);
  const trakChildren = inside(children[trak]);
  const tkhd = one(trakChildren, 'tkhd');
  const mdia = inside(one(trakChildren, 'mdia'));
  const mdhd = one(mdia, 'mdhd');
  const hdlr = one(mdia, 'hdlr');
  const stbl = inside(one(inside(one(mdia, 'minf')), 'stbl'));
  const stsd = one(stbl, 'stsd');
  if (!tkhd || !mdhd || !hdlr || !stsd || v.getUint32(stsd.body + 4) !== 1) return undefined;
  if (String.fromCharCode(...d.subarray(hdlr.body + 8, hdlr.body + 12)) !== 'vide') return undefined;
  // Samples in the moov itself (stts/stsz) would be reported before the fragments': not an init segment.
  const stts = one(stbl, 'stts');
  const stsz = one(stbl, 'stsz');
  if (!stts || v.getUint32(stts.body + 4) !== 0 || (stsz && v.getUint32(stsz.body + 8) !== 0)) return undefined;
  const entry = inside(stsd, 8)[0];
  const codec = entry && SAMPLE_ENTRIES[entry.type];
  if (!entry || !codec) return undefined;
  // VisualSampleEntry fields take 78 bytes before the child boxes (ISO/IEC 14496-12 §12.1.3).
  const config = one(inside(entry, 78), codec === 'h264' ? 'avcC' : 'hvcC');
  if (!config) return undefined;
  const lengthSize = (d[config.body + (codec === 'h264' ? 4 : 21)]! & 3) + 1;
  const id = v.getUint32(tkhd.body + (d[tkhd.body] === 1 ? 20 : 12));
  const timescale = versioned(d, v, mdhd, 12, 20);
  const trex = inside(one(children, 'mvex')).find((b) => b.type === 'trex' && v.getUint32(b.body + 4) === id);
  const timeOffset = editOffset(d, v, one(inside(one(trakChildren, 'edts')), 'elst'), timescale, movieTimescale);
  if (!trex || !timescale || timeOffset === undefined || lengthSize === 3) return undefined;
  return { id, codec, lengthSize, timescale, timeOffset, trex: { duration: v.getUint32(trex.body + 12), size: v.getUint32(trex.body + 16) } };
}

/** ffmpeg's time_offset: a first non-empty edit's media_time less a leading empty edit's duration (mov_build_index). */
function editOffset(d: Uint8Array, v: DataView, elst: Box | undefined, timescale: number, movieTimescale: number): number | undefined {
  if (!elst) return 0;
  const wide = d[elst.body] === 1;
  const size = wide ? 20 : 12;
  const count = v.getUint32(elst.body + 4);
  if (elst.body + 8 + count * size !== elst.end) return undefined;
  let empty = 0n;
  let start = 0n;
  let first = 0;
  for (let i = 0, p = elst.body + 8; i < count; i++, p += size) {
    const duration = wide ? v.getBigUint64(p) : BigInt(v.getUint32(p));
    const time = wide ? v.getBigInt64(p + 8) : BigInt(v.getInt32(p + 4));
    if (i === 0 && time === -1n) (empty = duration), (first = 1);
    else if (i === first && time >= 0n) start = time;
    else return undefined; // several edits: ffmpeg's advanced edit list handling, not followed here
  }
  if ((!empty && !start) || !movieTimescale) return 0;
  // av_rescale rounds to nearest, halves away from zero.
  const rescaled = (empty * BigInt(timescale) + BigInt(movieTimescale) / 2n) / BigInt(movieTimescale);
  return Number(start - rescaled);
}

/** The video packets of an fMP4 init + media segment, or undefined (see demuxVideoSegment). */
export function demuxMp4(d: Uint8Array): DemuxedVideo | undefined {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const top = boxes(d, v, 0, d.length, true);
  if (!top || top.some((b) => !TOP_LEVEL.has(b.type))) return undefined;
  const moovAt = top.findIndex((b) => b.type === 'moov');
  if (moovAt < 0 || top.filter((b) => b.type === 'moov').length !== 1 || top.slice(0, moovAt).some((b) => b.type === 'moof')) return undefined;
  const track = readMoov(d, v, top[moovAt]!);
  if (!track) return undefined;
  // Only an I-frame range ends inside its last box, an mdat: there the samples whose bytes are all here count.
  const cut = top.at(-1)?.cut === true;
  const samples: { dts: number; cto: number; key: boolean | undefined; offset: number; end: number }[] = [];
  const moofs = top.filter((b) => b.type === 'moof');
  let lastDts = -Infinity;
  for (const moof of moofs) {
    let implicitBase = moof.start;
    const trafs = boxes(d, v, moof.body, moof.end);
    if (!trafs) return undefined;
    for (const traf of trafs.filter((b) => b.type === 'traf')) {
      const children = boxes(d, v, traf.body, traf.end);
      if (!children || children.some((b) => !TRAF_CHILDREN.has(b.type))) return undefined;
      // ffmpeg reads them in order: a trun before its tfhd and tfdt would get other times.
      const [tfhd, tfdt] = children;
      if (tfhd?.type !== 'tfhd' || tfdt?.type !== 'tfdt' || v.getUint32(tfhd.body + 4) !== track.id) return undefined;
      const flags = v.getUint32(tfhd.body) & 0xffffff;
      let p = tfhd.body + 8;
      let base = flags & 0x20000 ? moof.start : implicitBase;
      if (flags & 0x1) (base = Number(v.getBigUint64(p))), (p += 8);
      if (flags & 0x2 && v.getUint32((p += 4) - 4) !== 1) return undefined; // sample_description_index
      const defaultDuration = flags & 0x8 ? v.getUint32((p += 4) - 4) : track.trex.duration;
      const defaultSize = flags & 0x10 ? v.getUint32((p += 4) - 4) : track.trex.size;
      let dts = versioned(d, v, tfdt, 4, 4) - track.timeOffset;
      if (dts < lastDts) return undefined;
      for (const trun of children.filter((b) => b.type === 'trun')) {
        const trunFlags = v.getUint32(trun.body) & 0xffffff;
        const count = v.getUint32(trun.body + 4);
        if ((trunFlags & 0x1) === 0) return undefined; // no data_offset: ffmpeg and the spec disagree on where data starts
        let q = trun.body + (trunFlags & 0x4 ? 16 : 12);
        let offset = base + v.getInt32(trun.body + 8);
        const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => trunFlags & f).length * 4;
        if (q + count * perSample > trun.end || count > d.length) return undefined;
        for (let i = 0; i < count; i++) {
          const duration = trunFlags & 0x100 ? v.getUint32((q += 4) - 4) : defaultDuration;
          const size = trunFlags & 0x200 ? v.getUint32((q += 4) - 4) : defaultSize;
          if (trunFlags & 0x400) q += 4;
          // ffmpeg reads the offset as signed in either version; a version 0 one past 2^31 would differ from the spec.
          const cto = trunFlags & 0x800 ? v.getInt32((q += 4) - 4) : 0;
          if ((cto < 0 && d[trun.body] === 0) || duration === 0) return undefined;
          const end = offset + size;
          const key = end <= d.length ? lengthPrefixedKey(d, offset, end, track.lengthSize, track.codec) : undefined;
          samples.push({ dts, cto, key, offset, end });
          dts += duration;
          offset = end;
        }
        lastDts = dts;
        implicitBase = offset;
      }
    }
  }
  // The first sample not all here ends an I-frame range (the last box, an mdat, is cut short); one partly
  // here ffmpeg would still report, cut short, and in a whole segment every sample must be here.
  const missing = samples.findIndex((s) => s.end > d.length);
  if (missing === 0 || (missing > 0 && (!cut || samples[missing]!.offset < d.length))) return undefined;
  const present = missing > 0 ? samples.slice(0, missing) : samples;
  // ffmpeg adds the largest negative composition offset read so far to each pts (dts_shift). Without a sidx
  // it parses every moof before the first packet; with one, moof by moof, where a later larger shift differs.
  const shift = samples.reduce((max, s) => Math.max(max, -s.cto), 0);
  if (shift > 0 && moofs.length > 1 && top.some((b) => b.type === 'sidx')) return undefined;
  if (present.length === 0 || present.some((s) => s.key === undefined)) return undefined;
  return { container: 'mov', codec: track.codec, packets: present.map((s) => ({ pts: (s.dts + shift + s.cto) / track.timescale, key: s.key! })) };
}
