/**
 * What is already under the destination prefix, from one ListObjectsV2 listing instead of a HEAD per
 * file: a key the listing did not return is known to be absent; only a same-size object needs a HEAD
 * (for its recorded SHA-256). A listing cut short (a bucket root holding much more than the ladder) or
 * refused (no s3:ListBucket permission) leaves the keys it could not cover to a HEAD each.
 */
import { EnvironmentError } from '../../errors.js';
import type { ObjectStore, RemoteListing } from './object-store.js';
import { withRetry, type RetryPolicy } from './retry.js';
import type { TransientError } from '../../errors.js';

/** A key's size in the bucket, `absent`, or `unknown` (ask with a HEAD). */
export type RemoteSize = number | 'absent' | 'unknown';

/** S3 lists keys in the order of their UTF-8 bytes. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The size lookup a listing allows. */
export function remoteSizeLookup(listing: RemoteListing | undefined): (key: string) => RemoteSize {
  return (key) => {
    if (!listing) return 'unknown';
    const size = listing.sizes.get(key);
    if (size !== undefined) return size;
    if (listing.complete) return 'absent';
    return listing.lastKey !== undefined && compareKeys(key, listing.lastKey) <= 0 ? 'absent' : 'unknown';
  };
}

function isAccessDenied(error: unknown): boolean {
  const status = (error as { cause?: { $metadata?: { httpStatusCode?: number } } }).cause?.$metadata?.httpStatusCode;
  return error instanceof EnvironmentError && status === 403;
}

/**
 * Lists `prefix` (a key prefix ending in `/`, or '' for the bucket root) for a ladder of `files` files.
 * A missing bucket or missing credentials fail here, before any file is read.
 */
export async function listRemoteSizes(
  store: ObjectStore,
  prefix: string,
  files: number,
  retry: { policy: RetryPolicy; signal: AbortSignal; onRetry?: (error: TransientError, attempt: number, delayMs: number) => void },
): Promise<(key: string) => RemoteSize> {
  try {
    // A prefix holding a few times the ladder is listed whole; beyond that, HEADs are cheaper.
    const { value } = await withRetry(() => store.list(prefix, Math.max(1000, files * 4), retry.signal), retry);
    return remoteSizeLookup(value);
  } catch (error) {
    // PUT and GET may be allowed without s3:ListBucket: fall back to a HEAD per file.
    if (isAccessDenied(error)) return remoteSizeLookup(undefined);
    throw error;
  }
}

/**
 * Fails at once when the destination cannot take the ladder: a missing bucket, missing or unknown
 * credentials, an unreachable endpoint. Run before minutes of encoding. A plain 403 passes (PUT may be
 * allowed without s3:ListBucket; the upload itself will say).
 */
export async function checkDestination(store: ObjectStore, prefix: string, signal: AbortSignal): Promise<void> {
  try {
    await withRetry(() => store.list(prefix, 1, signal), { policy: { attempts: 3, baseDelayMs: 200, maxDelayMs: 1000, maxElapsedMs: 10_000 }, signal });
  } catch (error) {
    const name = (error as { cause?: { name?: string } }).cause?.name;
    if (isAccessDenied(error) && name !== 'InvalidAccessKeyId' && name !== 'SignatureDoesNotMatch') return;
    throw error;
  }
}
