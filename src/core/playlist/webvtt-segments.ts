/**
 * Cuts one WebVTT file (ffmpeg's conversion of a subtitle track) into segments on the video's segment
 * boundaries and writes the subtitle media playlist. Pure: text in, text out.
 */

export interface WebVttCue {
  /** Seconds. */
  start: number;
  end: number;
  /** The whole cue block as written (identifier, timing line with settings, payload). */
  block: string;
}

export interface WebVttFile {
  /** STYLE and REGION blocks, which must come before the first cue of every segment. */
  preamble: string[];
  cues: WebVttCue[];
}

const TIMESTAMP = /^(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;

/** "01:02.500" or "1:01:02.500" → seconds; undefined when malformed. */
export function parseTimestamp(text: string): number | undefined {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1] ?? 0) * 3600 + Number(match[2]) * 60 + Number(match[3]) + Number(match[4]) / 1000;
}

/** Parses WebVTT text into cues; NOTE blocks are dropped, cues with unreadable timings skipped. */
export function parseWebVtt(text: string): WebVttFile {
  const blocks = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split(/\n{2,}/).map((b) => b.replace(/^\n+|\n+$/g, ''));
  const preamble: string[] = [];
  const cues: WebVttCue[] = [];
  for (const [i, block] of blocks.entries()) {
    if (block === '' || (i === 0 && block.startsWith('WEBVTT'))) continue;
    if (block.startsWith('NOTE')) continue;
    if (block.startsWith('STYLE') || block.startsWith('REGION')) {
      if (cues.length === 0) preamble.push(block);
      continue;
    }
    const timing = block.split('\n').find((line) => line.includes('-->'));
    if (!timing) continue;
    const [from, rest = ''] = timing.split('-->');
    const start = parseTimestamp(from ?? '');
    const end = parseTimestamp(rest.trim().split(/\s+/)[0] ?? '');
    if (start === undefined || end === undefined || end <= start) continue;
    cues.push({ start, end, block });
  }
  return { preamble, cues };
}

/**
 * Which cues each segment carries. Segment i covers [boundaries[i], boundaries[i+1]) of the video's
 * timeline, shifted by `offset` seconds into the subtitle track's; a cue spanning a boundary is repeated in
 * every segment it overlaps (players drop the duplicate). Cues after the video's end are left out.
 */
export function assignCues(cues: readonly WebVttCue[], durations: readonly number[], offset: number): WebVttCue[][] {
  const segments: WebVttCue[][] = durations.map(() => []);
  let start = offset;
  durations.forEach((duration, i) => {
    const end = start + duration;
    for (const cue of cues) if (cue.start < end && cue.end > start) segments[i]!.push(cue);
    start = end;
  });
  return segments;
}

/**
 * One WebVTT segment. X-TIMESTAMP-MAP (RFC 8216 §3.5, Apple 5.3) maps cue time LOCAL to the video's
 * presentation timestamp MPEGTS (90 kHz), so cue times stay those of the track and players line them up.
 */
export function buildWebVttSegment(file: WebVttFile, cues: readonly WebVttCue[], mpegts: number): string {
  const head = `WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:${mpegts},LOCAL:00:00:00.000`;
  return `${[head, ...file.preamble, ...cues.map((c) => c.block)].join('\n\n')}\n`;
}

export function segmentName(index: number): string {
  return `segment_${String(index).padStart(5, '0')}.vtt`;
}

/** The subtitle media playlist: same target duration and segment durations as the video's (Apple 8.2). */
export function buildSubtitlePlaylist(durations: readonly number[], targetDuration: number): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${targetDuration}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  durations.forEach((duration, i) => lines.push(`#EXTINF:${duration.toFixed(6)},`, segmentName(i)));
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
