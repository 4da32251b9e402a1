/**
 * The S3 client hlsify uses: the standard AWS credential chain and region settings, path-style addressing
 * for a custom endpoint (as aws-cli's --endpoint-url), explicit timeouts, checksums only when required
 * (several S3-compatible servers reject the SDK's default CRC32), no SDK retries (hlsify retries itself
 * so it can count retries and restart streams), and bodies sent at once rather than after an
 * `Expect: 100-continue` round trip: an upload lists the bucket with the same credentials first, so a
 * refused PUT is rare and costs at most one file's bytes, while the wait costs a round trip per file.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { UsageError } from '../../errors.js';
import { redactUrl } from '../../redact-url.js';

export interface S3ClientOptions {
  endpoint?: string | undefined;
  region?: string | undefined;
  /** Sockets per protocol; match the upload concurrency. */
  maxSockets?: number | undefined;
  connectionTimeoutMs?: number | undefined;
  requestTimeoutMs?: number | undefined;
}

/** Validates an endpoint URL and drops any user:password from it (so it can be logged). */
export function normaliseEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    // Never echo user:password that may sit in the value.
    throw new UsageError(`--endpoint "${redactUrl(endpoint)}" is not a URL (expected e.g. http://127.0.0.1:9000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--endpoint must be an http:// or https:// URL`);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}

export function createS3Client(options: S3ClientOptions, env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = options.endpoint === undefined ? undefined : normaliseEndpoint(options.endpoint);
  // With a custom endpoint and no region anywhere, any region signs fine: S3-compatible servers ignore it.
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined);
  const maxSockets = options.maxSockets ?? 16;
  return new S3Client({
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    expectContinueHeader: false,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 60_000,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    }),
  });
}
