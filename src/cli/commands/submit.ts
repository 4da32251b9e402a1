/**
 * `hlsify submit <input> --output s3://bucket/prefix`: puts a transcode job on the work queue for
 * `hlsify consume` workers (a local file is first uploaded to --staging) and, with --wait, follows it to
 * the end with the same kind of progress display as transcode, exiting with the job's outcome.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, presetSchema, readEnv, wholeNumberSchema } from '../../config.js';
import { EncodeError, InputError, TimeoutError, UsageError, type HlsifyError } from '../../errors.js';
import { endpointFrom, ladderSchema, parseFlags } from '../options.js';
import type { RunContext } from '../run-context.js';

const submitFlagsSchema = z
  .object({
    output: z.string().min(1, 'expected s3://bucket/prefix'),
    ladder: ladderSchema.optional(),
    preset: presetSchema.optional(),
    crf: wholeNumberSchema(0, 51).optional(),
    segmentDuration: wholeNumberSchema(1, 60).optional(),
    segmentType: z.enum(['ts', 'fmp4'], { error: 'expected ts or fmp4' }).optional(),
    priority: wholeNumberSchema(0, 9).optional(),
    chunkSeconds: wholeNumberSchema(1, 3600).optional(),
    webhook: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
    amqp: z.string().regex(/^amqps?:\/\//, 'expected amqp://user:pass@host:port/vhost').optional(),
    queue: z.string().regex(/^[\w.:-]{1,200}$/, 'expected a queue name (letters, digits, . _ : -)').optional(),
    eventsExchange: z.string().regex(/^[\w.:-]{1,200}$/).optional(),
    staging: z.string().regex(/^s3:\/\/[^/]+/, 'expected s3://bucket/prefix').optional(),
    endpoint: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    wait: z.boolean().optional(),
    quiet: z.boolean().optional(),
    json: z.boolean().optional(),
    verbose: z.boolean().optional(),
  })
  .strict();

/** The error `submit --wait` exits with when the job failed for good. */
function jobFailure(jobId: string, reason: string, kind: string | undefined): HlsifyError {
  const message = `job ${jobId} failed: ${reason}`;
  if (kind === 'input') return new InputError(message);
  if (kind === 'timeout') return new TimeoutError(message);
  return new EncodeError(message);
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function registerSubmit(program: Command, run: (action: (ctx: RunContext) => Promise<void>) => Promise<void>): void {
  program
    .command('submit')
    .description('put a transcode job on the queue for hlsify consume workers (--wait: follow it to the end)')
    .argument('<input>', 's3://bucket/key of the video, a local file (uploaded to --staging first), or a path under the workers\' --input-root')
    .requiredOption('--output <s3-url>', 'where the workers upload the ladder: s3://bucket/prefix')
    .option('--ladder <rungs>', 'rungs by short side, optionally with bit rates: 1080,720,480 or 720:2800k,360:800k')
    .option('--preset <name>', 'x264 preset')
    .option('--crf <n>', 'capped-CRF quality 0-51 instead of target bit rates')
    .option('--segment-duration <seconds>', 'target segment duration')
    .option('--segment-type <type>', 'ts or fmp4')
    .option('--priority <n>', 'queue priority 0-9 (higher first)')
    .option('--chunk-seconds <s>', 'encode in chunks of this many seconds (whole segments) spread over the workers')
    .option('--webhook <url>', 'the worker POSTs the final event here')
    .option('--id <id>', 'job id: letters, digits, . _ - (default: a random one)')
    .option('--amqp <url>', 'broker URL (env AMQP_URL)')
    .option('--queue <name>', 'work queue (env HLSIFY_QUEUE)')
    .option('--events-exchange <name>', 'topic exchange the workers publish job events on', 'hlsify.events')
    .option('--staging <s3-url>', 'with a local input file: upload it here first (s3://bucket/prefix)')
    .option('--endpoint <url>', 'S3-compatible endpoint for --staging (env AWS_ENDPOINT_URL_S3)')
    .option('--region <region>', 'AWS region for --staging')
    .option('--wait', 'follow the job until it completes (exit 0) or fails for good (exit 1)')
    .option('-q, --quiet', 'print nothing but the job id and errors')
    .option('--json', 'print a JSON result on stdout')
    .option('-v, --verbose', 'details on failure')
    .action(async (input: string, rawFlags: Record<string, unknown>) => {
      await run(async (ctx) => {
        const flags = parseFlags(submitFlagsSchema, rawFlags);
        const env = readEnv(ctx.env);
        const [{ buildJob, openPublisher }, { topologyFor }] = await Promise.all([import('../../worker/publisher.js'), import('../../worker/topology.js')]);
        const id = flags.id ?? `job-${randomUUID()}`;
        const fields = {
          id,
          input,
          output: flags.output,
          ladder: flags.ladder?.map((r) => ({ size: r.size, ...(r.bitrate === undefined ? {} : { bitrate: r.bitrate }) })),
          preset: flags.preset,
          crf: flags.crf,
          segmentDuration: flags.segmentDuration,
          segmentType: flags.segmentType,
          priority: flags.priority,
          chunkSeconds: flags.chunkSeconds,
          webhook: flags.webhook,
        };
        // Validate before uploading anything.
        buildJob(fields);
        const quiet = flags.quiet ?? false;
        const say = (text: string) => {
          if (!quiet && !flags.json) ctx.stderr.write(`${text}\n`);
        };

        const isLocalFile = !input.startsWith('s3://') && (await stat(input).then((s) => s.isFile(), () => false));
        if (flags.staging && !isLocalFile) throw new UsageError(`--staging is for a local input file; "${input}" is not one`);
        if (flags.staging && isLocalFile) {
          const [{ openUploadDestination }, { contentHeaders }] = await Promise.all([import('../../core/upload/upload-destination.js'), import('../../core/upload/content-headers.js')]);
          const destination = openUploadDestination(flags.staging, { endpoint: endpointFrom(flags.endpoint, ctx.env), region: flags.region, maxSockets: 4 }, {}, ctx.env);
          try {
            const name = `${id}/${basename(input)}`;
            const key = destination.location.prefix ? `${destination.location.prefix}/${name}` : name;
            const { size } = await stat(input);
            say(`uploading ${input} to s3://${destination.location.bucket}/${key}`);
            await destination.store.put({ relativePath: basename(input), absolutePath: input, size, key, ...contentHeaders(basename(input)) }, await sha256Of(input), ctx.signal, () => {});
            fields.input = `s3://${destination.location.bucket}/${key}`;
          } finally {
            destination.close();
          }
        }
        const job = buildJob(fields);

        const topology = topologyFor(flags.queue ?? ctx.env.HLSIFY_QUEUE ?? DEFAULTS.queue, { eventsExchange: flags.eventsExchange });
        const publisher = await openPublisher(flags.amqp ?? env.AMQP_URL ?? DEFAULTS.amqpUrl, topology, ctx.signal);
        const renderer = flags.wait && !quiet && !flags.json ? (await import('../render/job-progress.js')).createJobRenderer(ctx.stderr, { tty: ctx.stderr.isTTY === true }) : undefined;
        try {
          // Subscribe before publishing, so not even the first event is missed.
          const watch = flags.wait ? await publisher.watch([job.id], (event) => renderer?.onEvent(event)) : undefined;
          await publisher.publish(job);
          if (!flags.json) ctx.stdout.write(`${job.id}\n`);
          say(`queued on "${topology.queue}"${flags.wait ? '; waiting for a worker' : ''}`);
          if (!watch) {
            if (flags.json) ctx.stdout.write(`${JSON.stringify({ ok: true, jobId: job.id, queue: topology.queue, job }, null, 2)}\n`);
            return;
          }
          const aborted = new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true }));
          const final = await Promise.race([watch.final, aborted]);
          await watch.close();
          renderer?.stop();
          // A failure is reported like any other (with --json as {"ok": false, "error": …}).
          if (final.type === 'failed') throw jobFailure(job.id, final.reason, final.kind);
          if (flags.json) ctx.stdout.write(`${JSON.stringify({ ok: true, jobId: job.id, event: final }, null, 2)}\n`);
        } finally {
          renderer?.stop();
          await publisher.close();
        }
      });
    });
}
