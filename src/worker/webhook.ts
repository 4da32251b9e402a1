/**
 * POSTs a job's final event to its webhook, with retries; failures are reported, never thrown.
 * The target is checked on the address the socket really connects to (a custom `lookup`), so DNS
 * rebinding cannot reach an internal service; redirects are not followed; each attempt has a hard
 * time limit covering connect, headers and body; `signal` (the worker's shutdown) ends everything.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { backoffDelay, DEFAULT_RETRY, sleep } from '../core/upload/retry.js';
import { addressAllowed, checkWebhookUrl, parseWebhookAllow, type WebhookPolicy } from './webhook-target.js';

export interface WebhookOptions {
  attempts?: number;
  /** Per attempt: connect + response headers + body. */
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  policy?: WebhookPolicy;
}

export interface WebhookResult {
  ok: boolean;
  attempts: number;
  error?: string;
}

class RefusedTarget extends Error {}

/** A dns.lookup that refuses internal addresses (unless allowed) for `hostname`. */
function guardedLookup(hostname: string, policy: WebhookPolicy): LookupFunction {
  return ((host: string, options: object, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(host, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      const refused = list.find((a) => !addressAllowed(a.address, hostname, policy));
      if (refused) return callback(new RefusedTarget(`${hostname} resolves to the internal address ${refused.address} (allow it with --webhook-allow)`), '', 0);
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  }) as LookupFunction;
}

/** One POST; resolves with the status, rejects on network errors, refusals and the time limit. */
function postOnce(url: URL, body: string, policy: WebhookPolicy, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'hlsify-worker' },
        lookup: guardedLookup(url.hostname, policy),
        agent: false,
        signal,
      },
      (response: IncomingMessage) => {
        // Read (and drop) the body within the same time limit, then report the status.
        response.on('data', () => {});
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', (error) => reject(signal.aborted ? new Error(String((signal.reason as Error)?.message ?? signal.reason)) : error));
    request.end(body);
  });
}

export async function postWebhook(target: string, body: unknown, options: WebhookOptions = {}): Promise<WebhookResult> {
  const attempts = options.attempts ?? 4;
  const policy = options.policy ?? parseWebhookAllow(undefined);
  let url: URL;
  try {
    url = checkWebhookUrl(target, policy);
  } catch (error) {
    return { ok: false, attempts: 0, error: `refused: ${(error as Error).message}` };
  }
  const text = JSON.stringify(body);
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    try {
      const status = await postOnce(url, text, policy, signal);
      if (status >= 200 && status < 300) return { ok: true, attempts: attempt };
      lastError = `HTTP ${status}`;
      // Redirects are not followed (they could point anywhere); a 4xx other than 408/429 will not get better.
      if (status >= 300 && status < 400) return { ok: false, attempts: attempt, error: `${lastError}: redirects are not followed` };
      if (status < 500 && status !== 429 && status !== 408) return { ok: false, attempts: attempt, error: lastError };
    } catch (error) {
      if (error instanceof RefusedTarget || (error as { cause?: unknown }).cause instanceof RefusedTarget) return { ok: false, attempts: attempt, error: `refused: ${(error as Error).message}` };
      lastError = timeout.aborted && !options.signal?.aborted ? `no answer within ${timeoutMs / 1000} s` : (error as Error).message;
      if (options.signal?.aborted) return { ok: false, attempts: attempt, error: `aborted: ${lastError}` };
    }
    if (attempt < attempts) {
      try {
        await sleep(backoffDelay(attempt, { ...DEFAULT_RETRY, baseDelayMs: 500 }), options.signal);
      } catch {
        return { ok: false, attempts: attempt, error: `aborted: ${lastError}` };
      }
    }
  }
  return { ok: false, attempts, error: lastError };
}
