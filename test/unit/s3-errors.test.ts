import { describe, expect, it } from 'vitest';
import { CancelledError, EnvironmentError, TimeoutError, TransientError, UsageError } from '../../src/errors.js';
import { classifyS3Error } from '../../src/core/upload/s3-errors.js';

const WHAT = 'PUT s3://my-videos/launch/720p/segment_00000.ts';

/** An error shaped like the AWS SDK v3's service exceptions. */
function sdkError(name: string, status: number | undefined, message = 'UnknownError'): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, { $metadata: status === undefined ? {} : { httpStatusCode: status } });
}

/** An error shaped like Node's network errors. */
function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyS3Error', () => {
  it.each([
    ['500 InternalError', sdkError('InternalError', 500)],
    ['502 with an unknown name', sdkError('BadGateway', 502)],
    ['503 SlowDown', sdkError('SlowDown', 503)],
    ['503 ServiceUnavailable', sdkError('ServiceUnavailable', 503)],
    ['429 Too Many Requests', sdkError('TooManyRequestsException', 429)],
    ['408 Request Timeout', sdkError('RequestTimeout', 408)],
    ['SlowDown without a status', sdkError('SlowDown', undefined)],
    ['ECONNRESET', networkError('ECONNRESET', 'socket hang up')],
    ['ECONNREFUSED', networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9000')],
    ['ETIMEDOUT', networkError('ETIMEDOUT', 'connect ETIMEDOUT')],
    ['a request TimeoutError', Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' })],
  ])('retries %s (TransientError naming the operation)', (_label, error) => {
    const classified = classifyS3Error(error, WHAT);
    expect(classified).toBeInstanceOf(TransientError);
    expect(classified.message.startsWith(`${WHAT}: `)).toBe(true);
    expect(classified.cause).toBe(error);
  });

  it('says which status and error name came back', () => {
    expect(classifyS3Error(sdkError('SlowDown', 503), WHAT).message).toBe(`${WHAT}: 503 SlowDown`);
    expect(classifyS3Error(networkError('ECONNRESET', 'socket hang up'), WHAT).message).toBe(`${WHAT}: ECONNRESET: socket hang up`);
  });

  it('keeps only the first line of a multi-line network message', () => {
    const message = classifyS3Error(networkError('ECONNRESET', 'socket hang up\n    at TLSSocket.onend'), WHAT).message;
    expect(message).toBe(`${WHAT}: ECONNRESET: socket hang up`);
  });

  it.each([
    ['403 AccessDenied', sdkError('AccessDenied', 403)],
    ['403 with an unknown name', sdkError('Forbidden', 403)],
    ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403)],
    ['AccessDenied without a status', sdkError('AccessDenied', undefined)],
    ['SignatureDoesNotMatch', sdkError('SignatureDoesNotMatch', 403)],
  ])('fails at once on %s, saying access was denied', (_label, error) => {
    const classified = classifyS3Error(error, WHAT);
    expect(classified).toBeInstanceOf(EnvironmentError);
    expect(classified).not.toBeInstanceOf(TransientError);
    expect(classified.message).toContain(WHAT);
    expect(classified.message).toMatch(/access denied/);
    expect(classified.message).toMatch(/check the credentials and the bucket policy/);
  });

  it('says the bucket does not exist on NoSuchBucket', () => {
    const classified = classifyS3Error(sdkError('NoSuchBucket', 404, 'The specified bucket does not exist'), 'PUT s3://missing-bucket/k');
    expect(classified).toBeInstanceOf(EnvironmentError);
    expect(classified.message).toBe('PUT s3://missing-bucket/k: the bucket does not exist');
  });

  it('fails at once, not retried, on other 4xx answers', () => {
    const classified = classifyS3Error(sdkError('NoSuchKey', 404), WHAT);
    expect(classified).toBeInstanceOf(EnvironmentError);
    expect(classified.message).toBe(`${WHAT}: 404 NoSuchKey`);
    expect(classifyS3Error(sdkError('EntityTooLarge', 400), WHAT)).toBeInstanceOf(EnvironmentError);
  });

  it('turns missing credentials into a UsageError telling the user what to set', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const classified = classifyS3Error(error, WHAT);
    expect(classified).toBeInstanceOf(UsageError);
    expect(classified.exitCode).toBe(2);
    expect(classified.message).toMatch(/no AWS credentials found/);
    expect(classified.message).toMatch(/AWS_ACCESS_KEY_ID/);
  });

  it('turns a missing region into a UsageError', () => {
    const classified = classifyS3Error(new Error('Region is missing'), WHAT);
    expect(classified).toBeInstanceOf(UsageError);
    expect(classified.message).toMatch(/no AWS region/);
  });

  it('reports the abort reason once the signal is aborted, whatever the SDK threw', () => {
    const controller = new AbortController();
    const timeout = new TimeoutError('upload took longer than 10m');
    controller.abort(timeout);
    expect(classifyS3Error(sdkError('SlowDown', 503), WHAT, controller.signal)).toBe(timeout);
    expect(classifyS3Error(Object.assign(new Error('aborted'), { name: 'AbortError' }), WHAT, controller.signal)).toBe(timeout);
  });

  it('reports a CancelledError for a plain abort (Ctrl-C)', () => {
    const controller = new AbortController();
    controller.abort();
    const classified = classifyS3Error(Object.assign(new Error('Request aborted'), { name: 'AbortError' }), WHAT, controller.signal);
    expect(classified).toBeInstanceOf(CancelledError);
    expect(classified.exitCode).toBe(130);
  });

  it('ignores a signal that has not aborted', () => {
    expect(classifyS3Error(sdkError('AccessDenied', 403), WHAT, new AbortController().signal)).toBeInstanceOf(EnvironmentError);
  });
});
