/**
 * The core pipeline behind `hlsify transcode` (and later upload, consume and bench): probe → plan →
 * encode → measure and write playlists → verify → publish, under one AbortSignal, with the temp dir
 * removed on every path. Reports through events; never prints, never exits.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { TimeoutError, UsageError, throwIfAborted } from '../errors.js';
import type { PipelineListener } from './events.js';
import { runEncodePlan } from './encode/run-encode.js';
import { assembleRenditions } from './chunks/assemble-renditions.js';
import { chunkPlaylistPaths, readChunkOutput } from './chunks/chunk-manifest.js';
import { runChunkedEncode } from './chunks/encode-chunks.js';
import { chunkingProblem, planChunks, type ChunkRange } from './plan/chunks.js';
import type { MasterIframeStream } from './playlist/master-playlist.js';
import { rm } from 'node:fs/promises';
import { checkDiskSpace } from './finish/disk-space.js';
import { checkOutputDir, publishOutput } from './finish/publish-output.js';
import { refuseDangerousOutputDir } from './finish/output-guard.js';
import { verifyLadder } from './finish/verify-ladder.js';
import { createWorkspace } from './finish/workspace.js';
import type { EncodePlan } from './plan/encode-plan.js';
import { DEFAULT_KEYFRAME_INTERVAL } from './plan/keyframes.js';
import type { PlanOptions } from './plan/plan-ladder.js';
import { measureAudioRendition, measureRendition, withGroups, writeMasterPlaylist, type MediaRenditionResult, type RenditionResult } from './playlist/measure-renditions.js';
import { writeSubtitleRenditions, type SegmentTimeline } from './playlist/subtitle-renditions.js';
import { writeIframePlaylist } from './playlist/write-iframe-playlists.js';
import type { Binaries } from './tools/binaries.js';
import type { PresetChoice } from './plan/cost-model.js';
import { phaseClock, type PhaseSeconds } from './phase-clock.js';
import { probeAndPlan } from './probe-and-plan.js';
import { checkLadder } from './verify/check-ladder.js';
import { startPrecheck, type Precheck, type PrecheckRendition } from './verify/precheck.js';
import { audioPaths, renditionPaths } from './encode/ffmpeg-args.js';
import type { VerifyReport, VerifySummary } from './verify/report.js';

export interface TranscodeOptions {
  input: string;
  outputDir: string;
  binaries: Pick<Binaries, 'ffmpeg' | 'ffprobe'> & Partial<Pick<Binaries, 'launcher' | 'ffmpegVersion'>>;
  plan: Omit<PlanOptions, 'cores'> & { cores?: number | undefined };
  /**
   * The calibration `hlsify bench` wrote, read when the speed floor has to choose a preset and
   * plan.costModel is not given (default: the user's cache dir; null: do not read one).
   */
  calibrationFile?: string | null | undefined;
  /** Accept an input without video: an audio-only ladder. */
  allowAudioOnly?: boolean | undefined;
  /** Parent of the job's temp dir (default: the OS temp dir). */
  tmpRoot?: string | undefined;
  keepTemp?: boolean | undefined;
  /** Replace a non-empty output dir. */
  force?: boolean | undefined;
  maxVideoSize: number;
  /** Longest input accepted, seconds (an input claiming more is refused before anything is encoded). */
  maxDurationSeconds?: number | undefined;
  minDiskSpace: number;
  /** Check the ladder against RFC 8216 and Apple's rules before publishing it (default true). */
  verify?: boolean | undefined;
  /**
   * Chunked encoding: cut the video into chunks of this many seconds (a whole number of segments),
   * encoded by `plan.parallel` ffmpeg processes at once (default: one per core) and joined into the
   * ladder an unchunked encode makes.
   */
  chunkSeconds?: number | undefined;
  /** Hard limit on the whole run, seconds. */
  timeoutSeconds?: number | undefined;
  killGraceMs?: number | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: PipelineListener | undefined;
}

export interface TranscodeResult {
  input: { path: string; size: number; duration: number; width: number; height: number; fps: number; hasAudio: boolean };
  outputDir: string;
  masterPlaylist: string;
  renditions: RenditionResult[];
  /** Audio and subtitle renditions (EXT-X-MEDIA). */
  media: MediaRenditionResult[];
  preset: string;
  /** Why that preset: given, the size rule, or the speed floor. */
  presetChoice: PresetChoice;
  /** Renditions per ffmpeg process, as planned. */
  processes: string[][];
  /** Temp dir kept with --keep-temp. */
  keptTempDir: string | undefined;
  /** What `hlsify verify` found on the published ladder (every MUST held); undefined when not checked. */
  verify: (VerifySummary & Pick<VerifyReport, 'segments' | 'iFrameRanges'>) | undefined;
  /** The full report behind `verify`. */
  verifyReport: VerifyReport | undefined;
  wallSeconds: number;
  encodeSeconds: number;
  /** Seconds each stage took (probe, plan, encode, playlists, verify, finish), from its stage events. */
  phases: PhaseSeconds;
  /** Input seconds per wall second for the whole run. */
  speed: number;
}

