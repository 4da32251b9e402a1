/**
 * Apple 9.1, 9.2, 9.15 (CODECS, RESOLUTION, FRAME-RATE present and true to the bitstream), 1.19 (≤ 60 fps),
 * 1.14 (progressive), 1.24 (an SDR variant) and 9.16 (VIDEO-RANGE when HDR).
 */
import { formatFrameRate } from '../playlist/master-playlist.js';
import { codecFamily, codecMatches, codecString, isTextCodec } from './codec-strings.js';
import type { Ladder, LoadedPlaylist } from './ladder-model.js';
import { groupPlaylists, loadedVariants, measuredFrameRate, videoStream } from './measure.js';
import { judge, type RuleResult } from './report.js';

const HDR_TRANSFERS: Record<string, string> = { smpte2084: 'PQ', 'arib-std-b67': 'HLG' };

/** The CODECS values of every stream the variant plays: its own segments and its audio group. */
function measuredCodecs(ladder: Ladder, playlist: LoadedPlaylist, audioGroup: string | undefined): string[] {
  const codecs = new Set<string>();
  const add = (p: LoadedPlaylist) => {
    const probe = p.segments.find((s) => s.probe && s.probe.streams.length > 0)?.probe;
    for (const stream of probe?.streams ?? []) if (stream.type === 'video' || stream.type === 'audio') codecs.add(codecString(stream, p.avcCodec));
  };
  add(playlist);
  for (const r of groupPlaylists(ladder, 'AUDIO', audioGroup)) if (r.playlist) add(r.playlist);
  return [...codecs];
}

