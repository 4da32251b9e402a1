/** Writes master.m3u8 from measured renditions (RFC 8216 §4.3.4.2). Pure: text in, text out. */

export interface MasterVariant {
  /** Media playlist URI relative to the master, e.g. "720p/index.m3u8". */
  uri: string;
  /** Peak segment bit rate, b/s (with the largest rendition of each group it plays with). */
  bandwidth: number;
  /** Average bit rate, b/s. */
  averageBandwidth: number;
  codecs: string[];
  /** Frame size and rate; absent for the variant of an audio-only ladder. */
  width?: number | undefined;
  height?: number | undefined;
  fps?: number | undefined;
  /** GROUP-ID of the audio renditions it plays with (AUDIO=). */
  audioGroup?: string | undefined;
  /** GROUP-ID of the subtitle renditions (SUBTITLES=). */
  subtitlesGroup?: string | undefined;
}

/** An EXT-X-MEDIA rendition (RFC 8216 §4.3.4.1). */
export interface MasterMedia {
  type: 'AUDIO' | 'SUBTITLES';
  groupId: string;
  name: string;
  /** RFC 5646 tag. */
  language: string;
  isDefault: boolean;
  autoselect: boolean;
  /** SUBTITLES only. */
  forced?: boolean | undefined;
  /** AUDIO only: channel count. */
  channels?: number | undefined;
  uri: string;
}

/** Formats FRAME-RATE as a decimal-floating-point with at most 3 decimals (29.97 → 29.970). */
export function formatFrameRate(fps: number): string {
  return (Math.round(fps * 1000) / 1000).toFixed(3);
}

/** The bit rate Apple's HLS Authoring Specification (1.32) wants the first variant near, b/s. */
export const START_BITRATE = 2_000_000;

/**
 * Variants by descending bandwidth, except that the first one is the variant whose average bit rate is
 * nearest 2 Mb/s: players that start with the first listed variant (hls.js, Safari) start sensibly.
 */
export function orderVariants<T extends Pick<MasterVariant, 'bandwidth' | 'averageBandwidth'>>(variants: readonly T[]): T[] {
  const sorted = [...variants].sort((a, b) => b.bandwidth - a.bandwidth);
  let start = 0;
  sorted.forEach((v, i) => {
    if (Math.abs(v.averageBandwidth - START_BITRATE) < Math.abs(sorted[start]!.averageBandwidth - START_BITRATE)) start = i;
  });
  return start > 0 ? [sorted[start]!, ...sorted.filter((_, i) => i !== start)] : sorted;
}

/** A quoted-string (RFC 8216 §4.2) cannot hold a double quote or a line break: a title's become ” and a space. */
const quoted = (value: string) => `"${value.replace(/"/g, '\u201d').replace(/[\r\n]/g, ' ')}"`;

/** One EXT-X-MEDIA line. */
export function mediaLine(m: MasterMedia): string {
  const attributes = [
    `TYPE=${m.type}`,
    `GROUP-ID=${quoted(m.groupId)}`,
    `NAME=${quoted(m.name)}`,
    `LANGUAGE=${quoted(m.language)}`,
    `DEFAULT=${m.isDefault ? 'YES' : 'NO'}`,
    // RFC 8216: AUTOSELECT must be YES when DEFAULT is.
    `AUTOSELECT=${m.autoselect || m.isDefault ? 'YES' : 'NO'}`,
    ...(m.type === 'SUBTITLES' ? [`FORCED=${m.forced ? 'YES' : 'NO'}`] : []),
    ...(m.channels !== undefined ? [`CHANNELS=${quoted(String(m.channels))}`] : []),
    `URI=${quoted(m.uri)}`,
  ];
  return `#EXT-X-MEDIA:${attributes.join(',')}`;
}

/** One EXT-X-STREAM-INF line (without its URI line). Every video variant is SDR: hlsify encodes 8-bit BT.709. */
export function streamInfLine(v: MasterVariant): string {
  const video = v.width !== undefined && v.height !== undefined;
  const attributes = [
    `BANDWIDTH=${v.bandwidth}`,
    `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
    `CODECS="${v.codecs.join(',')}"`,
    ...(video ? [`RESOLUTION=${v.width}x${v.height}`] : []),
    ...(video && v.fps !== undefined ? [`FRAME-RATE=${formatFrameRate(v.fps)}`] : []),
    ...(video ? ['VIDEO-RANGE=SDR'] : []),
    ...(v.audioGroup ? [`AUDIO=${quoted(v.audioGroup)}`] : []),
    ...(v.subtitlesGroup ? [`SUBTITLES=${quoted(v.subtitlesGroup)}`] : []),
  ];
  return `#EXT-X-STREAM-INF:${attributes.join(',')}`;
}

/** The master playlist text: header, the EXT-X-MEDIA renditions, the variants (see orderVariants), then the I-frame streams. */
export function buildMasterPlaylist(variants: readonly MasterVariant[], options: { version: number; media?: readonly MasterMedia[] | undefined; iframes?: readonly MasterIframeStream[] | undefined }): string {
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${options.version}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const m of options.media ?? []) lines.push(mediaLine(m));
  for (const v of orderVariants(variants)) lines.push(streamInfLine(v), v.uri);
  lines.push(...iframeStreamLines(options.iframes ?? []));
  return `${lines.join('\n')}\n`;
}

export interface MasterIframeStream {
  /** I-frame playlist URI relative to the master, e.g. "720p/iframes.m3u8". */
  uri: string;
  /** Peak bit rate of the I-frame segments, b/s. */
  bandwidth: number;
  averageBandwidth: number;
  /** Video codec only: an I-frame stream has no audio. */
  codecs: string[];
  width: number;
  height: number;
}

/**
 * EXT-X-I-FRAME-STREAM-INF lines (RFC 8216 §4.3.4.3; Apple 9.3/9.4: CODECS and RESOLUTION), highest
 * bandwidth first. Every rendition hlsify writes is SDR (8-bit BT.709 H.264).
 */
export function iframeStreamLines(streams: readonly MasterIframeStream[]): string[] {
  return [...streams]
    .sort((a, b) => b.bandwidth - a.bandwidth)
    .map((s) =>
      `#EXT-X-I-FRAME-STREAM-INF:${[
        `BANDWIDTH=${s.bandwidth}`,
        `AVERAGE-BANDWIDTH=${s.averageBandwidth}`,
        `CODECS="${s.codecs.join(',')}"`,
        `RESOLUTION=${s.width}x${s.height}`,
        'VIDEO-RANGE=SDR',
        `URI="${s.uri}"`,
      ].join(',')}`,
    );
}
