/**
 * The library's `transcode` and `probeInput`: the core pipeline with the CLI's defaults filled in
 * (ffmpeg and ffprobe found and checked, the size, disk and time limits), for programs that import hlsify.
 */
import { availableParallelism } from 'node:os';
import { DEFAULTS, readEnv } from '../config.js';
import { transcode as runTranscode, type TranscodeOptions as CoreTranscodeOptions, type TranscodeResult } from '../core/transcode.js';
import { planLadder as planCore, type PlanOptions } from '../core/plan/plan-ladder.js';
import type { EncodePlan } from '../core/plan/encode-plan.js';
import type { RungSpec } from '../core/plan/rungs.js';
import type { MediaInfo } from '../core/probe/media-info.js';
import { probeInput as probeCore } from '../core/probe/probe.js';
import { findBinaries } from '../core/tools/binaries.js';
import { UsageError } from '../errors.js';

/** Rungs by short side (`[1080, 720]`) or with a bit rate in b/s (`{ size: 720, bitrate: 2_800_000 }`). */
export type LadderInput = readonly (number | RungSpec)[];

export type LadderPlanOptions = Omit<PlanOptions, 'cores' | 'ladder'> & {
  ladder?: LadderInput | undefined;
  /** Cores the job may use; default: all of this machine's. */
  cores?: number | undefined;
};

export interface TranscodeOptions extends Omit<CoreTranscodeOptions, 'binaries' | 'plan' | 'maxVideoSize' | 'minDiskSpace' | 'timeoutSeconds'> {
  /** Planning choices (ladder, preset, segment type…); the defaults are the CLI's. */
  plan?: LadderPlanOptions | undefined;
  /** ffmpeg and ffprobe paths; default HLSIFY_FFMPEG / HLSIFY_FFPROBE, else from PATH. */
  ffmpeg?: string | undefined;
  ffprobe?: string | undefined;
  /** Refuse inputs above this many bytes (default 10 GiB). */
  maxVideoSize?: number | undefined;
  /** Free bytes the work dir must keep (default 1 GiB). */
  minDiskSpace?: number | undefined;
  /** Hard limit on the whole run in seconds, as the CLI's --timeout (default MAX_PROCESSING_TIME, else 2 h; null: none). */
  timeoutSeconds?: number | null | undefined;
}

/** The run's time limit: the one given, else the CLI's default (MAX_PROCESSING_TIME, else 2 h); null lifts it. */
export function libraryTimeoutSeconds(given: number | null | undefined, env: { MAX_PROCESSING_TIME?: number | undefined }): number | undefined {
  if (given === null) return undefined;
  const seconds = given ?? env.MAX_PROCESSING_TIME ?? DEFAULTS.maxProcessingTime;
  // setTimeout fires at once past 2^31 ms (about 24.8 days): a longer limit is no limit.
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`timeoutSeconds: expected a positive number of seconds, got ${seconds}`);
  return seconds * 1000 > 2 ** 31 - 1 ? undefined : seconds;
}

function toRungs(ladder: LadderInput | undefined): RungSpec[] | undefined {
  return ladder?.map((rung) => (typeof rung === 'number' ? { size: rung } : rung));
}

function toPlanOptions(plan: LadderPlanOptions = {}): PlanOptions {
  return { ...plan, ladder: toRungs(plan.ladder), cores: plan.cores ?? availableParallelism() };
}

/** Turns a video into an HLS ladder in `outputDir`; events go to `onEvent`, `signal` stops it (ffmpeg killed, temp removed). */
export async function transcode(options: TranscodeOptions): Promise<TranscodeResult> {
  const { ffmpeg, ffprobe, plan, timeoutSeconds, ...rest } = options;
  const env = readEnv(process.env);
  const timeout = libraryTimeoutSeconds(timeoutSeconds, env);
  const binaries = await findBinaries({ ffmpeg, ffprobe }, env, options.signal);
  return runTranscode({
    ...rest,
    binaries,
    timeoutSeconds: timeout,
    plan: toPlanOptions(plan),
    maxVideoSize: options.maxVideoSize ?? DEFAULTS.maxVideoSize,
    minDiskSpace: options.minDiskSpace ?? DEFAULTS.minDiskSpace,
    killGraceMs: options.killGraceMs ?? DEFAULTS.killGraceMs,
  });
}

/** Probes a video with the same hardened ffprobe call the pipeline uses. Rejects with InputError for anything unusable. */
export async function probeInput(input: string, options: { ffprobe?: string | undefined; signal?: AbortSignal | undefined } = {}): Promise<MediaInfo> {
  const ffprobe = options.ffprobe ?? process.env.HLSIFY_FFPROBE ?? 'ffprobe';
  return probeCore(ffprobe, input, options.signal ? { signal: options.signal } : {});
}

/** The encode plan hlsify would carry out for `media` (pure: no disk, no processes). */
export function planLadder(media: MediaInfo, options: LadderPlanOptions = {}): EncodePlan {
  return planCore(media, toPlanOptions(options));
}
