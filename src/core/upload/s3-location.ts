/** `s3://bucket/prefix` destinations, validated once. */
import { UsageError } from '../../errors.js';

export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash ('' for the bucket root). */
  prefix: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket[/prefix]`; anything else is a UsageError. */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url.trim());
  if (!match) throw new UsageError(`"${url}" is not an S3 location: expected s3://bucket/prefix`);
  const bucket = match[1]!;
  if (!BUCKET.test(bucket)) throw new UsageError(`"${bucket}" is not a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)`);
  // One trailing slash is how people write a folder; anything else odd is refused here, not stored as a
  // literal key that no one meant (S3 keys are opaque: `a//b`, `%2e%2e` and `..\` are kept as written).
  const prefix = (match[2] ?? '').replace(/\/$/, '');
  const refuse = (why: string) => new UsageError(`"${url.trim()}": the prefix ${why}`);
  if (prefix.startsWith('/')) throw refuse('may not start with /');
  if (prefix.split('/').some((part) => part === '..' || part === '.')) throw refuse('may not contain . or .. segments');
  if (prefix.includes('//') || prefix.endsWith('/')) throw refuse('may not contain empty segments (//)');
  if (prefix.includes('\\')) throw refuse('may not contain backslashes');
  if (/%[0-9a-f]{2}/i.test(prefix)) throw refuse('may not contain percent-escapes such as %2e: write it as plain text');
  if (/[\u0000-\u001f\u007f]/.test(prefix)) throw refuse('may not contain control characters');
  return { bucket, prefix };
}

/** The object key for a file at `relativePath` (forward slashes) under the location's prefix. */
export function objectKey(location: S3Location, relativePath: string): string {
  return location.prefix ? `${location.prefix}/${relativePath}` : relativePath;
}

export function formatS3Url(location: S3Location, key?: string): string {
  return `s3://${location.bucket}/${key ?? location.prefix}`;
}
