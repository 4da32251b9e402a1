/**
 * Checks segments while the encoder is still writing the rest: each segment ffmpeg has written out, and
 * the I-frame ranges that will be cut from it, is probed and decoded at the lowest priority, on the
 * cycles the encode leaves idle, and kept by the hash of its bytes. verify, run on the finished ladder,
 * takes a probe from here only for bytes identical to the ones it reads, and checks everything else itself.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { mp4Keyframes, mp4VideoTrack } from '../playlist/mp4-keyframes.js';
import { tsKeyframes } from '../playlist/ts-keyframes.js';
import { ProbeCache } from './probe-cache.js';
import { MAX_BATCH } from './batch-decode.js';
import { probeSegments, type ProbeRequest } from './probe-segments.js';

export interface PrecheckRendition {
  dir: string;
  /** Video renditions also get their I-frame ranges checked. */
  video: boolean;
  /** fMP4: the init segment's file name in `dir`. */
  initSegment?: string | undefined;
}

export interface PrecheckOptions {
  ffmpeg: string;
  ffprobe: string;
  concurrency: number;
  signal: AbortSignal;
  /** How often the rendition folders are looked at, ms. */
  intervalMs?: number | undefined;
}

export interface Precheck {
  /** What was checked (and what is still being checked) so far. */
  cache: ProbeCache;
  /** The encode is over: one last look takes what it wrote (a batch per rendition at most) at full priority; verify checks what is left. */
  finish(): Promise<void>;
  /** Stops everything and waits for every process it started. */
  close(): Promise<void>;
}

/** The lowest priority: the encode always comes first. */
const IDLE = 19;
/** ffmpeg's segment names (segment_%05d), which sort in the order it writes them. */
const SEGMENT_FILE = /^segment_\d{5}\.(ts|m4s)$/;

/** Starts checking the segments of `renditions` as ffmpeg closes them. */
export function startPrecheck(renditions: readonly PrecheckRendition[], options: PrecheckOptions): Precheck {
  const cache = new ProbeCache();
  const controller = new AbortController();
  const signal = AbortSignal.any([options.signal, controller.signal]);
  const limit = pLimit(options.concurrency);
  const seen = renditions.map(() => new Set<string>());
  const sizes = new Map<string, number>();
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  /** Ends the wait between two scans. */
  let wake: (() => void) | undefined;

  const track = <T>(promise: Promise<T>): Promise<T> => {
    running.add(promise);
    void promise.finally(() => running.delete(promise)).catch(() => {});
    return promise;
  };

  /** The segments of rendition `r` ffmpeg has finished (all of them once the encode is over). */
  const finished = async (rendition: PrecheckRendition, r: number, all: boolean, most: number): Promise<string[]> => {
    // ffmpeg writes a segment out when it closes it: a segment is taken once a later one exists or its
    // size held for a whole interval. (A guess that proved wrong costs only the work: a probe counts
    // only for bytes identical to the ones verify reads.)
    const files = (await readdir(rendition.dir).catch(() => [] as string[])).filter((n) => SEGMENT_FILE.test(n) && !seen[r]!.has(n)).sort();
    const names: string[] = [];
    for (const [i, name] of files.entries()) {
      const path = join(rendition.dir, name);
      const size = await stat(path).then((s) => s.size, () => -1);
      if (all || i < files.length - 1 || (size > 0 && sizes.get(path) === size)) names.push(name);
      sizes.set(path, size);
    }
    names.splice(most);
    names.forEach((n) => seen[r]!.add(n));
    return names;
  };

  /** Probes what ffmpeg has finished, every rendition's together: one process per core, not per rendition. */
  const scan = async (all: boolean): Promise<void> => {
    // Bytes are held only for what runs now: a scan waits for a free process slot, and takes at most a
    // batch per rendition (what is left is checked later, or by verify itself).
    if (!all && limit.activeCount + limit.pendingCount >= options.concurrency) return;
    const segments: ProbeRequest[] = [];
    const ranges: ProbeRequest[] = [];
    let fmp4 = false;
    await Promise.all(
      renditions.map(async (rendition, r) => {
        const names = await finished(rendition, r, all, MAX_BATCH);
        if (names.length === 0) return;
        const init = rendition.initSegment ? await readFile(join(rendition.dir, rendition.initSegment)).catch(() => undefined) : undefined;
        if (rendition.initSegment && !init) return;
        fmp4 ||= init !== undefined;
        for (const name of names) {
          const body = await readFile(join(rendition.dir, name)).catch(() => undefined);
          if (!body) continue;
          segments.push({ bytes: init ? Buffer.concat([init, body]) : body, decode: true });
          if (rendition.video) ranges.push(...iFrameRequests(body, init));
        }
      }),
    );
    // Segments and I-frame ranges apart (only a range may end inside its fragment); segments spread over
    // the cores, largest first, the ranges (single frames) in one process.
    segments.sort((x, y) => y.bytes.length - x.bytes.length);
    const groups: ProbeRequest[][] = Array.from({ length: Math.min(segments.length, Math.max(options.concurrency, Math.ceil(segments.length / MAX_BATCH))) }, () => []);
    segments.forEach((request, i) => groups[i % groups.length]!.push(request));
    const batches: [ProbeRequest[], boolean][] = [...groups.map((g): [ProbeRequest[], boolean] => [g, false]), ...(ranges.length > 0 ? [[ranges, fmp4] as [ProbeRequest[], boolean]] : [])];
    for (const [requests, partialRanges] of batches) {
      const probes = track(limit(() => probeSegments(requests, { ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, priority: all ? undefined : IDLE, partialRanges, signal })));
      requests.forEach((request, i) => cache.set(request.bytes, probes.then((p) => p[i]!)));
    }
  };

  const loop = track(
    (async () => {
      const interval = options.intervalMs ?? 250;
      while (!stopped && !signal.aborted) {
        await scan(false);
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, interval);
          signal.addEventListener('abort', done, { once: true });
          wake = done;
        });
      }
    })(),
  );
  void loop.catch(() => {});

  return {
    cache,
    finish: async () => {
      stopped = true;
      wake?.();
      await loop;
      await scan(true);
    },
    close: async () => {
      stopped = true;
      wake?.();
      controller.abort();
      await Promise.allSettled([...running]);
    },
  };
}

/**
 * The bytes verify will read for each I-frame range of this segment, cut as the I-frame playlists cut
 * them: TS ranges that carry their own PAT/PMT, fMP4 ranges after the init segment. A range needing a
 * map (or any other cut) is simply not found in the cache, and verify decodes it then.
 */
function iFrameRequests(body: Uint8Array, init: Uint8Array | undefined): ProbeRequest[] {
  try {
    if (init) {
      const track = mp4VideoTrack(init);
      return mp4Keyframes(body, track).map((k) => ({ bytes: Buffer.concat([init, body.subarray(k.offset, k.offset + k.length)]), decode: true }));
    }
    return tsKeyframes(body).keyframes.filter((k) => k.selfContained).map((k) => ({ bytes: body.subarray(k.offset, k.offset + k.length), decode: true }));
  } catch {
    return [];
  }
}
