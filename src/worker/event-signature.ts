/**
 * Signed job events. Anyone who may publish on the broker may publish on the events exchange, so an event
 * is only evidence when it proves it came from a worker that read the job. `hlsify submit --wait` puts a
 * random `eventKey` in the job; the worker sends every event of that job with an HMAC-SHA256 of the
 * message body under that key in the `x-hlsify-signature` header; submit ignores events of its job that
 * do not carry a valid one. The key travels only in the job (and its tasks) on the work queue, so a
 * forger would need to read the work queue, which is a worker's right, not a submitter's.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hlsify-signature';

/** A fresh key for one job: 32 random bytes as 64 hex digits. */
export function newEventKey(): string {
  return randomBytes(32).toString('hex');
}

/** The signature of an event body under the job's key (64 hex digits). */
export function signEvent(key: string, body: Buffer): string {
  return createHmac('sha256', Buffer.from(key, 'hex')).update(body).digest('hex');
}

/** Whether `signature` (a header value of any type) is the body's signature under `key`, in constant time. */
export function hasValidSignature(key: string, body: Buffer, signature: unknown): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signEvent(key, body), 'hex'), Buffer.from(signature, 'hex'));
}
