/** Writes master.m3u8 from measured renditions (RFC 8216 §4.3.4.2). Pure: text in, text out. */

export interface MasterVariant {
  /** Media playlist URI relative to the master, e.g. "720p/index.m3u8". */
  uri: string;
  /** Peak segment bit rate, b/s. */
  bandwidth: number;
  /** Average bit rate, b/s. */
  averageBandwidth: number;
  codecs: string[];
  width: number;
  height: number;
  fps: number;
}

/** Formats FRAME-RATE as a decimal-floating-point with at most 3 decimals (29.97 → 29.970). */
export function formatFrameRate(fps: number): string {
  return (Math.round(fps * 1000) / 1000).toFixed(3);
}

/**
 * The master playlist text. Variants are listed by descending bandwidth except that the first one is a
 * sensible start for players that begin with the first listed variant (hls.js, Safari): the variant
 * closest to 720p, or the top one when the ladder is smaller.
 */
export function buildMasterPlaylist(variants: readonly MasterVariant[], options: { version: number; iframes?: readonly MasterIframeStream[] | undefined }): string {
  const sorted = [...variants].sort((a, b) => b.bandwidth - a.bandwidth);
  const startIndex = sorted.findIndex((v) => Math.min(v.width, v.height) <= 720);
  const ordered = startIndex > 0 ? [sorted[startIndex]!, ...sorted.filter((_, i) => i !== startIndex)] : sorted;
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${options.version}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of ordered) {
    const attributes = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      `CODECS="${v.codecs.join(',')}"`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${formatFrameRate(v.fps)}`,
      // Every rendition is SDR BT.709 (HDR sources are tone-mapped); said explicitly for players.
      'VIDEO-RANGE=SDR',
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, v.uri);
  }
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
