/**
 * Runs chunks of a chunked encode as ffmpeg processes: one per chunk, every video rendition of it decoded
 * once and split, at most `parallel` at once, beside the one audio and subtitle process when asked for.
 * Locally this is `hlsify transcode --chunk-seconds S --parallel N`; a worker runs one chunk at a time.
 */
import type { PipelineEvent } from '../events.js';
import { buildFfmpegArgs, renditionPaths } from '../encode/ffmpeg-args.js';
import { mediaJob, runProcesses, type EncodeRunOptions, type ProcessJob, type ProcessResult } from '../encode/run-encode.js';
import type { ChunkRange } from '../plan/chunks.js';
import type { EncodePlan } from '../plan/encode-plan.js';

export interface ChunkRunOptions extends EncodeRunOptions {
  /** Chunk processes at once. */
  parallel: number;
  /** Also encode the audio renditions and extract the subtitles (whole file, one process). */
  withMedia: boolean;
}

/** The ffmpeg process of one chunk: every video rendition of `plan` over the chunk's range. */
export function chunkJob(plan: EncodePlan, chunk: ChunkRange, workDir: string): ProcessJob {
  const all = plan.renditions.map((_, i) => i);
  return {
    index: chunk.index,
    names: plan.renditions.map((r) => `${r.name}#${chunk.index}`),
    dirs: plan.renditions.map((r) => renditionPaths(workDir, plan, r).dir),
    args: buildFfmpegArgs(plan, all, workDir, chunk),
  };
}

/** Encodes `chunks` of `plan` (and the audio and subtitles with `withMedia`) into `options.workDir`. */
export async function runChunkedEncode(plan: EncodePlan, chunks: readonly ChunkRange[], options: ChunkRunOptions): Promise<ProcessResult[]> {
  const media = options.withMedia ? mediaJob(plan, options.workDir, Number.MAX_SAFE_INTEGER) : undefined;
  const jobs = [...chunks.map((chunk) => chunkJob(plan, chunk, options.workDir)), ...(media ? [media] : [])];
  const progress = chunkProgress(plan, chunks);
  return runProcesses(jobs, { parallel: options.parallel, limited: (job) => job !== media, progress }, options);
}

/**
 * Progress over a set of chunks: each chunk's process reports its output time on the whole file's
 * timeline; the seconds past its start count towards the seconds of video the chunks cover.
 */
export function chunkProgress(plan: EncodePlan, chunks: readonly ChunkRange[], now: () => number = Date.now) {
  const started = now();
  const lengths = new Map(chunks.map((c) => [c.index, Math.max(0, (c.end ?? plan.input.duration) - c.start)]));
  const total = [...lengths.values()].reduce((a, b) => a + b, 0) || 1;
  const done = new Map<number, number>();
  return (index: number, outTimeSeconds: number): Extract<PipelineEvent, { type: 'encode-progress' }> => {
    const chunk = chunks.find((c) => c.index === index);
    if (chunk) done.set(index, Math.min(lengths.get(index) ?? 0, Math.max(done.get(index) ?? 0, outTimeSeconds - chunk.start)));
    const seconds = [...done.values()].reduce((a, b) => a + b, 0);
    const fraction = Math.min(1, seconds / total);
    const elapsedSeconds = (now() - started) / 1000;
    return {
      type: 'encode-progress',
      renditions: plan.renditions.map((r) => ({ name: r.name, fraction })),
      fraction,
      speed: elapsedSeconds > 0 ? seconds / elapsedSeconds : 0,
      elapsedSeconds,
      etaSeconds: fraction > 0.01 ? (elapsedSeconds * (1 - fraction)) / fraction : undefined,
    };
  };
}
