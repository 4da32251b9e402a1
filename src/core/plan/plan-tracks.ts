/**
 * Which audio and subtitle renditions a source gets (pure): every selected audio track as stereo AAC, a
 * 5.1 AAC rendition beside each multichannel one, and every text subtitle stream as WebVTT.
 */
import { UsageError } from '../../errors.js';
import type { AudioInfo, SubtitleInfo } from '../probe/media-info.js';
import type { AudioRendition, SubtitleRendition } from './encode-plan.js';

export const STEREO_BITRATE = 128_000;
/** Apple's HLS Authoring Specification 2.9: about 320 kb/s for 5.1 AAC. */
export const SURROUND_BITRATE = 320_000;

export interface TrackOptions {
  /** Language tags to keep (as tagged, "eng", or as RFC 5646, "en"), or every track. */
  audioTracks?: 'all' | readonly string[] | undefined;
  /** Add a 5.1 rendition for multichannel tracks (default on). */
  surround?: boolean | undefined;
}

/** An RFC 5646 language tag from a stream's tag: "eng" → "en", "fre" → "fr"; "und" when absent or unreadable. */
export function languageTag(raw: string | undefined): string {
  if (!raw) return 'und';
  try {
    return Intl.getCanonicalLocales(raw.replace(/_/g, '-'))[0] ?? 'und';
  } catch {
    return 'und';
  }
}

const displayNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** A human name for a language tag ("en" → "English"). */
export function languageName(tag: string): string {
  if (tag === 'und') return 'Unknown language';
  try {
    return displayNames.of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** Makes `name` unique within `taken` by appending " 2", " 3"… */
function unique(name: string, taken: Set<string>, separator: string): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name}${separator}${n}`;
  taken.add(candidate);
  return candidate;
}

/** 44.1 kHz stays 44.1 kHz; every other rate becomes 48 kHz. */
export function outputSampleRate(sourceRate: number): number {
  return sourceRate === 44100 ? 44100 : 48000;
}

function selectTracks(tracks: readonly AudioInfo[], wanted: TrackOptions['audioTracks']): AudioInfo[] {
  if (wanted === undefined || wanted === 'all') return [...tracks];
  const tags = new Set(wanted.map((w) => w.toLowerCase()));
  const chosen = tracks.filter((t) => tags.has((t.language ?? 'und').toLowerCase()) || tags.has(languageTag(t.language).toLowerCase()));
  if (chosen.length === 0 && tracks.length > 0) {
    const present = [...new Set(tracks.map((t) => t.language ?? 'und'))].join(', ');
    throw new UsageError(`--audio-tracks ${wanted.join(',')}: the input has no such audio track (its tracks: ${present})`);
  }
  return chosen;
}

/** The audio renditions for `tracks` (all of one group). DEFAULT goes to the track tagged default, else the first. */
export function planAudioRenditions(tracks: readonly AudioInfo[], options: TrackOptions = {}): AudioRendition[] {
  const chosen = selectTracks(tracks, options.audioTracks);
  const defaultTrack = chosen.find((t) => t.isDefault) ?? chosen[0];
  const names = new Set<string>();
  const titles = new Set<string>();
  const renditions: AudioRendition[] = [];
  for (const track of chosen) {
    const language = languageTag(track.language);
    const base = track.title ?? languageName(language);
    const dir = unique(`audio-${language}`, names, '-');
    renditions.push({
      name: `${dir}-stereo`,
      inputStream: track.index,
      language,
      title: unique(base, titles, ' '),
      isDefault: track === defaultTrack,
      channels: 2,
      bitrate: STEREO_BITRATE,
      sampleRate: outputSampleRate(track.sampleRate),
    });
    // 3-5 channel layouts are not surround worth a rendition of its own; 7.1 is downmixed to 5.1.
    if ((options.surround ?? true) && track.channels >= 6) {
      renditions.push({
        name: `${dir}-5.1`,
        inputStream: track.index,
        language,
        title: unique(`${base} (5.1)`, titles, ' '),
        isDefault: false,
        channels: 6,
        bitrate: SURROUND_BITRATE,
        sampleRate: outputSampleRate(track.sampleRate),
      });
    }
  }
  return renditions;
}

/** Picture-based subtitle codecs: Blu-ray PGS, DVB, DVD VobSub, DivX XSUB. */
const BITMAP_SUBTITLE_CODECS: ReadonlySet<string> = new Set(['hdmv_pgs_subtitle', 'dvb_subtitle', 'dvd_subtitle', 'xsub']);

/** WebVTT renditions for the text subtitle streams; bitmap ones are listed in `skipped`. */
export function planSubtitleRenditions(subtitles: readonly SubtitleInfo[]): { renditions: SubtitleRendition[]; skipped: string[] } {
  const names = new Set<string>();
  const titles = new Set<string>();
  const renditions: SubtitleRendition[] = [];
  const skipped: string[] = [];
  for (const stream of subtitles) {
    const language = languageTag(stream.language);
    if (!stream.text) {
      const what = BITMAP_SUBTITLE_CODECS.has(stream.codec) ? 'is a bitmap format' : 'is not a text format hlsify converts';
      skipped.push(`subtitle stream #${stream.index} (${stream.codec}${stream.language ? `, ${stream.language}` : ''}) ${what} and was left out: only text subtitles become WebVTT`);
      continue;
    }
    const base = stream.title ?? languageName(language);
    renditions.push({
      name: unique(`subs-${language}`, names, '-'),
      inputStream: stream.index,
      language,
      title: unique(stream.forced && !stream.title ? `${base} (forced)` : base, titles, ' '),
      isDefault: stream.isDefault,
      forced: stream.forced,
    });
  }
  return { renditions, skipped };
}