export function streamAttributeRules(ladder: Ladder): RuleResult[] {
  const codecs: string[] = [];
  const codecsOk: string[] = [];
  const resolution: string[] = [];
  const resolutionOk: string[] = [];
  const frameRate: string[] = [];
  const frameRateOk: string[] = [];
  const above60: string[] = [];
  const interlaced: string[] = [];
  const range: string[] = [];
  let sdrVariants = 0;
  let videoVariants = 0;
  let hdrOrDeclared = false;

  for (const { variant, playlist } of loadedVariants(ladder)) {
    if (!playlist?.playlist) continue;
    const stream = videoStream(playlist);

    // 9.1 CODECS
    const measured = measuredCodecs(ladder, playlist, variant.audio);
    if (!variant.codecs) codecs.push(`${variant.uri}: no CODECS (bitstream: ${measured.join(',') || 'nothing'})`);
    else {
      const declared = variant.codecs.filter((c) => !isTextCodec(c));
      const missing = measured.filter((m) => !declared.some((d) => codecMatches(d, m)));
      const extra = declared.filter((d) => !measured.some((m) => codecFamily(m) === codecFamily(d)));
      if (missing.length > 0 || extra.length > 0) codecs.push(`${variant.uri}: CODECS "${variant.codecs.join(',')}", bitstream ${measured.join(',')}`);
      else codecsOk.push(`${variant.uri}: CODECS "${variant.codecs.join(',')}" = bitstream`);
    }

    if (!stream) continue;
    videoVariants++;
    // 9.2 RESOLUTION: every probed segment's frame size.
    const sizes = new Set<string>();
    for (const s of playlist.segments) {
      for (const st of s.probe?.streams ?? []) if (st.type === 'video' && st.width && st.height) sizes.add(`${st.width}x${st.height}`);
      for (const f of s.probe?.videoFrames ?? []) if (f.width && f.height) sizes.add(`${f.width}x${f.height}`);
    }
    const declaredSize = variant.resolution ? `${variant.resolution.width}x${variant.resolution.height}` : undefined;
    if (!declaredSize) resolution.push(`${variant.uri}: no RESOLUTION (frames are ${[...sizes].join(', ')})`);
    else if (sizes.size !== 1 || !sizes.has(declaredSize)) resolution.push(`${variant.uri}: RESOLUTION ${declaredSize}, frames are ${[...sizes].join(', ')}`);
    else resolutionOk.push(`${variant.uri}: ${declaredSize}`);

    // 9.15 FRAME-RATE and 1.19
    const fps = measuredFrameRate(playlist);
    if (variant.frameRate === undefined) frameRate.push(`${variant.uri}: no FRAME-RATE (measured ${fps ? formatFrameRate(fps) : 'unknown'})`);
    else if (fps !== undefined && Math.abs(variant.frameRate - fps) > fps * 0.01) frameRate.push(`${variant.uri}: FRAME-RATE ${variant.frameRate}, measured ${formatFrameRate(fps)}`);
    else frameRateOk.push(`${variant.uri}: FRAME-RATE ${variant.frameRate}, measured ${fps ? formatFrameRate(fps) : 'unknown'}`);
    if (fps !== undefined && fps > 60.01) above60.push(`${variant.uri}: ${formatFrameRate(fps)} fps`);

    // 1.14: decoded frames flagged interlaced, or a stream whose field order is not progressive.
    const interlacedFrames = playlist.segments.filter((s) => s.probe?.videoFrames?.some((f) => f.interlaced)).map((s) => s.name);
    const fieldOrder = stream.fieldOrder;
    if (interlacedFrames.length > 0) interlaced.push(`${variant.uri}: interlaced frames in ${interlacedFrames.slice(0, 3).join(', ')}`);
    else if (fieldOrder && fieldOrder !== 'progressive' && fieldOrder !== 'unknown') interlaced.push(`${variant.uri}: field order ${fieldOrder}`);

    // 1.24 / 9.16
    const hdr = HDR_TRANSFERS[stream.colorTransfer ?? ''];
    const declaredRange = variant.videoRange;
    if (!hdr && (declaredRange === undefined || declaredRange === 'SDR')) sdrVariants++;
    if (hdr || declaredRange !== undefined) hdrOrDeclared = true;
    if (hdr && declaredRange !== hdr) range.push(`${variant.uri}: ${hdr} transfer (${stream.colorTransfer}) in the bitstream, VIDEO-RANGE ${declaredRange ?? 'absent'}`);
    if (!hdr && declaredRange !== undefined && declaredRange !== 'SDR') range.push(`${variant.uri}: VIDEO-RANGE=${declaredRange}, bitstream transfer ${stream.colorTransfer ?? 'unspecified'} (SDR)`);
  }

  return [
    judge({ id: '9.1', level: 'MUST', title: 'CODECS on every variant, true to the bitstream' }, codecs, { applicable: codecs.length + codecsOk.length > 0, passEvidence: codecsOk }),
    judge({ id: '9.2', level: 'MUST', title: 'RESOLUTION on every video variant, true to the frames' }, resolution, { applicable: videoVariants > 0, passEvidence: resolutionOk }),
    judge({ id: '9.15', level: 'MUST', title: 'FRAME-RATE on every video variant, true to the frames' }, frameRate, { applicable: videoVariants > 0, passEvidence: frameRateOk }),
    judge({ id: '1.19', level: 'MUST', title: 'no frame rate above 60 fps' }, above60, { applicable: videoVariants > 0 }),
    judge({ id: '1.14', level: 'MUST', title: 'progressive frames (interlaced sources deinterlaced)' }, interlaced, { applicable: videoVariants > 0 }),
    judge({ id: '1.24', level: 'MUST', title: 'an SDR variant is provided' }, sdrVariants > 0 ? [] : ['no variant with an SDR transfer and no (or SDR) VIDEO-RANGE'], {
      applicable: videoVariants > 0,
      passEvidence: [`${sdrVariants} of ${videoVariants} video variants SDR`],
    }),
    judge({ id: '9.16', level: 'MUST', title: 'VIDEO-RANGE present and true when HDR' }, range, { applicable: hdrOrDeclared }),
  ];
}
