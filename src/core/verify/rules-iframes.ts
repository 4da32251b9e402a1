/**
 * Trick play: Apple 6.1 (I-frame playlists present), 6.8 (EXT-X-I-FRAMES-ONLY), 9.3/9.4 (CODECS and
 * RESOLUTION on EXT-X-I-FRAME-STREAM-INF), 6.10 (fMP4 ranges include their moof) and RFC 8216 §4.3.3.6
 * (each byte range is one decodable I-frame; for TS the EXT-X-MAP range with PAT/PMT may precede it).
 */
import { codecFamily } from './codec-strings.js';
import type { Ladder } from './ladder-model.js';
import { judge, type RuleResult } from './report.js';

export function iFrameRules(ladder: Ladder): RuleResult[] {
  const entries = ladder.master.iFrameVariants.map((variant, i) => {
    const key = ladder.iFrameKeys[i];
    return { variant, playlist: key ? ladder.playlists.get(key) : undefined };
  });
  const present = entries.length > 0;
  // Variants with a picture: a RESOLUTION, or a video codec in CODECS.
  const videoVariants = ladder.master.variants.filter((v) => v.resolution !== undefined || /\b(avc[13]|hvc1|hev1|av01|vp09|dvh[1e])\./.test((v.codecs ?? []).join(','))).length;

  const onlyTag = entries.filter((e) => e.playlist?.playlist && !e.playlist.playlist.iFramesOnly).map((e) => `${e.playlist!.name}: no EXT-X-I-FRAMES-ONLY`);

  const attributes: string[] = [];
  for (const { variant, playlist } of entries) {
    const name = variant.uri ?? '(no URI)';
    if (!variant.codecs) attributes.push(`${name}: no CODECS`);
    if (!variant.resolution) attributes.push(`${name}: no RESOLUTION`);
    const frame = playlist?.segments.flatMap((s) => s.probe?.videoFrames ?? [])[0];
    const stream = playlist?.segments.flatMap((s) => s.probe?.streams ?? []).find((s) => s.type === 'video');
    if (variant.resolution && frame?.width && frame.height && (frame.width !== variant.resolution.width || frame.height !== variant.resolution.height)) {
      attributes.push(`${name}: RESOLUTION ${variant.resolution.width}x${variant.resolution.height}, frames are ${frame.width}x${frame.height}`);
    }
    if (variant.codecs && stream && !variant.codecs.some((c) => codecFamily(c) === (stream.codec === 'h264' ? 'h264' : stream.codec))) {
      attributes.push(`${name}: CODECS "${variant.codecs.join(',')}", bitstream ${stream.codec}`);
    }
  }

  const decodable: string[] = [];
  const moof: string[] = [];
  let checked = 0;
  let fmp4 = 0;
  for (const { playlist } of entries) {
    if (!playlist?.playlist) continue;
    playlist.playlist.segments.forEach((segment, i) => {
      const loaded = playlist.segments[i];
      if (!loaded?.probe) return;
      if (!segment.byteRange) decodable.push(`${loaded.name}: no EXT-X-BYTERANGE`);
      if (loaded.probe.container === 'mov') fmp4++;
      if (loaded.probe.container === 'mov' && !loaded.boxes?.includes('moof')) moof.push(`${loaded.name}: the range holds ${loaded.boxes?.join(', ') || 'no box'}, no moof`);
      if (loaded.probe.videoFrames === undefined) {
        if (loaded.probe.videoPackets[0] && !loaded.probe.videoPackets[0].key) decodable.push(`${loaded.name}: not a keyframe`);
        return;
      }
      checked++;
      const frames = loaded.probe.videoFrames;
      // An fMP4 range ends after its keyframe while the moof still lists the fragment's other samples:
      // the demuxer's "partial file" about those is expected, decoder errors are not.
      const errors = loaded.probe.errors.filter((e) => !(loaded.probe!.container === 'mov' && /partial file/.test(e)));
      if (errors.length > 0) decodable.push(`${loaded.name}: ${errors.slice(0, 2).join(' | ')}`);
      else if (frames.length === 0) decodable.push(`${loaded.name}: no frame decoded`);
      else if (!frames[0]!.key) decodable.push(`${loaded.name}: decodes to a ${frames[0]!.pictType ?? 'non-key'} frame, not a keyframe`);
    });
  }

  return [
    judge({ id: '6.1', level: 'MUST', title: 'I-frame playlists provided' }, present ? [] : [`master: no EXT-X-I-FRAME-STREAM-INF (${videoVariants} variants)`], {
      // An audio-only ladder has no frames to give trick play.
      applicable: present || videoVariants > 0,
      passEvidence: [`${entries.length} I-frame playlists`],
    }),
    judge({ id: '6.8', level: 'MUST', title: 'I-frame playlists carry EXT-X-I-FRAMES-ONLY' }, onlyTag, { applicable: present }),
    judge({ id: '9.3/9.4', level: 'MUST', title: 'EXT-X-I-FRAME-STREAM-INF has CODECS and RESOLUTION, true to the frames' }, attributes, { applicable: present }),
    judge({ id: 'RFC 8216 §4.3.3.6', level: 'MUST', title: 'each I-frame byte range is one decodable keyframe' }, decodable, {
      applicable: present,
      passEvidence: [`${checked} byte ranges decoded to a keyframe`],
    }),
    judge({ id: '6.10', level: 'MUST', title: 'fragmented MP4 I-frame ranges include their moof' }, moof, { applicable: fmp4 > 0 }),
  ];
}
