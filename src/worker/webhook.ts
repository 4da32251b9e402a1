/** POSTs a job's final event to its webhook, with retries; failures are reported, never thrown. */
import { backoffDelay, DEFAULT_RETRY, sleep } from '../core/upload/retry.js';

export async function postWebhook(url: string, body: unknown, options: { attempts?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ ok: boolean; attempts: number; error?: string }> {
  const attempts = options.attempts ?? 4;
  let lastError = '';
  let attempt = 1;
  for (; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'hlsify-worker' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? 10_000), ...(options.signal ? [options.signal] : [])]),
      });
      await response.body?.cancel();
      if (response.ok) return { ok: true, attempts: attempt };
      lastError = `HTTP ${response.status}`;
      // A 4xx other than 408/429 will not get better by asking again.
      if (response.status < 500 && response.status !== 429 && response.status !== 408) return { ok: false, attempts: attempt, error: lastError };
    } catch (error) {
      lastError = (error as Error).message;
      if (options.signal?.aborted) return { ok: false, attempts: attempt, error: lastError };
    }
    if (attempt < attempts) await sleep(backoffDelay(attempt, { ...DEFAULT_RETRY, baseDelayMs: 500 }));
  }
  return { ok: false, attempts: attempts, error: lastError };
}
