/**
 * Reads a ladder over HTTP(S): every URI must stay on the master playlist's origin (scheme, host and
 * port), redirects are followed only within it, and each request has a size and a time limit.
 */
import { TransientError, UsageError, abortReason } from '../../errors.js';
import { ResourceError, type ResourceLimits, type ResourceReader } from './resource-reader.js';

const MAX_REDIRECTS = 5;

/** Reads the body, refusing more than `maxBytes`. */
async function boundedBody(response: Response, key: string, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new ResourceError(`${key}: ${declared} bytes, above the ${maxBytes}-byte limit`, 'too-large');
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!response.body) return new Uint8Array();
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) throw new ResourceError(`${key}: more than the ${maxBytes}-byte limit`, 'too-large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
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
    return target.origin === origin ? target.pathname.replace(/^\//, '') + target.search : key;
  };

  async function request(key: string, maxBytes: number, range: { offset: number; length: number } | undefined, outer: AbortSignal | undefined): Promise<Uint8Array> {
    let target = new URL(key);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const signals = [AbortSignal.timeout(limits.requestTimeoutMs), ...(outer ? [outer] : []), ...(signal ? [signal] : [])];
      let response: Response;
      try {
        response = await fetch(target, {
          redirect: 'manual',
          signal: AbortSignal.any(signals),
          headers: range ? { range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {},
        });
      } catch (error) {
        const aborted = [outer, signal].find((s) => s?.aborted);
        if (aborted) throw abortReason(aborted);
        if ((error as Error).name === 'TimeoutError') throw new ResourceError(`${describe(key)}: no answer within ${limits.requestTimeoutMs / 1000} s`, 'unreadable');
        throw new TransientError(`${describe(key)}: ${(error as Error).message}`, { cause: error });
      }
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (!location) throw new ResourceError(`${describe(key)}: redirect (${response.status}) without a Location`, 'unreadable');
        const next = new URL(location, target);
        if (!inOrigin(next)) throw new ResourceError(`${describe(key)}: redirect to ${next.origin} refused (off the ladder's origin ${origin})`, 'outside');
        target = next;
        continue;
      }
      if (response.status === 404 || response.status === 410) {
        await response.body?.cancel();
        throw new ResourceError(`${describe(key)}: HTTP ${response.status}`, 'missing');
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new ResourceError(`${describe(key)}: HTTP ${response.status}`, 'unreadable');
      }
      if (range && response.status === 200) {
        // A server that ignores Range sends the whole resource: cut the range out of it.
        const whole = await boundedBody(response, describe(key), Math.max(maxBytes, range.offset + range.length));
        if (range.offset + range.length > whole.length) throw new ResourceError(`${describe(key)}: byte range ${range.length}@${range.offset} goes past the end`, 'missing');
        return whole.subarray(range.offset, range.offset + range.length);
      }
      return boundedBody(response, describe(key), maxBytes);
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
