/**
 * Settings from the environment (the variables the worker and CLI share), validated once with zod. CLI flags win over
 * these; the CLI merges them before calling the core, which only ever sees resolved values.
 */
import { z } from 'zod';
import { UsageError } from './errors.js';
import { X264_PRESETS, type X264Preset } from './core/plan/preset.js';

const SIZE_UNITS: Record<string, number> = { b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };
const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600 };

/** Parses "500MB", "2GiB", "1073741824" (bytes) into bytes; undefined when malformed. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = SIZE_UNITS[(match[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

/** Parses "90", "90s", "30m", "2h", "1500ms" into seconds (a bare number is seconds); undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = DURATION_UNITS[(match[2] || 's').toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

export const sizeSchema = z
  .string()
  .transform((text, ctx) => {
    const bytes = parseSize(text);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as 1073741824, 500MB or 2GiB, got "${text}"` });
      return z.NEVER;
    }
    return bytes;
  });

export const durationSchema = z
  .string()
  .transform((text, ctx) => {
    const seconds = parseDuration(text);
    if (seconds === undefined || seconds <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a positive duration such as 3600, 90s, 30m or 2h, got "${text}"` });
      return z.NEVER;
    }
    return seconds;
  });

/** A whole number given as text (env value or flag), within [min, max]. */
export const wholeNumberSchema = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`));

/** A speed floor in x realtime, e.g. "0.8"; 0 turns the floor off. */
export const minSpeedSchema = z
  .string()
  .regex(/^\s*\d+(\.\d+)?\s*$/, 'expected a speed in x realtime from 0 to 100, such as 0.8 (0: off)')
  .transform(Number)
  .pipe(z.number().min(0).max(100, 'expected a speed in x realtime from 0 to 100, such as 0.8 (0: off)'));

export const presetSchema = z.enum(X264_PRESETS, { error: `expected one of ${X264_PRESETS.join(', ')}` });

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

/** The environment variables hlsify reads. Unset and empty mean "use the default". */
export const envSchema = z.object({
  FFMPEG_THREADS: z.preprocess(emptyToUndefined, wholeNumberSchema(0, 64).optional()),
  FFMPEG_PRESET: z.preprocess(emptyToUndefined, presetSchema.optional()),
  FFMPEG_CRF: z.preprocess(emptyToUndefined, wholeNumberSchema(0, 51).optional()),
  MAX_VIDEO_SIZE: z.preprocess(emptyToUndefined, sizeSchema.optional()),
  MAX_PROCESSING_TIME: z.preprocess(emptyToUndefined, durationSchema.optional()),
  MIN_DISK_SPACE: z.preprocess(emptyToUndefined, sizeSchema.optional()),
  HLSIFY_FFMPEG: z.preprocess(emptyToUndefined, z.string().optional()),
  HLSIFY_FFPROBE: z.preprocess(emptyToUndefined, z.string().optional()),
  HLSIFY_TMP_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
  AMQP_URL: z.preprocess(emptyToUndefined, z.string().regex(/^amqps?:\/\//, 'expected amqp://user:pass@host:port/vhost').optional()),
  WORKER_CONCURRENCY: z.preprocess(emptyToUndefined, wholeNumberSchema(1, 16).optional()),
  HEALTH_PORT: z.preprocess(emptyToUndefined, wholeNumberSchema(0, 65535).optional()),
  AUTO_CLEANUP_INTERVAL: z.preprocess(emptyToUndefined, durationSchema.optional()),
  TEMP_FILE_RETENTION: z.preprocess(emptyToUndefined, durationSchema.optional()),
  MEMORY_WARN_THRESHOLD: z.preprocess(emptyToUndefined, sizeSchema.optional()),
  HLSIFY_MIN_SPEED: z.preprocess(emptyToUndefined, minSpeedSchema.optional()),
});

export type EnvSettings = z.infer<typeof envSchema>;

export const DEFAULTS = {
  maxVideoSize: 10 * 1024 ** 3, // 10 GiB
  maxProcessingTime: 2 * 3600, // seconds
  minDiskSpace: 1024 ** 3, // 1 GiB
  segmentDuration: 6,
  killGraceMs: 3000,
  amqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
  queue: 'hlsify.jobs',
  healthPort: 3002,
  // Below RabbitMQ's default consumer_timeout (30 min): the broker would otherwise close the channel first.
  workerJobTimeout: 25 * 60,
  cleanupInterval: 15 * 60, // seconds
  tempFileRetention: 3600, // seconds
  memoryWarn: 2 * 1024 ** 3,
} as const;

/** Formats zod issues as `path: message` lines, all at once. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${prefix}${path}${path ? ': ' : ''}${issue.message}`;
    })
    .join('; ');
}

/** Reads and validates hlsify's environment variables; a bad value is a UsageError naming the variable. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvSettings {
  const picked = Object.fromEntries(Object.keys(envSchema.shape).map((key) => [key, env[key]]));
  const result = envSchema.safeParse(picked);
  if (!result.success) {
    throw new UsageError(`invalid environment: ${formatIssues(result.error.issues)}`);
  }
  return result.data;
}

export type { X264Preset };
