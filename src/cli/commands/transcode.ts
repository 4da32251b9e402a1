/** `hlsify transcode <input>`: flags → core transcode → progress and summary. */
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULTS, readEnv } from '../../config.js';
import { defaultCalibrationPath } from '../../core/calibration/calibration-file.js';
import { DEFAULT_MIN_SPEED } from '../../core/plan/cost-model.js';
import { parseFlags, transcodeFlagsSchema, endpointFrom } from '../options.js';
import { createProgressRenderer } from '../render/progress.js';
import { transcodeJson, transcodeSummary } from '../render/summary.js';
import { uploadJson, uploadSummary } from '../render/upload-summary.js';
import { parseS3Url } from '../../core/upload/s3-location.js';
import { addUploadOptions, checkUploadDestination, runUpload } from './upload.js';
import { DEFAULT_PREVIEW_OPTIONS, servePreview } from './preview.js';
import type { RunContext } from '../run-context.js';

/** `<dir>/<name>-hls` beside the input. */
export function defaultOutputDir(input: string): string {
  const absolute = resolve(input);
  return join(dirname(absolute), `${basename(absolute, extname(absolute))}-hls`);
}

export function registerTranscode(program: Command, run: (action: (ctx: RunContext) => Promise<void>) => Promise<void>): void {
  const command = program
    .command('transcode')
    .description('turn a video into an adaptive-bitrate HLS ladder')
    .argument('<input>', 'video file to transcode')
    .option('-o, --output <dir>', 'output directory (default: <input-name>-hls beside the input)')
    .option('--ladder <rungs>', 'rungs by short side, optionally with bit rates: 1080,720,480,360 or 720:2800k,360:800k')
    .option('--preset <name>', 'x264 preset (env FFMPEG_PRESET; default: from input size and duration, made faster by --speed)')
    .option('--speed <x>', 'speed floor, x realtime: without --preset, the slowest preset predicted to reach it on this machine, 0 = off (env HLSIFY_MIN_SPEED; default: 0.8)')
    .option('--crf <n>', 'capped-CRF quality 0-51 instead of target bit rates (env FFMPEG_CRF)')
    .option('--segment-duration <seconds>', 'target segment duration', '6')
    .option('--segment-type <type>', 'ts or fmp4', 'ts')
    .option('--keyframe-interval <seconds>', 'seconds between IDR frames, dividing the segment duration (default: 2, or the longest below 2 that divides it)')
    .option('--deinterlace <mode>', 'auto (detect from flags and picture), off, frame or field (force bwdif at frame or field rate)', 'auto')
    .option('--processes <n>', 'ffmpeg processes the ladder is split into (default: from available cores)')
    .option('--parallel <n>', 'ffmpeg processes running at once (default: all; with --chunk-seconds: one per core)')
    .option('--chunk-seconds <s>', 'encode the video in chunks of this many seconds (a whole number of segments), --parallel at once, joined into the same ladder')
    .option('--threads <n>', 'x264 threads per rendition, 0 = auto (env FFMPEG_THREADS)')
    .option('--timeout <duration>', 'stop after this long: 3600, 90s, 30m, 2h (env MAX_PROCESSING_TIME; default: 2h)')
    .option('--tmp-dir <dir>', 'parent of the temp work dir (env HLSIFY_TMP_DIR; default: the OS temp dir)')
    .option('--keep-temp', 'keep the temp work dir')
    .option('--force', 'replace an existing, non-empty output directory')
    .option('--ffmpeg <path>', 'ffmpeg binary (env HLSIFY_FFMPEG; default: from PATH)')
    .option('--ffprobe <path>', 'ffprobe binary (env HLSIFY_FFPROBE; default: from PATH)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print a JSON result on stdout')
    .option('-v, --verbose', 'show details (ffmpeg errors) on failure')
    .option('--audio <layout>', 'separate: audio renditions of their own, encoded once; muxed: audio inside every video rendition', 'separate')
    .option('--audio-tracks <tags>', 'audio tracks to keep: all, or language tags such as eng,fra', 'all')
    .option('--surround <on|off>', 'also a 5.1 AAC rendition for multichannel tracks', 'on')
    .option('--allow-audio-only', 'turn an input without video into an audio-only ladder instead of failing')
    .option('--upload <s3-url>', 'then upload the ladder to s3://bucket/prefix, checked before encoding (see hlsify upload)')
    .option('--preview', 'then serve the ladder with a player page until Ctrl-C (see hlsify preview)')
    .option('--no-verify', 'publish without the hlsify verify checks (RFC 8216, Apple HLS rules) on the new ladder');
  addUploadOptions(command).action(async (input: string, rawFlags: Record<string, unknown>) => {
      await run(async (ctx) => {
        const flags = parseFlags(transcodeFlagsSchema, { ...rawFlags, endpoint: endpointFrom(rawFlags.endpoint, ctx.env) });
        // A bad destination is found before minutes of encoding, not after.
        if (flags.upload) parseS3Url(flags.upload);
        if (flags.upload && flags.endpoint) (await import('../../core/upload/s3-client.js')).normaliseEndpoint(flags.endpoint);
        const env = readEnv(ctx.env);
        // Loaded on use, as the pipeline below: --help and the other commands need neither.
        const { findBinaries } = await import('../../core/tools/binaries.js');
        const [binaries] = await Promise.all([
          findBinaries({ ffmpeg: flags.ffmpeg, ffprobe: flags.ffprobe }, env, ctx.signal),
          flags.upload ? checkUploadDestination(flags.upload, flags, ctx) : undefined,
        ]);
        const quiet = flags.quiet ?? false;
        const renderer = await createProgressRenderer(ctx.stderr, quiet);
        let published: string | undefined;
        try {
          // Loaded on use: the pipeline (and execa under it) is not needed for --help or another command.
          const { transcode } = await import('../../core/transcode.js');
          const result = await transcode({
            input,
            outputDir: flags.output ?? defaultOutputDir(input),
            binaries,
            calibrationFile: defaultCalibrationPath(ctx.env),
            plan: {
              ladder: flags.ladder,
              preset: flags.preset ?? env.FFMPEG_PRESET,
              minSpeed: flags.speed ?? env.HLSIFY_MIN_SPEED ?? DEFAULT_MIN_SPEED,
              crf: flags.crf ?? env.FFMPEG_CRF,
              segmentDuration: flags.segmentDuration,
              segmentType: flags.segmentType,
              keyframeInterval: flags.keyframeInterval,
              deinterlace: flags.deinterlace,
              processes: flags.processes,
              parallel: flags.parallel,
              threads: flags.threads ?? env.FFMPEG_THREADS,
              audio: flags.audio,
              audioTracks: flags.audioTracks,
              surround: flags.surround === undefined ? undefined : flags.surround === 'on',
            },
            allowAudioOnly: flags.allowAudioOnly,
            tmpRoot: flags.tmpDir ?? env.HLSIFY_TMP_DIR,
            keepTemp: flags.keepTemp,
            force: flags.force,
            maxVideoSize: env.MAX_VIDEO_SIZE ?? DEFAULTS.maxVideoSize,
            minDiskSpace: env.MIN_DISK_SPACE ?? DEFAULTS.minDiskSpace,
            chunkSeconds: flags.chunkSeconds,
            timeoutSeconds: flags.timeout ?? env.MAX_PROCESSING_TIME ?? DEFAULTS.maxProcessingTime,
            killGraceMs: DEFAULTS.killGraceMs,
            verify: flags.verify,
            signal: ctx.signal,
            onEvent: renderer?.onEvent,
          });
          const uploaded = flags.upload ? await runUpload(result.outputDir, flags.upload, flags, ctx, renderer?.onEvent) : undefined;
          renderer?.stop();
          if (flags.json) ctx.stdout.write(`${JSON.stringify({ ...transcodeJson(result), ...(uploaded ? { upload: uploadJson(uploaded) } : {}) }, null, 2)}\n`);
          else if (!quiet) ctx.stdout.write(`${transcodeSummary(result)}\n${uploaded ? `${uploadSummary(uploaded)}\n` : ''}`);
          published = result.outputDir;
        } finally {
          renderer?.stop();
        }
        // With --json, stdout stays one JSON document: the preview's URL goes to stderr.
        if (flags.preview && published) await servePreview(published, DEFAULT_PREVIEW_OPTIONS, ctx, flags.json ? ctx.stderr : ctx.stdout);
      });
    });
}
