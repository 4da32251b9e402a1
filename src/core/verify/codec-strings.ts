/** CODECS attribute values for the streams ffprobe found, and how declared values are matched to them. */
import type { ProbedStream } from './segment-probe.js';

const AAC_PROFILES: Record<string, string> = { LC: 'mp4a.40.2', 'HE-AAC': 'mp4a.40.5', 'HE-AACv2': 'mp4a.40.29' };

/** The CODECS value a stream should be declared with; `avc` is the exact avc1 string read from the SPS. */
export function codecString(stream: ProbedStream, avc: string | undefined): string {
  switch (stream.codec) {
    case 'h264':
      return avc ?? 'avc1';
    case 'hevc':
      return 'hvc1';
    case 'av1':
      return 'av01';
    case 'aac':
      return AAC_PROFILES[stream.profile ?? ''] ?? 'mp4a.40.2';
    case 'mp3':
      return 'mp4a.40.34';
    case 'ac3':
      return 'ac-3';
    case 'eac3':
      return 'ec-3';
    case 'opus':
      return 'Opus';
    case 'flac':
      return 'fLaC';
    default:
      return stream.codec;
  }
}

/** Text codecs name no stream in a media segment. */
export function isTextCodec(codec: string): boolean {
  return /^(wvtt|stpp)/i.test(codec);
}

/** The family a CODECS value belongs to, so a declared value can be matched to a stream. */
export function codecFamily(codec: string): string {
  const lower = codec.toLowerCase();
  if (/^(avc1|avc3)/.test(lower)) return 'h264';
  if (/^(hvc1|hev1)/.test(lower)) return 'hevc';
  if (lower.startsWith('av01')) return 'av1';
  if (lower.startsWith('mp4a')) return 'mp4a';
  if (lower.startsWith('ac-3')) return 'ac3';
  if (lower.startsWith('ec-3')) return 'eac3';
  return lower;
}

/**
 * Whether `declared` states the measured codec: exact (case-insensitive) for H.264 from the SPS and for
 * AAC's object type, by family where verify cannot read the full string (HEVC, AV1). avc1 and avc3
 * name the same bitstream.
 */
export function codecMatches(declared: string, measured: string): boolean {
  const d = declared.toLowerCase().replace(/^avc3/, 'avc1');
  const m = measured.toLowerCase();
  if (m === 'avc1' || m === 'hvc1' || m === 'av01') return codecFamily(d) === codecFamily(m);
  return d === m;
}
