/**
 * `verifyLadder(location, options) → VerifyReport`: reads a ladder (directory, master playlist or
 * http(s) URL), measures its segments and checks RFC 8216 and Apple's HLS Authoring Specification.
 * Never prints; findings are in the report, only an unreadable master or a bad location throws.
 */
import { availableParallelism } from 'node:os';
import { TimeoutError, UsageError } from '../../errors.js';
import { openHttpLadder } from './http-reader.js';
import { loadLadder, type KnownSegments } from './load-ladder.js';
import type { ProbeCache } from './probe-cache.js';
import { openLocalLadder } from './local-reader.js';
import { DEFAULT_LIMITS, type ResourceLimits, type ResourceReader } from './resource-reader.js';
import { summarize, type RuleResult, type VerifyReport } from './report.js';
import { bandwidthRules } from './rules-bandwidth.js';
import { iFrameRules } from './rules-iframes.js';
import { keyframeRules } from './rules-keyframes.js';
import { limitRules } from './rules-limits.js';
import { playlistTagRules } from './rules-playlist-tags.js';
import { renditionRules } from './rules-renditions.js';
import { streamAttributeRules } from './rules-stream-attributes.js';
import { structureRules } from './rules-structure.js';

export interface VerifyOptions {
  ffprobe: string;
  /** ffmpeg, to decode segments in batches (one process per group rather than one per segment). */
  ffmpeg?: string | undefined;
  /** Segments checked earlier, by their bytes (transcode's checks beside the encode). */
  cache?: ProbeCache | undefined;
  /** Segments checked where they were written (a chunked job's tasks), by key. */
  known?: KnownSegments | undefined;
  /** Decode a sample of segments per playlist instead of all of them. */
  quick?: boolean | undefined;
  limits?: Partial<ResourceLimits> | undefined;
  /** ffprobe processes at once (default: the cores available). */
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Opens `location` with the reader its form calls for. */
export async function openLadder(location: string, limits: ResourceLimits, signal?: AbortSignal): Promise<ResourceReader> {
  if (/^https?:\/\//i.test(location)) return openHttpLadder(location, limits, signal);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location)) throw new UsageError(`${location}: only local paths and http(s) URLs are read`);
  return openLocalLadder(location);
}

/** Checks the ladder at `location`. */
export async function verifyLadder(location: string, options: VerifyOptions): Promise<VerifyReport> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  return withRunDeadline(limits, options.signal, async (signal) => verifyReader(await openLadder(location, limits, signal), { ...options, signal, limits: { ...limits, runTimeoutMs: Number.POSITIVE_INFINITY } }));
}

/**
 * Runs `work` under the run's deadline (limits.runTimeoutMs) and `outer`: past it every read and ffprobe
 * is stopped and the run fails with a TimeoutError naming the budget.
 */
async function withRunDeadline<T>(limits: ResourceLimits, outer: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (!Number.isFinite(limits.runTimeoutMs)) return work(outer ?? new AbortController().signal);
  const deadline = new AbortController();
  const seconds = limits.runTimeoutMs / 1000;
  const timer = setTimeout(() => deadline.abort(new TimeoutError(`verify stopped: the ladder was not read and checked within ${seconds} s (--timeout)`)), limits.runTimeoutMs);
  try {
    return await work(outer ? AbortSignal.any([deadline.signal, outer]) : deadline.signal);
  } finally {
    clearTimeout(timer);
  }
}

/** Checks the ladder `reader` reads. */
export async function verifyReader(reader: ResourceReader, options: VerifyOptions): Promise<VerifyReport> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const quick = options.quick ?? false;
  const ladder = await withRunDeadline(limits, options.signal, (signal) =>
    loadLadder(reader, { ffprobe: options.ffprobe, ffmpeg: options.ffmpeg, cache: options.cache, known: options.known, limits, quick, concurrency: options.concurrency ?? availableParallelism(), signal }),
  );
  const rules: RuleResult[] = [
    ...structureRules(ladder),
    ...playlistTagRules(ladder),
    ...bandwidthRules(ladder),
    ...streamAttributeRules(ladder),
    ...keyframeRules(ladder),
    ...iFrameRules(ladder),
    ...renditionRules(ladder),
    ...limitRules(ladder),
  ];
  return {
    location: /^https?:/.test(reader.master) ? reader.master : `${reader.root}/${reader.master}`,
    rules,
    summary: summarize(rules),
    segments: ladder.segments,
    iFrameRanges: ladder.iFrameRanges,
    quick,
  };
}
