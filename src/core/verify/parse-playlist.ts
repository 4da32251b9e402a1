/**
 * Parses an untrusted playlist into typed data, collecting every RFC 8216 §4 structure problem instead
 * of stopping at the first. Pure: text in, data out.
 */
import { ATTRIBUTE_TYPES, checkAttributeTypes, parseAttributeList, parseByteRange, type AttributeList } from './attributes.js';
import type { ByteRange, MasterPlaylist, MediaPlaylist, MediaSegment, Resolution } from './playlist-model.js';

const MASTER_TAGS = ['#EXT-X-STREAM-INF', '#EXT-X-I-FRAME-STREAM-INF', '#EXT-X-MEDIA', '#EXT-X-SESSION-DATA', '#EXT-X-SESSION-KEY'];
const MEDIA_TAGS = ['#EXTINF', '#EXT-X-TARGETDURATION', '#EXT-X-MEDIA-SEQUENCE', '#EXT-X-ENDLIST', '#EXT-X-PLAYLIST-TYPE', '#EXT-X-I-FRAMES-ONLY', '#EXT-X-BYTERANGE', '#EXT-X-MAP', '#EXT-X-DISCONTINUITY'];

function tagName(line: string): string {
  const colon = line.indexOf(':');
  return colon < 0 ? line : line.slice(0, colon);
}

function tagValue(line: string): string {
  const colon = line.indexOf(':');
  return colon < 0 ? '' : line.slice(colon + 1);
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim());
}

/** Which kind of playlist `text` is, by the tags it uses (RFC 8216 §4.3.4 vs §4.3.3). */
export function playlistKind(text: string): 'master' | 'media' | 'neither' {
  const all = lines(text);
  if (all.some((l) => MASTER_TAGS.includes(tagName(l)))) return 'master';
  if (all.some((l) => l.startsWith('#EXTINF') || l.startsWith('#EXT-X-TARGETDURATION'))) return 'media';
  return 'neither';
}

function header(all: string[], structure: string[]): void {
  if (all[0]?.startsWith('\uFEFF')) structure.push('line 1: byte order mark before #EXTM3U');
  if (all[0]?.replace(/^\uFEFF/, '') !== '#EXTM3U') structure.push('line 1: not #EXTM3U');
}

function attributes(line: string, name: keyof typeof ATTRIBUTE_TYPES, at: number, structure: string[]): AttributeList {
  const list = parseAttributeList(tagValue(line));
  for (const problem of [...list.problems, ...checkAttributeTypes(list, ATTRIBUTE_TYPES[name])]) structure.push(`line ${at}: ${name}: ${problem}`);
  return list;
}

