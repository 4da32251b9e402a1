/** Reads the master playlist, every media playlist and every segment it names, and probes the segments. */
import pLimit from 'p-limit';
import { InputError, throwIfAborted } from '../../errors.js';
import { avcCodecFromAnnexB, avcCodecFromInitSegment } from '../playlist/codecs.js';
import type { Ladder, LoadedPlaylist, LoadedSegment, PlaylistRole } from './ladder-model.js';
import { parseMasterPlaylist, parseMediaPlaylist, playlistKind } from './parse-playlist.js';
import type { KeyTag, MediaSegment } from './playlist-model.js';
import { RunBudget } from './run-budget.js';
import { ResourceError, type ResourceLimits, type ResourceReader } from './resource-reader.js';
import { inBatches } from './batch-decode.js';
import type { ProbeCache } from './probe-cache.js';
import { probeSegments } from './probe-segments.js';
import { topLevelBoxes, type SegmentProbe } from './segment-probe.js';

/**
 * A segment (or byte range of one, with no map before it) already probed and decoded elsewhere, with
 * proof that the object at `key` is the one that was: its size and, for the first segment, its codec
 * string; undefined when it must be read.
 */
export type KnownSegments = (key: string, range: { offset: number; length: number } | undefined) => Promise<{ bytes: number; probe: SegmentProbe; avcCodec?: string | undefined } | undefined>;

export interface LoadOptions {
  ffprobe: string;
  /** ffmpeg, for decoding a playlist's segments in batches; without it ffprobe decodes each one. */
  ffmpeg?: string | undefined;
  /** Segments checked earlier, by their bytes (see precheck.ts). */
  cache?: ProbeCache | undefined;
  /** Segments checked where they were written, by key (see stored-check.ts): used without reading them. */
  known?: KnownSegments | undefined;
  limits: ResourceLimits;
  /** Decode only a few segments per playlist (first, middle, last); the rest are demuxed. */
  quick: boolean;
  concurrency: number;
  signal?: AbortSignal | undefined;
}

/** The indexes decoded in quick mode. */
export function sampleIndexes(count: number): Set<number> {
  return new Set([0, Math.floor(count / 2), count - 1].filter((i) => i >= 0 && i < count));
}

function message(error: unknown): string {
  if (error instanceof ResourceError) return error.message;
  throw error;
}

