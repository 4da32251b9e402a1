/** `hlsify consume --amqp URL`: the worker daemon — same pipeline, jobs from RabbitMQ, JSON logs on stdout. */
import { tmpdir } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, durationSchema, readEnv, wholeNumberSchema } from '../../config.js';
import type { UploadDestination } from '../../core/upload/upload-destination.js';
import { UsageError } from '../../errors.js';
import { endpointFrom, parseFlags } from '../options.js';
import type { RunContext } from '../run-context.js';

const wholeNumber = wholeNumberSchema;

const consumeFlagsSchema = z
  .object({
    amqp: z.string().regex(/^amqps?:\/\//, 'expected amqp://user:pass@host:port/vhost').optional(),
    queue: z.string().regex(/^[\w.:-]{1,200}$/, 'expected a queue name (letters, digits, . _ : -)').optional(),
    eventsExchange: z.string().regex(/^[\w.:-]{1,200}$/).optional(),
    concurrency: wholeNumber(1, 16).optional(),
    maxAttempts: wholeNumber(1, 20).optional(),
    retryDelays: z
      .string()
      .transform((text, ctx) => {
        const parts = text.split(',').map((p) => durationSchema.safeParse(p.trim()));
        if (parts.some((p) => !p.success)) {
          ctx.addIssue({ code: 'custom', message: 'expected durations such as 5s,30s,2m' });
          return z.NEVER;
        }
        return parts.map((p) => Math.round((p.data as number) * 1000));
      })
      .optional(),
    inputRoot: z.string().min(1).optional(),
    healthPort: wholeNumber(0, 65535).optional(),
    healthHost: z.string().min(1).optional(),
    shutdownGrace: durationSchema.optional(),
    timeout: durationSchema.optional(),
    jobTimeout: durationSchema.optional(),
    maxDuration: durationSchema.optional(),
    finishLockWait: durationSchema.optional(),
    tmpDir: z.string().min(1).optional(),
    endpoint: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    ffmpeg: z.string().min(1).optional(),
    ffprobe: z.string().min(1).optional(),
    maxRedeliveries: wholeNumber(0, 100).optional(),
    retryTimeouts: z.boolean().optional(),
    maxJobs: wholeNumber(1, 1_000_000).optional(),
    chunkSeconds: wholeNumber(1, 3600).optional(),
    chunkMinDuration: durationSchema.optional(),
    connectTimeout: durationSchema.optional(),
    webhookAllow: z.string().optional(),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).optional(),
    verbose: z.boolean().optional(),
  })
  .strict();

