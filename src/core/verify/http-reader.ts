/**
 * Reads a ladder over HTTP(S): every URI must stay on the master playlist's origin (scheme, host and
 * port), redirects are followed only within it, and each request has a size and a time limit.
 */
import { UsageError, abortReason } from '../../errors.js';
import { redactUrl } from '../../redact-url.js';
import { ResourceError, type ResourceLimits, type ResourceReader } from './resource-reader.js';

const MAX_REDIRECTS = 5;

/**
 * Reads the body, refusing more than `maxBytes`; with `stopAt`, reads only that many bytes and drops the
 * connection's rest (a server that ignores Range). Never holds more than `maxBytes`.
 */
async function boundedBody(response: Response, key: string, maxBytes: number, stopAt?: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (stopAt === undefined && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResourceError(`${key}: ${declared} bytes, above the ${maxBytes}-byte limit`, 'too-large');
  }
  if (!response.body) return new Uint8Array();
  const want = stopAt === undefined ? Number.POSITIVE_INFINITY : Math.min(stopAt, maxBytes);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let done = false;
  try {
    while (total < want) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        break;
      }
      const room = Math.min(want, maxBytes) - total;
      if (next.value.length > room && stopAt === undefined) throw new ResourceError(`${key}: more than the ${maxBytes}-byte limit`, 'too-large');
      chunks.push(next.value.length > room ? next.value.subarray(0, room) : next.value);
      total += Math.min(next.value.length, room);
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks);
}

/** The code of a network failure (`ECONNRESET`, `UND_ERR_SOCKET`), else its message. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return (error as Error).message;
}

/** A reader for the ladder whose master playlist is at `url` (http or https). */
export function openHttpLadder(url: string, limits: ResourceLimits, signal?: AbortSignal): ResourceReader {
  let master: URL;
  try {
    master = new URL(url);
  } catch {
    throw new UsageError(`${url}: not a valid URL`);
  }
  if (master.protocol !== 'http:' && master.protocol !== 'https:') throw new UsageError(`${url}: only http and https URLs are read`);
  if (master.username || master.password) throw new UsageError(`${url}: credentials in the URL are not accepted`);
  const origin = master.origin;
  const inOrigin = (target: URL) => target.origin === origin && (target.protocol === 'http:' || target.protocol === 'https:');
  const describe = (key: string) => {
    const target = new URL(key);
    return target.origin === origin ? target.pathname.replace(/^\//, '') + target.search : redactUrl(key);
  };

  async function request(key: string, maxBytes: number, range: { offset: number; length: number } | undefined, outer: AbortSignal | undefined): Promise<Uint8Array> {
    if (range && range.length > maxBytes) throw new ResourceError(`${describe(key)}: byte range of ${range.length} bytes, above the ${maxBytes}-byte limit`, 'too-large');
    // One deadline for the whole request: headers, redirects and body (a server trickling bytes is slow, not alive).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), limits.requestTimeoutMs);
    const requestSignal = AbortSignal.any([deadline.signal, ...(outer ? [outer] : []), ...(signal ? [signal] : [])]);
    try {
      return await answer(key, maxBytes, range, requestSignal);
    } catch (error) {
      const aborted = [outer, signal].find((s) => s?.aborted);
      if (aborted) throw abortReason(aborted);
      if (deadline.signal.aborted) throw new ResourceError(`${describe(key)}: slow server, no complete answer within ${limits.requestTimeoutMs / 1000} s (request deadline)`, 'unreadable');
      if (error instanceof ResourceError) throw error;
      throw new ResourceError(`${describe(key)}: connection failed (${networkReason(error)})`, 'unreadable');
    } finally {
      clearTimeout(timer);
    }
  }

  async function answer(key: string, maxBytes: number, range: { offset: number; length: number } | undefined, requestSignal: AbortSignal): Promise<Uint8Array> {
    let target = new URL(key);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await fetch(target, {
        redirect: 'manual',
        signal: requestSignal,
        headers: range ? { range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {},
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        const location = response.headers.get('location');
        if (!location) throw new ResourceError(`${describe(key)}: redirect (${response.status}) without a Location`, 'unreadable');
        const next = new URL(location, target);
        if (!inOrigin(next)) throw new ResourceError(`${describe(key)}: redirect to ${redactUrl(next.origin)} refused (off the ladder's origin ${origin})`, 'outside');
        target = next;
        continue;
      }
      if (response.status === 404 || response.status === 410) {
        await response.body?.cancel().catch(() => undefined);
        throw new ResourceError(`${describe(key)}: HTTP ${response.status}`, 'missing');
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new ResourceError(`${describe(key)}: HTTP ${response.status}`, 'unreadable');
      }
      if (range && response.status === 200) {
        // A server that ignores Range sends the whole resource: read up to the range's end only, and only
        // when that is within the fixed limit (the playlist's numbers never raise it).
        const end = range.offset + range.length;
        if (end > maxBytes) {
          await response.body?.cancel().catch(() => undefined);
          throw new ResourceError(`${describe(key)}: the server ignored Range (HTTP 200) and byte range ${range.length}@${range.offset} ends past the ${maxBytes}-byte limit`, 'too-large');
        }
        const head = await boundedBody(response, describe(key), maxBytes, end);
        if (end > head.length) throw new ResourceError(`${describe(key)}: byte range ${range.length}@${range.offset} goes past the end`, 'missing');
        return head.subarray(range.offset, end);
      }
      return boundedBody(response, describe(key), maxBytes, range?.length);
    }
    throw new ResourceError(`${describe(key)}: more than ${MAX_REDIRECTS} redirects`, 'unreadable');
  }

  return {
    master: master.href,
    root: origin,
    resolve(base, uri) {
      let target: URL;
      try {
        target = new URL(uri, base);
      } catch {
        throw new ResourceError(`"${uri}" (in ${describe(base)}): not a valid URI`, 'unreadable');
      }
      if (!inOrigin(target)) throw new ResourceError(`"${uri}" (in ${describe(base)}): off the ladder's origin ${origin}`, 'outside');
      target.hash = '';
      return target.href;
    },
    read: (key, options) => request(key, options.maxBytes, options.range, options.signal),
    describe,
  };
}