/** Reads and probes the whole ladder. Only an unreadable master playlist is an error; the rest are findings. */
export async function loadLadder(reader: ResourceReader, options: LoadOptions): Promise<Ladder> {
  let masterText: string;
  try {
    masterText = Buffer.from(await reader.read(reader.master, { maxBytes: options.limits.maxPlaylistBytes, signal: options.signal })).toString('utf8');
  } catch (error) {
    if (error instanceof ResourceError) throw new InputError(`${reader.describe(reader.master)}: ${error.message}`);
    throw error;
  }
  if (!masterText.replace(/^\uFEFF/, '').startsWith('#EXTM3U')) throw new InputError(`${reader.describe(reader.master)} is not an HLS playlist (no #EXTM3U)`);
  if (playlistKind(masterText) === 'media') throw new InputError(`${reader.describe(reader.master)} is a media playlist: verify needs the master playlist`);
  const master = parseMasterPlaylist(masterText);
  const ladder: Ladder = {
    location: reader.master, master, playlists: new Map(), variantKeys: [], renditionKeys: [], iFrameKeys: [],
    resourceProblems: [], limitProblems: [], keyProblems: [], segments: { total: 0, decoded: 0 }, iFrameRanges: { total: 0, decoded: 0 },
  };
  const limit = pLimit(options.concurrency);
  const playlistLimit = pLimit(options.limits.playlistConcurrency);
  const budget = new RunBudget(options.limits);
  budget.spend(masterText.length);
  // Reads `key` within the run's byte budget; a ResourceError (a finding) when it is spent.
  const read = async (key: string, request: Parameters<ResourceReader['read']>[1]): Promise<Uint8Array> => {
    if (!budget.mayRead(reader.describe(key))) throw new ResourceError(`${reader.describe(key)}: not read (verify's byte limit per run reached)`, 'too-large');
    const bytes = await reader.read(key, request);
    budget.spend(bytes.length);
    return bytes;
  };
  const mapCache = new Map<string, Promise<Uint8Array>>();

  const resolveUri = (base: string, uri: string, where: string): string | undefined => {
    try {
      return reader.resolve(base, uri);
    } catch (error) {
      ladder.resourceProblems.push(`${where}: ${message(error)}`);
      return undefined;
    }
  };
  const keyFor = (uri: string | undefined, where: string) => (uri === undefined ? undefined : resolveUri(reader.master, uri, where));
  ladder.variantKeys = master.variants.map((v) => keyFor(v.uri, 'master'));
  ladder.renditionKeys = master.renditions.map((r) => keyFor(r.uri, 'master'));
  ladder.iFrameKeys = master.iFrameVariants.map((v) => keyFor(v.uri, 'master'));

  const roles = new Map<string, PlaylistRole>();
  ladder.variantKeys.forEach((k) => k && roles.set(k, 'variant'));
  ladder.renditionKeys.forEach((k, i) => {
    const type = master.renditions[i]!.type;
    if (k && !roles.has(k)) roles.set(k, type === 'AUDIO' ? 'audio' : type === 'SUBTITLES' ? 'subtitles' : 'video');
  });
  ladder.iFrameKeys.forEach((k) => k && !roles.has(k) && roles.set(k, 'iframe'));

  const readMap = (playlistKey: string, map: NonNullable<MediaSegment['map']>): Promise<Uint8Array> => {
    const key = resolveUri(playlistKey, map.uri, reader.describe(playlistKey));
    if (!key) return Promise.reject(new ResourceError(`EXT-X-MAP "${map.uri}" refused`, 'outside'));
    const cacheKey = `${key}#${map.byteRange?.offset ?? ''}:${map.byteRange?.length ?? ''}`;
    let cached = mapCache.get(cacheKey);
    if (!cached) {
      cached = read(key, { maxBytes: options.limits.maxSegmentBytes, range: map.byteRange, signal: options.signal });
      mapCache.set(cacheKey, cached);
    }
    return cached;
  };

  encryption(reader, ladder, master.sessionKeys, reader.master, 'master', resolveUri);
  // Read under a concurrency limit, each within the run's budget: a master naming many huge playlists
  // must not have them all in memory at once.
  await Promise.all(
    [...roles].map(([key, role]) => {
      const loaded: LoadedPlaylist = { key, name: reader.describe(key), role, playlist: undefined, readError: undefined, segments: [], avcCodec: undefined };
      ladder.playlists.set(key, loaded);
      if (!budget.takePlaylist()) {
        loaded.readError = 'not read (verify\'s limit of media playlists per run reached)';
        return Promise.resolve();
      }
      return playlistLimit(() => loadPlaylist(loaded, key, role));
    }),
  );
  ladder.limitProblems.push(...budget.reached);
  return ladder;

  async function loadPlaylist(loaded: LoadedPlaylist, key: string, role: PlaylistRole): Promise<void> {
    throwIfAborted(options.signal);
    let text: string;
    try {
      text = Buffer.from(await read(key, { maxBytes: options.limits.maxPlaylistBytes, signal: options.signal })).toString('utf8');
    } catch (error) {
      loaded.readError = message(error);
      ladder.resourceProblems.push(`master: ${loaded.readError}`);
      return;
    }
    const playlist = parseMediaPlaylist(text);
    text = ''; // dropped before the segments are read
    // Keep what a report can show: the first problems, and the segments the run's budget allows.
    if (playlist.structure.length > MAX_STRUCTURE) playlist.structure.splice(MAX_STRUCTURE, Infinity, `… and ${playlist.structure.length - MAX_STRUCTURE} more`);
    const granted = budget.takeSegments(playlist.segments.length, loaded.name);
    if (granted < playlist.segments.length) playlist.segments.length = granted;
    loaded.playlist = playlist;
    encryption(reader, ladder, playlist.keys, key, loaded.name, resolveUri);
    const decoded = options.quick ? sampleIndexes(playlist.segments.length) : undefined;
    // Consecutive segments in groups: each group is read, then probed together (one decode process).
    const loadedGroups = await Promise.all(
      inBatches(playlist.segments.map((_, index) => index)).map((indexes) =>
        limit(async (): Promise<LoadedSegment[]> => {
          const results: LoadedSegment[] = [];
          const count = (result: LoadedSegment, decode: boolean) => {
            const counts = role === 'iframe' ? ladder.iFrameRanges : ladder.segments;
            counts.total++;
            if (decode && result.probe!.container !== 'webvtt') counts.decoded++;
          };
          let pending: ReadSegment[] = [];
          let pendingBytes = 0;
          const probePending = async () => {
            const requests = pending.map((r) => ({ bytes: r.bytes, decode: decoded ? decoded.has(r.result.index) : true }));
            const probes = await probeSegments(requests, { ffprobe: options.ffprobe, ffmpeg: options.ffmpeg, cache: options.cache, partialRanges: role === 'iframe', signal: options.signal });
            pending.forEach(({ result, body }, i) => {
              result.probe = probes[i]!;
              if (result.probe.container === 'webvtt') result.text = Buffer.from(body).toString('utf8');
              if (result.probe.container === 'mov') result.boxes = topLevelBoxes(body);
              count(result, requests[i]!.decode);
            });
            pending = [];
            pendingBytes = 0;
          };
          // Read in turn, probed together; a group holding many bytes is probed early (memory stays bounded).
          for (const index of indexes) {
            const read = await readSegment(loaded, key, playlist.segments[index]!, index);
            results.push(read.result);
            if (!('bytes' in read)) {
              if (read.result.probe) count(read.result, true);
              continue;
            }
            pending.push(read);
            pendingBytes += read.bytes.length;
            if (pendingBytes >= MAX_BATCH_BYTES) await probePending();
          }
          await probePending();
          return results;
        }),
      ),
    );
    loaded.segments = loadedGroups.flat();
  }

  /** Reads one segment (and its map); the bytes to probe, or a result that says why there are none. */
  async function readSegment(loaded: LoadedPlaylist, key: string, segment: MediaSegment, index: number): Promise<ReadSegment | { result: LoadedSegment }> {
    throwIfAborted(options.signal);
    const result: LoadedSegment = { name: '', index, extinf: segment.duration, bytes: 0, probe: undefined, text: undefined, boxes: undefined, readError: undefined };
    const segmentKey = resolveUri(key, segment.uri, loaded.name);
    result.name = segmentKey ? reader.describe(segmentKey) + (segment.byteRange ? `@${segment.byteRange.offset}` : '') : segment.uri;
    if (!segmentKey) {
      result.readError = 'refused';
      return { result };
    }
    const known = !segment.map && options.known ? await options.known(segmentKey, segment.byteRange) : undefined;
    if (known) {
      result.bytes = known.bytes;
      result.probe = known.probe;
      if (index === 0) loaded.avcCodec = known.avcCodec;
      return { result };
    }
    let body: Uint8Array;
    let prefix: Uint8Array = new Uint8Array();
    try {
      body = await read(segmentKey, { maxBytes: options.limits.maxSegmentBytes, range: segment.byteRange, signal: options.signal });
      if (segment.map) prefix = await readMap(key, segment.map);
    } catch (error) {
      result.readError = message(error);
      ladder.resourceProblems.push(`${loaded.name}: ${result.readError}`);
      return { result };
    }
    result.bytes = body.length;
    if (index === 0) loaded.avcCodec = prefix.length > 0 ? avcCodecFromInitSegment(prefix) ?? avcCodecFromAnnexB(body) : avcCodecFromAnnexB(body);
    return { result, body, bytes: prefix.length > 0 ? Buffer.concat([prefix, body]) : body };
  }
}