/** The first video rendition's segments, which every rendition shares. */
function subtitleTimeline(plan: EncodePlan, measured: readonly RenditionResult[], ladderDir: string): SegmentTimeline | undefined {
  const first = measured[0];
  if (!first) return undefined;
  const dir = resolve(ladderDir, first.name);
  const extension = plan.segment.type === 'fmp4' ? 'm4s' : 'ts';
  return {
    dir,
    firstSegment: `segment_00000.${extension}`,
    initSegment: plan.segment.type === 'fmp4' ? 'init.mp4' : undefined,
    segmentDurations: first.segmentDurations,
    targetDuration: first.targetDuration,
  };
}

/** Runs the whole pipeline for one input. */
export async function transcode(options: TranscodeOptions): Promise<TranscodeResult> {
  const started = Date.now();
  const clock = phaseClock(options.onEvent ?? (() => {}));
  const emit = clock.emit;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const timer =
    options.timeoutSeconds === undefined
      ? undefined
      : setTimeout(() => controller.abort(new TimeoutError(`stopped after the ${options.timeoutSeconds} s time limit (MAX_PROCESSING_TIME / --timeout)`)), options.timeoutSeconds * 1000);
  const outputDir = resolve(options.outputDir);
  let workspace: Awaited<ReturnType<typeof createWorkspace>> | undefined;
  let precheck: Precheck | undefined;
  try {
    await refuseDangerousOutputDir(outputDir, options.input);
    const { media, plan } = await probeAndPlan(options, signal, emit, () => checkOutputDir(outputDir, options.force ?? false));
    workspace = await createWorkspace(options.tmpRoot);
    await checkDiskSpace(workspace.dir, media.size, options.minDiskSpace);
    const askedInterval = options.plan.keyframeInterval ?? DEFAULT_KEYFRAME_INTERVAL;
    if (plan.video.keyframeInterval !== askedInterval) {
      emit({ type: 'warning', message: `keyframe interval ${Number(plan.video.keyframeInterval.toFixed(3))} s instead of ${askedInterval} s, so that ${plan.segment.duration} s segments are whole GOPs` });
    }
    emit({ type: 'planned', plan, workDir: workspace.dir });
    for (const message of plan.skipped) emit({ type: 'warning', message });

    const chunks = options.chunkSeconds === undefined ? undefined : chunksOf(plan, options.chunkSeconds);
    if (chunks) emit({ type: 'chunks-planned', chunks: chunks.length, chunkSeconds: options.chunkSeconds!, parallel: chunkParallel(options, chunks.length) });
    emit({ type: 'stage', stage: 'encode' });
    const encodeStarted = Date.now();
    const run = { ffmpeg: options.binaries.ffmpeg, launcher: options.binaries.launcher, workDir: workspace.ladderDir, signal, onEvent: emit, killGraceMs: options.killGraceMs };
    // The checks start on each segment as soon as ffmpeg closes it, on the cycles the encode leaves idle.
    if (options.verify !== false && !chunks) precheck = startPrecheck(precheckRenditions(plan, workspace.ladderDir), { ...options.binaries, concurrency: availableParallelism(), signal });
    if (chunks) await runChunkedEncode(plan, chunks, { ...run, parallel: chunkParallel(options, chunks.length), withMedia: true });
    else await runEncodePlan(plan, run);
    const encodeSeconds = (Date.now() - encodeStarted) / 1000;
    await precheck?.finish();
    throwIfAborted(signal);

    emit({ type: 'stage', stage: 'playlists' });
    const { measured, iframes, firstPts } = chunks ? await joinChunks(plan, chunks, workspace.ladderDir) : await measureWhole(plan, workspace.ladderDir);
    const audio = await Promise.all(plan.audioRenditions.map((r) => measureAudioRendition(r, workspace!.ladderDir)));
    // An audio-only ladder is checked on its audio; otherwise audio may legitimately end before the video.
    verifyLadder(measured.length > 0 ? measured : audio, media.duration);
    const timeline = subtitleTimeline(plan, measured, workspace.ladderDir);
    const subtitles = await writeSubtitleRenditions(plan, timeline && { ...timeline, firstPts }, workspace.ladderDir, options.binaries.ffprobe, signal);
    const renditions = withGroups(measured, [...audio, ...subtitles]);
    await writeMasterPlaylist(plan, renditions, workspace.ladderDir, [...audio, ...subtitles], iframes);
    throwIfAborted(signal);

    // The same checks as `hlsify verify`, on the ladder before anyone sees it: a failing MUST publishes nothing.
    emit({ type: 'stage', stage: 'verify' });
    const verifyReport = options.verify === false ? undefined : await checkLadder(workspace.ladderDir, options.binaries, signal, precheck?.cache);

    emit({ type: 'stage', stage: 'finish' });
    await publishOutput(workspace.ladderDir, outputDir, options.force ?? false);
    const phases = clock.finish();
    const wallSeconds = (Date.now() - started) / 1000;
    return {
      input: {
        path: media.path,
        size: media.size,
        duration: media.duration,
        width: media.video?.displayWidth ?? 0,
        height: media.video?.displayHeight ?? 0,
        fps: media.video?.fps ?? 0,
        hasAudio: media.audio !== undefined,
      },
      outputDir,
      masterPlaylist: resolve(outputDir, 'master.m3u8'),
      renditions,
      media: [...audio, ...subtitles],
      preset: plan.video.preset,
      presetChoice: plan.presetChoice,
      processes: plan.processes.map((members) => members.map((i) => plan.renditions[i]!.name)),
      keptTempDir: options.keepTemp ? workspace.dir : undefined,
      verify: verifyReport ? { ...verifyReport.summary, segments: verifyReport.segments, iFrameRanges: verifyReport.iFrameRanges } : undefined,
      verifyReport: verifyReport ? { ...verifyReport, location: resolve(outputDir, 'master.m3u8') } : undefined,
      wallSeconds,
      encodeSeconds,
      phases,
      speed: media.duration / wallSeconds,
    };
  } finally {
    if (timer) clearTimeout(timer);
    await precheck?.close();
    if (workspace && !options.keepTemp) await workspace.remove();
  }
}

