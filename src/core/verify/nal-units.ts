/**
 * What an access unit's NAL units say about it, read from Annex B byte streams (start codes, as in
 * MPEG-TS) or from length-prefixed samples (ISO/IEC 14496-15, as in MP4): whether it is an IDR/IRAP
 * picture, and how many access units the bytes hold. Pure.
 */

/** H.264 (ITU-T H.264) or HEVC (ITU-T H.265). */
export type VideoCodec = 'h264' | 'hevc';

/** The NAL units of one run of bytes that should be one access unit. */
interface NalSummary {
  key: boolean;
  /** Access unit delimiters (H.264 type 9, HEVC type 35). */
  delimiters: number;
  /** VCL NALs that start a picture (H.264 first_mb_in_slice 0, HEVC first_slice_segment_in_pic_flag). */
  pictures: number;
  /** A NAL this reader does not follow: data partitions, SVC/MVC, reserved VCL types, HEVC layers. */
  unsupported: boolean;
}

function emptySummary(): NalSummary {
  return { key: false, delimiters: 0, pictures: 0, unsupported: false };
}

/** Notes one NAL from its first three bytes (missing ones as 0). */
function note(s: NalSummary, codec: VideoCodec, b0: number, b1: number, b2: number): void {
  if (codec === 'h264') {
    const type = b0 & 0x1f;
    if (type === 9) s.delimiters++;
    else if (type === 1 || type === 5) {
      if (type === 5) s.key = true;
      // first_mb_in_slice is ue(v): 0 is the single bit 1 (ITU-T H.264 §7.3.3).
      if (b1 & 0x80) s.pictures++;
    } else if ((type >= 2 && type <= 4) || type === 14 || type === 15 || type === 20 || type === 21) s.unsupported = true;
    return;
  }
  const type = (b0 >> 1) & 0x3f;
  if (((b0 & 1) << 5) | (b1 >> 3)) s.unsupported = true; // nuh_layer_id > 0
  if (type === 35) s.delimiters++;
  else if (type <= 9 || (type >= 16 && type <= 21)) {
    if (type >= 16) s.key = true; // IRAP: BLA, IDR, CRA (ITU-T H.265 §7.4.2.2)
    if (b2 & 0x80) s.pictures++;
  } else if (type <= 31) s.unsupported = true;
}

/** The key flag of bytes holding exactly one access unit, or undefined when they hold none, several, or NALs not understood. */
function keyOfOne(s: NalSummary): boolean | undefined {
  return s.unsupported || s.delimiters > 1 || s.pictures !== 1 ? undefined : s.key;
}

/**
 * Finds Annex B start codes (00 00 01) in bytes pushed chunk by chunk (TS packet payloads), so a PES
 * needs no concatenating; start codes and NAL headers may straddle chunks.
 */
export class AnnexBScanner {
  private s = emptySummary();
  /** Zero bytes (up to 2) that ended the last chunk. */
  private zeros = 0;
  /** Header bytes seen of a NAL whose start code ended a chunk, -1 when none is pending. */
  private got = -1;
  private h0 = 0;
  private h1 = 0;

  constructor(private readonly codec: VideoCodec) {}

  push(d: Uint8Array, from: number, to: number): void {
    let i = from;
    // Byte by byte while a start code may straddle the chunk boundary or a NAL header is incomplete.
    while (i < to && (i < from + 2 || this.got >= 0)) this.step(d[i++]!);
    if (i >= to) return;
    while (i < to) {
      const b = d[i]!;
      // A byte above 1 cannot be any of the three bytes of a start code ending at i, i+1 or i+2.
      if (b > 1) i += 3;
      else if (b === 0) i++;
      else {
        if (d[i - 1] === 0 && d[i - 2] === 0) {
          if (i + 3 < to) note(this.s, this.codec, d[i + 1]!, d[i + 2]!, d[i + 3]!);
          else {
            this.got = 0;
            this.zeros = 0;
            for (i++; i < to; ) this.step(d[i++]!);
            return;
          }
        }
        i += 3;
      }
    }
    this.zeros = d[to - 1] === 0 ? (d[to - 2] === 0 ? 2 : 1) : 0;
  }

  /** The key flag of everything pushed since the last call, as one access unit (see keyOfOne); resets. */
  finish(): boolean | undefined {
    if (this.got > 0) note(this.s, this.codec, this.h0, this.got > 1 ? this.h1 : 0, 0);
    const key = keyOfOne(this.s);
    this.s = emptySummary();
    this.zeros = 0;
    this.got = -1;
    return key;
  }

  private step(b: number): void {
    if (this.got >= 0) {
      if (this.got === 0) this.h0 = b;
      else if (this.got === 1) this.h1 = b;
      if (++this.got === 3) {
        note(this.s, this.codec, this.h0, this.h1, b);
        this.got = -1;
      }
    }
    if (b === 1 && this.zeros >= 2) this.got = 0;
    this.zeros = b === 0 ? this.zeros + 1 : 0;
  }
}

/** The key flag of one MP4 sample [from, to) of NALs with `lengthSize`-byte lengths; undefined when it does not parse as one access unit. */
export function lengthPrefixedKey(d: Uint8Array, from: number, to: number, lengthSize: number, codec: VideoCodec): boolean | undefined {
  const s = emptySummary();
  for (let p = from; p < to; ) {
    if (p + lengthSize > to) return undefined;
    let length = 0;
    for (let k = 0; k < lengthSize; k++) length = length * 256 + d[p + k]!;
    p += lengthSize;
    if (length === 0 || p + length > to) return undefined;
    note(s, codec, d[p]!, length > 1 ? d[p + 1]! : 0, length > 2 ? d[p + 2]! : 0);
    p += length;
  }
  return keyOfOne(s);
}
