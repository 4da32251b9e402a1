/**
 * S3 and network failures → hlsify errors: transient ones (5xx, throttling, resets, timeouts) become
 * TransientError and are retried; permanent ones (403, missing bucket, bad credentials) fail at once.
 * Messages name the operation and key, never credentials.
 */
import { EnvironmentError, TransientError, UsageError, abortReason, type HlsifyError } from '../../errors.js';

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'InternalError', 'ServiceUnavailable', 'NetworkingError']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Classifies `error` from an S3 call made for `what` (e.g. "PUT s3://b/k"). */
export function classifyS3Error(error: unknown, what: string, signal?: AbortSignal): HlsifyError {
  if (signal?.aborted) return abortReason(signal);
  const e = (error ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? 'Error';
  const reason = status ? `${status} ${name}` : `${e.code ?? name}${e.message ? `: ${e.message.split('\n')[0]}` : ''}`;
  if (name === 'CredentialsProviderError') {
    return new UsageError(`${what}: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)`, { cause: error });
  }
  if (/Region is missing/i.test(e.message ?? '')) return new UsageError(`${what}: no AWS region (set --region or AWS_REGION)`, { cause: error });
  if (name === 'NoSuchBucket') return new EnvironmentError(`${what}: the bucket does not exist`, { cause: error });
  if (status === 403 || name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return new EnvironmentError(`${what}: access denied (${reason}): check the credentials and the bucket policy`, { cause: error });
  }
  if ((status !== undefined && (status >= 500 || status === 429 || status === 408)) || TRANSIENT_NAMES.has(name) || TRANSIENT_CODES.has(e.code ?? '')) {
    return new TransientError(`${what}: ${reason}`, { cause: error });
  }
  if (status === undefined && !e.code && name === 'Error') return new TransientError(`${what}: ${reason}`, { cause: error });
  return new EnvironmentError(`${what}: ${reason}`, { cause: error });
}
