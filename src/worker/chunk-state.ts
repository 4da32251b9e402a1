/**
 * Where a chunked job keeps its state in the output bucket, beside the ladder it is building:
 * `<prefix>/.hlsify-chunks/<job id>/` holds `plan.json` (the one plan every task follows), a manifest
 * per finished chunk (`chunk_00003.json`), `media.json` from the audio and subtitle task, and
 * `failed.json` once a task failed for good. The finisher removes them once the master is up.
 */
import { createHash } from 'node:crypto';
import type { ObjectStore } from '../core/upload/object-store.js';
import { DEFAULT_RETRY, withRetry } from '../core/upload/retry.js';
import { objectKey, type S3Location } from '../core/upload/s3-location.js';

export const PLAN_FILE = 'plan.json';
export const MEDIA_FILE = 'media.json';
export const FAILED_FILE = 'failed.json';

/** The manifest name of chunk `index`. */
export function chunkFile(index: number): string {
  return `chunk_${String(index).padStart(5, '0')}.json`;
}

export function isChunkFile(name: string): boolean {
  return /^chunk_\d{5,}\.json$/.test(name);
}

export interface ChunkState {
  store: ObjectStore;
  /** Key prefix of the state folder, ending in `/`. */
  prefix: string;
}

export function chunkStateFor(store: ObjectStore, output: S3Location, jobId: string): ChunkState {
  return { store, prefix: `${objectKey(output, `.hlsify-chunks/${jobId}`)}/` };
}

/** Names of the state files present now. */
export async function listState(state: ChunkState, signal: AbortSignal): Promise<Set<string>> {
  const { value } = await withRetry(() => state.store.list(state.prefix, 200_000, signal), { policy: DEFAULT_RETRY, signal });
  return new Set([...value.sizes.keys()].map((key) => key.slice(state.prefix.length)).filter((name) => !name.includes('/')));
}

export async function readState(state: ChunkState, name: string, signal: AbortSignal): Promise<string | undefined> {
  const { value } = await withRetry(() => state.store.getText(state.prefix + name, signal), { policy: DEFAULT_RETRY, signal });
  return value;
}

export async function writeState(state: ChunkState, name: string, value: unknown, signal: AbortSignal): Promise<void> {
  const body = Buffer.from(JSON.stringify(value));
  const key = state.prefix + name;
  const object = { key, relativePath: name, absolutePath: '', size: body.length, contentType: 'application/json', cacheControl: 'no-store' };
  const sha256 = createHash('sha256').update(body).digest('hex');
  await withRetry(() => state.store.put(object, sha256, signal, () => {}, body), { policy: DEFAULT_RETRY, signal });
}

export async function removeState(state: ChunkState, names: Iterable<string>, signal: AbortSignal): Promise<void> {
  for (const name of names) await withRetry(() => state.store.delete(state.prefix + name, signal), { policy: DEFAULT_RETRY, signal });
}
