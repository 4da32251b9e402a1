/**
 * `hlsify submit <input> --output s3://bucket/prefix`: puts a transcode job on the work queue for
 * `hlsify consume` workers (a local file is first uploaded to --staging) and, with --wait, follows it to
 * the end with the same kind of progress display as transcode, exiting with the job's outcome. With
 * --wait only events signed with the job's own key are believed, the wait has a time limit, and a staged
 * input is removed when the job ends.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, durationSchema, presetSchema, readEnv, wholeNumberSchema } from '../../config.js';
import { timeLimit } from '../../core/time-limit.js';
import { formatS3Url, objectKey, parseS3Url } from '../../core/upload/s3-location.js';
import type { UploadDestination } from '../../core/upload/upload-destination.js';
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
    waitTimeout: durationSchema.refine((seconds) => seconds <= MAX_WAIT_TIMEOUT_SECONDS, 'expected at most 168h').optional(),
    keepStaged: z.boolean().optional(),
    quiet: z.boolean().optional(),
    json: z.boolean().optional(),
    verbose: z.boolean().optional(),
  })
  .strict();

/** How long `submit --wait` waits for the job's final event unless told (--wait-timeout). */
const DEFAULT_WAIT_TIMEOUT_SECONDS = 12 * 3600;
const MAX_WAIT_TIMEOUT_SECONDS = 168 * 3600;

function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * Where a local file is staged: `<prefix>/<job id>/<file name>`, the name reduced to letters, digits,
 * dot, underscore and hyphen, so the key is one the workers accept (no percent-escapes, control
 * characters, backslashes or dot segments) and means what it says.
 */