/** Where ffmpeg writes each video and audio rendition of an unchunked encode, for the checks beside it. */
function precheckRenditions(plan: EncodePlan, ladderDir: string): PrecheckRendition[] {
  const at = (paths: ReturnType<typeof renditionPaths>, video: boolean) => ({ dir: paths.dir, video, initSegment: paths.initSegment });
  return [...plan.renditions.map((r) => at(renditionPaths(ladderDir, plan, r), true)), ...plan.audioRenditions.map((r) => at(audioPaths(ladderDir, plan, r), false))];
}

/** The video renditions of an unchunked encode: measured from ffmpeg's playlists, I-frame playlists indexed from the segments. */
async function measureWhole(plan: EncodePlan, ladderDir: string): Promise<{ measured: RenditionResult[]; iframes: MasterIframeStream[]; firstPts: number | undefined }> {
  const measured = await Promise.all(plan.renditions.map((_, i) => measureRendition(plan, i, ladderDir)));
  const iframes = await Promise.all(measured.map((r) => writeIframePlaylist(r, ladderDir)));
  return { measured, iframes, firstPts: undefined };
}

/** The video renditions of a chunked encode: each chunk's output read and checked, joined into whole playlists. */
async function joinChunks(plan: EncodePlan, chunks: readonly ChunkRange[], ladderDir: string): Promise<{ measured: RenditionResult[]; iframes: MasterIframeStream[]; firstPts: number | undefined }> {
  const manifests = await Promise.all(chunks.map((chunk) => readChunkOutput(plan, chunk, ladderDir)));
  await Promise.all(chunks.flatMap((chunk) => chunkPlaylistPaths(plan, chunk, ladderDir)).map((path) => rm(path, { force: true })));
  const { renditions, iframes, firstPts } = await assembleRenditions(plan, manifests, ladderDir);
  return { measured: renditions, iframes, firstPts };
}

/** The chunks of `plan`, or a UsageError when the plan cannot be chunked. */
function chunksOf(plan: EncodePlan, chunkSeconds: number): ChunkRange[] {
  const problem = chunkingProblem(plan, chunkSeconds);
  if (problem) throw new UsageError(problem);
  return planChunks(plan, chunkSeconds);
}

/** Chunk processes at once: --parallel, else one per core. */
function chunkParallel(options: TranscodeOptions, chunks: number): number {
  return Math.max(1, Math.min(chunks, options.plan.parallel ?? availableParallelism()));
}

