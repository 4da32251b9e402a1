/** A signal that aborts with a TimeoutError after `ms`, or with the parent's reason; `clear()` stops the timer. */
import { TimeoutError } from '../errors.js';

export interface TimeLimit {
  signal: AbortSignal;
  clear(): void;
}

export function timeLimit(parent: AbortSignal, ms: number, message: string): TimeLimit {
  const local = new AbortController();
  const timer = setTimeout(() => local.abort(new TimeoutError(message)), Math.max(0, ms));
  return { signal: AbortSignal.any([parent, local.signal]), clear: () => clearTimeout(timer) };
}
