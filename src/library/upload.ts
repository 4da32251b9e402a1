/** The library's `uploadLadder`: a ladder directory → `s3://bucket/prefix`, with the CLI's client and defaults. */
import type { PipelineListener } from '../core/events.js';
import type { HeaderOverrides } from '../core/upload/content-headers.js';
import type { RetryPolicy } from '../core/upload/retry.js';
import type { UploadResult } from '../core/upload/upload-ladder.js';

export interface UploadLadderOptions {
  /** The ladder directory (with master.m3u8). */
  dir: string;
  /** `s3://bucket/prefix`. */
  destination: string;
  /** S3-compatible endpoint (path-style); default AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** Files in flight (default 8). */
  concurrency?: number | undefined;
  /** Files at least this large go up in parts (default 16 MiB). */
  multipartThreshold?: number | undefined;
  dryRun?: boolean | undefined;
  headers?: HeaderOverrides | undefined;
  retry?: RetryPolicy | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: PipelineListener | undefined;
}

/** Uploads a finished ladder, resume-aware: segments first, master.m3u8 last; what is already there is skipped. */
export async function uploadLadder(options: UploadLadderOptions): Promise<UploadResult> {
  // Loaded on use: the S3 SDK takes a third of a second to import.
  const [{ openUploadDestination }, { uploadLadder: upload }] = await Promise.all([import('../core/upload/upload-destination.js'), import('../core/upload/upload-ladder.js')]);
  const concurrency = options.concurrency ?? 8;
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const destination = openUploadDestination(options.destination, { endpoint, region: options.region, maxSockets: concurrency }, { multipartThreshold: options.multipartThreshold });
  try {
    return await upload({
      dir: options.dir,
      location: destination.location,
      store: destination.store,
      concurrency,
      dryRun: options.dryRun,
      headers: options.headers,
      retry: options.retry,
      signal: options.signal,
      onEvent: options.onEvent,
    });
  } finally {
    destination.close();
  }
}
