/** `hlsify upload <dir> s3://bucket/prefix`, and the upload step `transcode --upload` shares with it. */
import type { Command } from 'commander';
import type { PipelineListener } from '../../core/events.js';
import type { UploadResult } from '../../core/upload/upload-ladder.js';
import { contentTypeOverrides, parseFlags, uploadFlagsSchema, type uploadFlagsShape, endpointFrom } from '../options.js';
import { createProgressRenderer } from '../render/progress.js';
import { uploadJson, uploadSummary } from '../render/upload-summary.js';
import type { RunContext } from '../run-context.js';
import type { z } from 'zod';

type UploadFlags = { [K in keyof typeof uploadFlagsShape]?: z.infer<(typeof uploadFlagsShape)[K]> };

/** Runs the core upload with the CLI's flags. */
export async function runUpload(dir: string, url: string, flags: UploadFlags & { dryRun?: boolean | undefined }, ctx: RunContext, onEvent?: PipelineListener): Promise<UploadResult> {
  // Loaded on use: the S3 SDK takes a third of a second to import, which a plain transcode need not pay.
  const [{ openUploadDestination }, { uploadLadder }] = await Promise.all([import('../../core/upload/upload-destination.js'), import('../../core/upload/upload-ladder.js')]);
  const concurrency = flags.concurrency ?? 8;
  const destination = openUploadDestination(
    url,
    { endpoint: flags.endpoint, region: flags.region, maxSockets: concurrency },
    { multipartThreshold: flags.multipartThreshold },
    ctx.env,
  );
  try {
    return await uploadLadder({
      dir,
      location: destination.location,
      store: destination.store,
      concurrency,
      dryRun: flags.dryRun,
      headers: {
        segmentCacheControl: flags.segmentCacheControl,
        playlistCacheControl: flags.playlistCacheControl,
        contentTypes: contentTypeOverrides(flags.contentType),
      },
      signal: ctx.signal,
      onEvent,
    });
  } finally {
    destination.close();
  }
}

/** `transcode --upload`: a missing bucket or bad credentials are reported before encoding, not after. */
export async function checkUploadDestination(url: string, flags: UploadFlags, ctx: RunContext): Promise<void> {
  const [{ openUploadDestination }, { checkDestination }] = await Promise.all([import('../../core/upload/upload-destination.js'), import('../../core/upload/remote-sizes.js')]);
  const destination = openUploadDestination(url, { endpoint: flags.endpoint, region: flags.region, maxSockets: 1 }, {}, ctx.env);
  try {
    await checkDestination(destination.store, destination.location.prefix ? `${destination.location.prefix}/` : '', ctx.signal);
  } finally {
    destination.close();
  }
}

/** The upload flags, declared once for both commands. */
export function addUploadOptions(command: Command): Command {
  return command
    .option('--endpoint <url>', 'S3-compatible endpoint, path-style as aws --endpoint-url (env AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL; default: AWS)')
    .option('--region <region>', 'AWS region (env AWS_REGION or AWS_DEFAULT_REGION; default: the profile\'s, us-east-1 with --endpoint)')
    .option('--concurrency <n>', 'files uploaded at once', '8')
    .option('--segment-cache-control <value>', 'Cache-Control for segments (default: public, max-age=31536000, immutable)')
    .option('--playlist-cache-control <value>', 'Cache-Control for playlists (default: public, max-age=60)')
    .option('--content-type <ext=type...>', 'Content-Type override per extension, e.g. .m4s=video/iso.segment')
    .option('--multipart-threshold <size>', 'files at least this large go up in parts (default: 16MiB)');
}

export function registerUpload(program: Command, run: (action: (ctx: RunContext) => Promise<void>) => Promise<void>): void {
  addUploadOptions(
    program
      .command('upload')
      .description('upload a ladder directory to S3, skipping what is already there')
      .argument('<dir>', 'ladder directory (with master.m3u8)')
      .argument('<destination>', 's3://bucket/prefix'),
  )
    .option('--dry-run', 'list what would be uploaded; send nothing')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print a JSON summary on stdout')
    .option('-v, --verbose', 'show details on failure')
    .action(async (dir: string, destination: string, rawFlags: Record<string, unknown>) => {
      await run(async (ctx) => {
        const flags = parseFlags(uploadFlagsSchema, { ...rawFlags, endpoint: endpointFrom(rawFlags.endpoint, ctx.env) });
        const renderer = await createProgressRenderer(ctx.stderr, flags.quiet ?? false);
        try {
          const result = await runUpload(dir, destination, flags, ctx, renderer?.onEvent);
          renderer?.stop();
          if (flags.json) ctx.stdout.write(`${JSON.stringify(uploadJson(result), null, 2)}\n`);
          else if (!flags.quiet) ctx.stdout.write(`${uploadSummary(result)}\n`);
        } finally {
          renderer?.stop();
        }
      });
    });
}
