/**
 * CODECS attribute values read from the encoded stream itself: `avc1.PPCCLL` from the H.264 SPS
 * (profile_idc, constraint flags, level_idc), found in an MPEG-TS segment's Annex B stream or in an
 * fMP4 init segment's avcC box.
 */

function avc1(profile: number, constraints: number, level: number): string {
  return `avc1.${[profile, constraints, level].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/** Finds the first SPS NAL unit (type 7) after an Annex B start code in TS payload bytes. */
export function avcCodecFromAnnexB(data: Uint8Array): string | undefined {
  // Searching the raw TS packets works because the SPS sits whole in the first PES packet of a keyframe,
  // right after the access unit delimiter, well inside the first 188-byte packet's payload.
  for (let i = 0; i + 6 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1 && (data[i + 3]! & 0x1f) === 7) {
      return avc1(data[i + 4]!, data[i + 5]!, data[i + 6]!);
    }
  }
  return undefined;
}

/** Reads avcC (configurationVersion, profile, compatibility, level) from an fMP4 init segment. */
export function avcCodecFromInitSegment(data: Uint8Array): string | undefined {
  for (let i = 0; i + 7 < data.length; i++) {
    // 'avcC'
    if (data[i] === 0x61 && data[i + 1] === 0x76 && data[i + 2] === 0x63 && data[i + 3] === 0x43 && data[i + 4] === 1) {
      return avc1(data[i + 5]!, data[i + 6]!, data[i + 7]!);
    }
  }
  return undefined;
}

/** AAC-LC, which is what hlsify encodes. */
export const AAC_LC = 'mp4a.40.2';
