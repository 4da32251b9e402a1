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
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '..' || part === '.')) throw new UsageError(`"${url}": the prefix may not contain . or .. segments`);
  return { bucket, prefix };
}

/** The object key for a file at `relativePath` (forward slashes) under the location's prefix. */
export function objectKey(location: S3Location, relativePath: string): string {
  return location.prefix ? `${location.prefix}/${relativePath}` : relativePath;
}

export function formatS3Url(location: S3Location, key?: string): string {
  return `s3://${location.bucket}/${key ?? location.prefix}`;
}