export function stagedLocation(staging: string, jobId: string, path: string): { url: string; key: string; name: string } {
  const location = parseS3Url(staging);
  const cleaned = basename(path).replace(/[^A-Za-z0-9._-]+/g, '_').slice(-200).replace(/^\.+/, '');
  const name = cleaned === '' ? 'input' : cleaned;
  const key = objectKey(location, `${jobId}/${name}`);
  return { url: formatS3Url(location, key), key, name };
}

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
    .option('--wait', 'follow the job until it completes (exit 0) or fails for good (exit 1); a staged input is removed at the end')
    .option('--wait-timeout <duration>', `with --wait: give up waiting after this long (exit 1; the job goes on) (default ${formatDuration(DEFAULT_WAIT_TIMEOUT_SECONDS)})`)
    .option('--keep-staged', 'with --wait and --staging: keep the staged input after the job ends')
    .option('-q, --quiet', 'print nothing but the job id and errors')
    .option('--json', 'print a JSON result on stdout')
    .option('-v, --verbose', 'details on failure')
    .action(async (input: string, rawFlags: Record<string, unknown>) => {
      await run(async (ctx) => {
        const flags = parseFlags(submitFlagsSchema, rawFlags);
        const env = readEnv(ctx.env);
        const [{ buildJob, openPublisher }, { topologyFor }, { newEventKey }] = await Promise.all([
          import('../../worker/publisher.js'),
          import('../../worker/topology.js'),
          import('../../worker/event-signature.js'),
        ]);
        const id = flags.id ?? `job-${randomUUID()}`;
        const isLocalFile = !input.startsWith('s3://') && (await stat(input).then((s) => s.isFile(), () => false));
        if (flags.staging && !isLocalFile) throw new UsageError(`--staging is for a local input file; "${input}" is not one`);
        if (flags.keepStaged && !flags.staging) throw new UsageError('--keep-staged is for a local input file uploaded to --staging');
        if (flags.waitTimeout !== undefined && !flags.wait) throw new UsageError('--wait-timeout is for --wait');
        // The staged copy's key is chosen (and checked as the worker will) before anything is uploaded.
        const staged = flags.staging && isLocalFile ? stagedLocation(flags.staging, id, input) : undefined;
        const fields = {
          id,
          input: staged ? staged.url : input,
          output: flags.output,
          ladder: flags.ladder?.map((r) => ({ size: r.size, ...(r.bitrate === undefined ? {} : { bitrate: r.bitrate }) })),
          preset: flags.preset,
          crf: flags.crf,
          segmentDuration: flags.segmentDuration,
          segmentType: flags.segmentType,
          priority: flags.priority,
          chunkSeconds: flags.chunkSeconds,
          webhook: flags.webhook,
          // Only a worker that read this job can sign its events with this key (event-signature.ts).
          eventKey: flags.wait ? newEventKey() : undefined,
        };
        const job = buildJob(fields);
        if (job.input.startsWith('s3://')) parseS3Url(job.input);
        const quiet = flags.quiet ?? false;
        const say = (text: string) => {
          if (!quiet && !flags.json) ctx.stderr.write(`${text}\n`);
        };

        let destination: UploadDestination | undefined;
        /** What becomes of the staged copy when submit ends: removed, or kept and the reason said. */
        let stagedFate: 'remove' | { kept: string } | undefined;
        try {
          if (staged) {
            const [{ openUploadDestination }, { contentHeaders }] = await Promise.all([import('../../core/upload/upload-destination.js'), import('../../core/upload/content-headers.js')]);
            destination = openUploadDestination(flags.staging!, { endpoint: endpointFrom(flags.endpoint, ctx.env), region: flags.region, maxSockets: 4 }, {}, ctx.env);
            const { size } = await stat(input);
            say(`uploading ${input} to ${staged.url}`);
            await destination.store.put({ relativePath: staged.name, absolutePath: input, size, key: staged.key, ...contentHeaders(staged.name) }, await sha256Of(input), ctx.signal, () => {});
            // Until the job is queued, a failure leaves nothing behind.
            stagedFate = 'remove';
          }

          const topology = topologyFor(flags.queue ?? ctx.env.HLSIFY_QUEUE ?? DEFAULTS.queue, { eventsExchange: flags.eventsExchange });
          const publisher = await openPublisher(flags.amqp ?? env.AMQP_URL ?? DEFAULTS.amqpUrl, topology, ctx.signal);
          const renderer = flags.wait && !quiet && !flags.json ? (await import('../render/job-progress.js')).createJobRenderer(ctx.stderr, { tty: ctx.stderr.isTTY === true }) : undefined;
          try {
            // Subscribe before publishing, so not even the first event is missed.
            const unsignedSeen = new Set<string>();
            const watch = flags.wait
              ? await publisher.watch([job.id], (event) => renderer?.onEvent(event), {
                  eventKey: job.eventKey,
                  onUnsigned: (event) => {
                    if (unsignedSeen.has(event.type)) return;
                    unsignedSeen.add(event.type);
                    say(`job ${job.id}: ignored a "${event.type}" event that no worker of this job signed (forged, or sent by an hlsify worker older than this submit)`);
                  },
                })
              : undefined;
            await publisher.publish(job);
            // Queued: the staged copy is the job's input now; without --wait it stays.
            if (staged && flags.keepStaged) stagedFate = { kept: 'kept (--keep-staged)' };
            else if (staged && !watch) stagedFate = { kept: 'stays for the workers; remove it once the job is done (or let a lifecycle rule on the staging prefix do it)' };
            if (!flags.json) ctx.stdout.write(`${job.id}\n`);
            say(`queued on "${topology.queue}"${flags.wait ? '; waiting for a worker' : ''}`);
            if (!watch) {
              if (flags.json) ctx.stdout.write(`${JSON.stringify({ ok: true, jobId: job.id, queue: topology.queue, job }, null, 2)}\n`);
              return;
            }
            const waitSeconds = flags.waitTimeout ?? DEFAULT_WAIT_TIMEOUT_SECONDS;
            const limit = timeLimit(ctx.signal, waitSeconds * 1000, `job ${job.id}: no final event within ${formatDuration(waitSeconds)} (--wait-timeout); the job may still be queued or running`);
            const ended = new Promise<never>((_, reject) => limit.signal.addEventListener('abort', () => reject(limit.signal.reason as Error), { once: true }));
            let final;
            try {
              final = await Promise.race([watch.final, ended]);
            } catch (error) {
              // Still queued or running: its input must stay where the workers will look for it.
              if (stagedFate === 'remove') stagedFate = { kept: 'stays for the workers' };
              throw error;
            } finally {
              limit.clear();
              await watch.close();
              renderer?.stop();
            }
            // A failure is reported like any other (with --json as {"ok": false, "error": …}).
            if (final.type === 'failed') throw jobFailure(job.id, final.reason, final.kind);
            if (flags.json) ctx.stdout.write(`${JSON.stringify({ ok: true, jobId: job.id, event: final }, null, 2)}\n`);
          } finally {
            renderer?.stop();
            await publisher.close();
          }
        } finally {
          if (staged && destination) {
            if (stagedFate === 'remove') {
              // Best effort, and not under the run's signal: a Ctrl-C before the job was queued still cleans up.
              const removed = await destination.store.delete(staged.key, AbortSignal.timeout(30_000)).then(() => true, () => false);
              say(removed ? `removed the staged input ${staged.url}` : `could not remove the staged input ${staged.url}; delete it by hand`);
            } else if (stagedFate) say(`the staged input ${staged.url} ${stagedFate.kept}`);
            destination.close();
          }
        }
      });
    });
}