/** A segment read: its result so far, its own bytes, and what the decoder reads (map or init first). */
interface ReadSegment {
  result: LoadedSegment;
  body: Uint8Array;
  bytes: Uint8Array;
}

/** Bytes of segments held at once by one group before they are probed. */
const MAX_BATCH_BYTES = 64 * 1024 * 1024;

/** Most structure problems kept per playlist (a report shows a dozen). */
const MAX_STRUCTURE = 100;

/**
 * EXT-X-KEY and EXT-X-SESSION-KEY: verify does not decrypt, so an encrypted ladder cannot be checked and
 * is said to be so. A key URI is resolved with the segments' containment rules (one leaving the ladder is
 * a finding) and never fetched.
 */
function encryption(reader: ResourceReader, ladder: Ladder, keys: readonly KeyTag[], base: string, where: string, resolveUri: (base: string, uri: string, where: string) => string | undefined): void {
  for (const key of keys) {
    const method = key.method ?? '(none given)';
    if (method === 'NONE') continue;
    const resolved = key.uri === undefined ? undefined : resolveUri(base, key.uri, where);
    const target = key.uri === undefined ? 'no URI' : resolved === undefined ? `URI "${key.uri}" outside the ladder` : `URI ${reader.describe(resolved)}`;
    ladder.keyProblems.push(`${where}: line ${key.line}: METHOD=${method} (${target}): encrypted segments are not supported by verify`);
  }
}