function integer(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function resolution(value: string | undefined): Resolution | undefined {
  const match = value === undefined ? null : /^(\d+)x(\d+)$/.exec(value);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

function codecList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((c) => c.trim()).filter((c) => c !== '');
}

function version(value: string, at: number, structure: string[], seen: boolean): number {
  if (seen) structure.push(`line ${at}: EXT-X-VERSION appears twice`);
  const parsed = integer(value);
  if (parsed === undefined) structure.push(`line ${at}: EXT-X-VERSION "${value}" is not a decimal-integer`);
  return parsed ?? 1;
}

/** A master playlist (RFC 8216 §4.3.4). */
export function parseMasterPlaylist(text: string): MasterPlaylist {
  const all = lines(text);
  const structure: string[] = [];
  const versionNeeds: MasterPlaylist['versionNeeds'] = [];
  header(all, structure);
  const result: MasterPlaylist = { kind: 'master', version: 1, independentSegments: false, variants: [], iFrameVariants: [], renditions: [], sessionKeys: [], structure, versionNeeds };
  let versionSeen = false;
  let pending: { list: AttributeList; at: number } | undefined;
  all.slice(1).forEach((line, index) => {
    const at = index + 2;
    if (line === '' || (line.startsWith('#') && !line.startsWith('#EXT'))) return;
    const name = tagName(line);
    if (name === '#EXT-X-VERSION') {
      result.version = version(tagValue(line), at, structure, versionSeen);
      versionSeen = true;
    } else if (name === '#EXT-X-INDEPENDENT-SEGMENTS') result.independentSegments = true;
    else if (name === '#EXT-X-STREAM-INF') {
      if (pending) structure.push(`line ${pending.at}: EXT-X-STREAM-INF is not followed by a URI`);
      const list = attributes(line, 'EXT-X-STREAM-INF', at, structure);
      if (!list.values.has('BANDWIDTH')) structure.push(`line ${at}: EXT-X-STREAM-INF without BANDWIDTH`);
      pending = { list, at };
    } else if (name === '#EXT-X-I-FRAME-STREAM-INF') {
      const list = attributes(line, 'EXT-X-I-FRAME-STREAM-INF', at, structure);
      if (!list.values.has('BANDWIDTH')) structure.push(`line ${at}: EXT-X-I-FRAME-STREAM-INF without BANDWIDTH`);
      if (!list.values.has('URI')) structure.push(`line ${at}: EXT-X-I-FRAME-STREAM-INF without URI`);
      result.iFrameVariants.push({
        uri: list.values.get('URI'),
        bandwidth: integer(list.values.get('BANDWIDTH')),
        codecs: codecList(list.values.get('CODECS')),
        resolution: resolution(list.values.get('RESOLUTION')),
        videoRange: list.values.get('VIDEO-RANGE'),
      });
    } else if (name === '#EXT-X-MEDIA') {
      const list = attributes(line, 'EXT-X-MEDIA', at, structure);
      const type = list.values.get('TYPE') ?? '';
      if (!['AUDIO', 'VIDEO', 'SUBTITLES', 'CLOSED-CAPTIONS'].includes(type)) structure.push(`line ${at}: EXT-X-MEDIA TYPE "${type}" is not AUDIO, VIDEO, SUBTITLES or CLOSED-CAPTIONS`);
      for (const required of ['GROUP-ID', 'NAME']) if (!list.values.has(required)) structure.push(`line ${at}: EXT-X-MEDIA without ${required}`);
      if (type === 'SUBTITLES' && !list.values.has('URI')) structure.push(`line ${at}: EXT-X-MEDIA TYPE=SUBTITLES without URI`);
      if (type === 'CLOSED-CAPTIONS' && list.values.has('URI')) structure.push(`line ${at}: EXT-X-MEDIA TYPE=CLOSED-CAPTIONS with a URI`);
      if (type === 'CLOSED-CAPTIONS' && !list.values.has('INSTREAM-ID')) structure.push(`line ${at}: EXT-X-MEDIA TYPE=CLOSED-CAPTIONS without INSTREAM-ID`);
      if (/^SERVICE/.test(list.values.get('INSTREAM-ID') ?? '')) versionNeeds.push({ version: 7, feature: 'INSTREAM-ID SERVICE' });
      for (const flag of ['DEFAULT', 'AUTOSELECT', 'FORCED']) {
        const value = list.values.get(flag);
        if (value !== undefined && value !== 'YES' && value !== 'NO') structure.push(`line ${at}: EXT-X-MEDIA ${flag}=${value} is not YES or NO`);
      }
      result.renditions.push({
        type,
        groupId: list.values.get('GROUP-ID'),
        name: list.values.get('NAME'),
        language: list.values.get('LANGUAGE'),
        uri: list.values.get('URI'),
        isDefault: list.values.get('DEFAULT') === 'YES',
        channels: list.values.get('CHANNELS'),
      });
    } else if (name === '#EXT-X-SESSION-KEY') {
      const list = parseAttributeList(tagValue(line));
      result.sessionKeys.push({ method: list.values.get('METHOD'), uri: list.values.get('URI'), line: at });
    } else if (MEDIA_TAGS.includes(name)) structure.push(`line ${at}: media playlist tag ${name.slice(1)} in a master playlist`);
    else if (!line.startsWith('#')) {
      if (!pending) {
        structure.push(`line ${at}: URI "${line}" without EXT-X-STREAM-INF`);
        return;
      }
      const values = pending.list.values;
      result.variants.push({
        uri: line,
        bandwidth: integer(values.get('BANDWIDTH')),
        averageBandwidth: integer(values.get('AVERAGE-BANDWIDTH')),
        codecs: codecList(values.get('CODECS')),
        resolution: resolution(values.get('RESOLUTION')),
        frameRate: values.has('FRAME-RATE') ? Number(values.get('FRAME-RATE')) : undefined,
        videoRange: values.get('VIDEO-RANGE'),
        audio: values.get('AUDIO'),
        subtitles: values.get('SUBTITLES'),
      });
      pending = undefined;
    }
  });
  if (pending) structure.push(`line ${pending.at}: EXT-X-STREAM-INF is not followed by a URI`);
  if (result.variants.length === 0) structure.push('no EXT-X-STREAM-INF variant');
  for (const variant of result.variants) {
    for (const [attribute, type] of [['AUDIO', 'AUDIO'], ['SUBTITLES', 'SUBTITLES']] as const) {
      const group = attribute === 'AUDIO' ? variant.audio : variant.subtitles;
      if (group !== undefined && !result.renditions.some((r) => r.type === type && r.groupId === group)) {
        structure.push(`${variant.uri}: ${attribute}="${group}" names no EXT-X-MEDIA TYPE=${type} group`);
      }
    }
  }
  return result;
}

function byteRange(text: string, at: number, structure: string[], previousEnd: number | undefined): ByteRange | undefined {
  const parsed = parseByteRange(text);
  if (!parsed) {
    structure.push(`line ${at}: byte range "${text}" is not <n>[@<o>]`);
    return undefined;
  }
  const offset = parsed.offset ?? previousEnd;
  if (offset === undefined) {
    structure.push(`line ${at}: byte range without an offset and no previous range of the same resource`);
    return undefined;
  }
  return { length: parsed.length, offset };
}

/** A media playlist (RFC 8216 §4.3.1–§4.3.3). */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const all = lines(text);
  const structure: string[] = [];
  const versionNeeds: MediaPlaylist['versionNeeds'] = [];
  header(all, structure);
  const result: MediaPlaylist = {
    kind: 'media', version: 1, targetDuration: undefined, playlistType: undefined, ended: false, iFramesOnly: false,
    independentSegments: false, segments: [], keys: [], structure, versionNeeds,
  };
  let versionSeen = false;
  let extinf: { duration: number; at: number } | undefined;
  let range: { text: string; at: number } | undefined;
  let discontinuity = false;
  let map: MediaSegment['map'];
  const rangeEnds = new Map<string, number>();
  const once = new Set<string>();
  all.slice(1).forEach((line, index) => {
    const at = index + 2;
    if (line === '' || (line.startsWith('#') && !line.startsWith('#EXT'))) return;
    const name = tagName(line);
    const value = tagValue(line);
    if (['#EXT-X-TARGETDURATION', '#EXT-X-MEDIA-SEQUENCE', '#EXT-X-PLAYLIST-TYPE', '#EXT-X-ENDLIST', '#EXT-X-I-FRAMES-ONLY'].includes(name)) {
      if (once.has(name)) structure.push(`line ${at}: ${name.slice(1)} appears more than once`);
      once.add(name);
    }
    if (name === '#EXT-X-VERSION') {
      result.version = version(value, at, structure, versionSeen);
      versionSeen = true;
    } else if (name === '#EXT-X-TARGETDURATION') {
      result.targetDuration = integer(value);
      if (result.targetDuration === undefined) structure.push(`line ${at}: EXT-X-TARGETDURATION "${value}" is not a decimal-integer`);
    } else if (name === '#EXT-X-MEDIA-SEQUENCE') {
      if (integer(value) === undefined) structure.push(`line ${at}: EXT-X-MEDIA-SEQUENCE "${value}" is not a decimal-integer`);
      if (result.segments.length > 0) structure.push(`line ${at}: EXT-X-MEDIA-SEQUENCE after the first segment`);
    } else if (name === '#EXT-X-PLAYLIST-TYPE') {
      result.playlistType = value;
      if (value !== 'VOD' && value !== 'EVENT') structure.push(`line ${at}: EXT-X-PLAYLIST-TYPE "${value}" is not VOD or EVENT`);
    } else if (name === '#EXT-X-ENDLIST') result.ended = true;
    else if (name === '#EXT-X-I-FRAMES-ONLY') {
      result.iFramesOnly = true;
      versionNeeds.push({ version: 4, feature: 'EXT-X-I-FRAMES-ONLY' });
    } else if (name === '#EXT-X-INDEPENDENT-SEGMENTS') result.independentSegments = true;
    else if (name === '#EXTINF') {
      const durationText = value.split(',')[0] ?? '';
      if (!/^\d+(\.\d+)?$/.test(durationText)) structure.push(`line ${at}: EXTINF duration "${durationText}" is not a decimal number`);
      else if (durationText.includes('.')) versionNeeds.push({ version: 3, feature: 'decimal EXTINF durations' });
      if (extinf) structure.push(`line ${extinf.at}: EXTINF is not followed by a URI`);
      extinf = { duration: Number.parseFloat(durationText), at };
    } else if (name === '#EXT-X-BYTERANGE') {
      range = { text: value, at };
      versionNeeds.push({ version: 4, feature: 'EXT-X-BYTERANGE' });
    } else if (name === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (name === '#EXT-X-MAP') {
      const list = attributes(line, 'EXT-X-MAP', at, structure);
      const uri = list.values.get('URI');
      if (uri === undefined) structure.push(`line ${at}: EXT-X-MAP without URI`);
      const rangeText = list.values.get('BYTERANGE');
      map = uri === undefined ? undefined : { uri, byteRange: rangeText === undefined ? undefined : byteRange(rangeText, at, structure, 0) };
      // RFC 8216 §7: EXT-X-MAP needs version 6, or 5 in an I-frames-only playlist.
      versionNeeds.push({ version: 5, feature: 'EXT-X-MAP' }, { version: 6, feature: 'EXT-X-MAP (outside I-frame playlists)' });
    } else if (name === '#EXT-X-KEY') {
      const list = attributes(line, 'EXT-X-KEY', at, structure);
      if (list.values.has('IV')) versionNeeds.push({ version: 2, feature: 'EXT-X-KEY IV' });
      if (list.values.has('KEYFORMAT') || list.values.has('KEYFORMATVERSIONS')) versionNeeds.push({ version: 5, feature: 'EXT-X-KEY KEYFORMAT' });
      result.keys.push({ method: list.values.get('METHOD'), uri: list.values.get('URI'), line: at });
    } else if (MASTER_TAGS.includes(name)) structure.push(`line ${at}: master playlist tag ${name.slice(1)} in a media playlist`);
    else if (!line.startsWith('#')) {
      if (!extinf) {
        structure.push(`line ${at}: segment "${line}" without EXTINF`);
        return;
      }
      const segmentRange = range ? byteRange(range.text, range.at, structure, rangeEnds.get(line)) : undefined;
      if (segmentRange) rangeEnds.set(line, segmentRange.offset + segmentRange.length);
      result.segments.push({ uri: line, duration: extinf.duration, byteRange: segmentRange, discontinuity, map });
      extinf = undefined;
      range = undefined;
      discontinuity = false;
    }
  });
  if (extinf) structure.push(`line ${extinf.at}: EXTINF is not followed by a URI`);
  if (!once.has('#EXT-X-TARGETDURATION')) structure.push('no EXT-X-TARGETDURATION (required)');
  if (result.segments.length === 0) structure.push('no segments');
  // The I-frame exception for EXT-X-MAP: keep only the need that applies.
  result.versionNeeds = versionNeeds.filter((need) => need.feature !== (result.iFramesOnly ? 'EXT-X-MAP (outside I-frame playlists)' : 'EXT-X-MAP'));
  return result;
}