export function registerConsume(program: Command, run: (action: (ctx: RunContext) => Promise<void>) => Promise<void>): void {
  program
    .command('consume')
    .description('run as a RabbitMQ worker: take transcode jobs from a queue, upload ladders to S3')
    .option('--amqp <url>', `broker URL (env AMQP_URL; default: ${DEFAULTS.amqpUrl})`, undefined)
    .option('--queue <name>', `work queue (env HLSIFY_QUEUE; default: ${DEFAULTS.queue})`, undefined)
    .option('--events-exchange <name>', 'topic exchange for job events', 'hlsify.events')
    .option('--concurrency <n>', 'jobs at once = prefetch (env WORKER_CONCURRENCY; default: 1)')
    .option('--max-attempts <n>', 'attempts per job before it is dead-lettered', '4')
    .option('--retry-delays <list>', 'delays of the retry queues', '5s,30s,2m')
    .option('--input-root <dir>', 'accept local input paths under this directory')
    .option('--health-port <port>', `port of /health, /ready, /metrics, 0 = any free port (env HEALTH_PORT; default: ${DEFAULTS.healthPort})`)
    .option('--health-host <host>', 'address the health server listens on', '127.0.0.1')
    .option('--shutdown-grace <duration>', 'on SIGTERM, time a running job gets to finish', '30s')
    .option('--timeout <duration>', 'hard limit per job, below the broker consumer_timeout (env MAX_PROCESSING_TIME; default: 25m)')
    .option('--job-timeout <duration>', 'hard limit per chunked job, from its split to its finish (each of its tasks also within --timeout)', '6h')
    .option('--max-duration <duration>', 'refuse inputs longer than this, before anything is encoded or split', '6h')
    .option('--finish-lock-wait <duration>', "how long a chunked job's finisher waits for another one holding the job's finish lock before its task is retried later", '30s')
    .option('--tmp-dir <dir>', 'parent of the work dirs (env HLSIFY_TMP_DIR; default: the OS temp dir)')
    .option('--endpoint <url>', 'S3-compatible endpoint (env AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL; default: AWS)')
    .option('--region <region>', 'AWS region')
    .option('--ffmpeg <path>', 'ffmpeg binary (env HLSIFY_FFMPEG)')
    .option('--ffprobe <path>', 'ffprobe binary (env HLSIFY_FFPROBE)')
    .option('--max-redeliveries <n>', 'times a job may come back after its worker died mid-job (kill -9, out of memory) before it is dead-lettered', '3')
    .option('--retry-timeouts', 'retry a job that hit the --timeout limit (default: dead-letter it)')
    .option('--max-jobs <n>', 'exit 0 after this many jobs (one job per pod: --max-jobs 1)')
    .option('--chunk-seconds <s>', 'split jobs at least --chunk-min-duration long into chunks of this many seconds, encoded by any worker (a job\'s own chunkSeconds wins)')
    .option('--chunk-min-duration <duration>', 'shortest job --chunk-seconds applies to', '10m')
    .option('--connect-timeout <duration>', 'exit 1 when the broker cannot be reached this long after start-up', '60s')
    .option('--webhook-allow <list>', 'hosts or CIDR ranges webhooks may reach although internal (e.g. 10.0.0.0/8,hooks.internal)')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('-v, --verbose', 'details on a start-up failure')
    .action(async (rawFlags: Record<string, unknown>) => {
      await run(async (ctx) => {
        const flags = parseFlags(consumeFlagsSchema, rawFlags);
        const env = readEnv(ctx.env);
        // Loaded on use, so that other commands start without the AMQP client, the S3 SDK and pino.
        const [{ findBinaries }, { openUploadDestination }, { startHealthServer }, { createLogger }, { createMetrics }, { topologyFor }, { Worker }] = await Promise.all([
          import('../../core/tools/binaries.js'),
          import('../../core/upload/upload-destination.js'),
          import('../../worker/health-server.js'),
          import('../../worker/logger.js'),
          import('../../worker/metrics.js'),
          import('../../worker/topology.js'),
          import('../../worker/worker.js'),
        ]);
        const [{ createCredentialsProbe }, { parseWebhookAllow }] = await Promise.all([import('../../worker/credentials-probe.js'), import('../../worker/webhook-target.js')]);
        const webhookPolicy = parseWebhookAllow(flags.webhookAllow);
        const retryDelaysMs = flags.retryDelays;
        if (retryDelaysMs && retryDelaysMs.length === 0) throw new UsageError('--retry-delays: expected at least one delay');
        const binaries = await findBinaries({ ffmpeg: flags.ffmpeg, ffprobe: flags.ffprobe }, env, ctx.signal);
        const logger = createLogger({ level: flags.logLevel });
        const metrics = createMetrics();
        const endpoint = endpointFrom(flags.endpoint, ctx.env);
        // A bad endpoint is a usage error at start-up (credentials hidden), not a failure of every job.
        if (endpoint !== undefined) (await import('../../core/upload/s3-client.js')).normaliseEndpoint(endpoint);
        const concurrency = flags.concurrency ?? env.WORKER_CONCURRENCY ?? 1;
        const destinations = new Map<string, UploadDestination>();
        const tmpRoot = flags.tmpDir ?? env.HLSIFY_TMP_DIR ?? tmpdir();
        const worker = new Worker({
          amqpUrl: flags.amqp ?? env.AMQP_URL ?? DEFAULTS.amqpUrl,
          topology: topologyFor(flags.queue ?? ctx.env.HLSIFY_QUEUE ?? DEFAULTS.queue, { eventsExchange: flags.eventsExchange, retryDelaysMs: flags.retryDelays }),
          concurrency,
          maxAttempts: flags.maxAttempts ?? 4,
          maxRedeliveries: flags.maxRedeliveries ?? 3,
          retryTimeouts: flags.retryTimeouts ?? false,
          maxJobs: flags.maxJobs,
          connectTimeoutMs: (flags.connectTimeout ?? 60) * 1000,
          finishLockWaitMs: (flags.finishLockWait ?? 30) * 1000,
          webhookPolicy,
          probeCredentials: createCredentialsProbe({ endpoint, region: flags.region }, ctx.env),
          inputRoot: flags.inputRoot,
          deps: {
            binaries,
            storeFor(bucket) {
              let destination = destinations.get(bucket);
              if (!destination) {
                destination = openUploadDestination(`s3://${bucket}`, { endpoint, region: flags.region, maxSockets: 16 }, {}, ctx.env);
                destinations.set(bucket, destination);
              }
              return destination.store;
            },
            tmpRoot,
            maxVideoSize: env.MAX_VIDEO_SIZE ?? DEFAULTS.maxVideoSize,
            minDiskSpace: env.MIN_DISK_SPACE ?? DEFAULTS.minDiskSpace,
            timeoutSeconds: flags.timeout ?? env.MAX_PROCESSING_TIME ?? DEFAULTS.workerJobTimeout,
            jobTimeoutSeconds: flags.jobTimeout ?? 6 * 3600,
            maxDurationSeconds: flags.maxDuration ?? 6 * 3600,
            uploadConcurrency: 8,
            threads: env.FFMPEG_THREADS,
            chunking: flags.chunkSeconds === undefined ? undefined : { seconds: flags.chunkSeconds, minDuration: flags.chunkMinDuration ?? 600 },
          },
          logger,
          metrics,
          memoryWarnBytes: env.MEMORY_WARN_THRESHOLD ?? DEFAULTS.memoryWarn,
          cleanup: {
            root: tmpRoot,
            intervalMs: (env.AUTO_CLEANUP_INTERVAL ?? DEFAULTS.cleanupInterval) * 1000,
            retentionMs: (env.TEMP_FILE_RETENTION ?? DEFAULTS.tempFileRetention) * 1000,
          },
        });
        const timeout = flags.timeout ?? env.MAX_PROCESSING_TIME ?? DEFAULTS.workerJobTimeout;
        if (timeout >= 30 * 60) {
          logger.warn({ op: 'config', timeoutSeconds: timeout }, "the job time limit is not below RabbitMQ's default consumer_timeout (30 min): raise consumer_timeout in rabbitmq.conf, or a long job's channel is closed and the job redelivered");
        }
        const health = await startHealthServer(flags.healthPort ?? env.HEALTH_PORT ?? DEFAULTS.healthPort, flags.healthHost ?? '127.0.0.1', metrics, worker);
        logger.info({ op: 'health', port: health.port }, `health server on http://${flags.healthHost ?? '127.0.0.1'}:${health.port}`);
        try {
          // Runs until SIGINT/SIGTERM aborts the run's signal, --max-jobs are done, or the broker is out of reach.
          // (SIGTERM during the first connect counts too: start() only waits for that first try.)
          const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          await Promise.race([worker.start(), aborted]);
          await Promise.race([aborted, worker.exhausted, worker.fatal]);
          await worker.close((flags.shutdownGrace ?? 30) * 1000);
        } finally {
          await worker.close(0);
          await health.close();
          for (const destination of destinations.values()) destination.close();
          logger.flush();
        }
      });
    });
}
