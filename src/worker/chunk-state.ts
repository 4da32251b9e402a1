/**
 * Where a chunked job keeps its state in the output bucket, beside the ladder it is building: each run
 * has its own folder, `<prefix>/.hlsify-chunks/<job id>.<fingerprint>.<token>/` (chunk-run.ts), holding
 * `plan.json` (the run and the one plan every task follows), a manifest per finished chunk
 * (`chunk_00003.json`), `media.json` from the audio and subtitle task, and `failed.json` once a task
 * failed for good. The finisher removes them once the master is up. Every state object is read with a
 * size limit: the bucket is shared with whoever may write to it.
 */
import { createHash } from 'node:crypto';
import type { ObjectStore } from '../core/upload/object-store.js';
import { DEFAULT_RETRY, withRetry } from '../core/upload/retry.js';
import { objectKey, type S3Location } from '../core/upload/s3-location.js';
import { parseRunFolder } from './chunk-run.js';

export const PLAN_FILE = 'plan.json';
export const MEDIA_FILE = 'media.json';
export const FAILED_FILE = 'failed.json';

/**
 * Where a task keeps its check of its segments beside its manifest (`chunk_00003.checks.json`): a file of
 * its own, so a finisher of an earlier version, which knows only the manifests, reads them as before.
 */
export function checksFile(manifest: string): string {
  return manifest.replace(/\.json$/, '.checks.json');
}

/** The manifest name of chunk `index`. */
export function chunkFile(index: number): string {
  return `chunk_${String(index).padStart(5, '0')}.json`;
}

export interface ChunkState {
  store: ObjectStore;
  /** Key prefix of the state folder, ending in `/`. */
  prefix: string;
}

/** Most bytes read of one state object: plan.json, a manifest, failed.json. */
export const MAX_STATE_BYTES = 16 * 1024 * 1024;

/** The folder holding every run's state under `output`, ending in `/`. */
export function runsPrefix(output: S3Location): string {
  return `${objectKey(output, '.hlsify-chunks')}/`;
}

/** The state of the run in folder `folder` (see chunk-run.ts). */
export function chunkStateFor(store: ObjectStore, output: S3Location, folder: string): ChunkState {
  return { store, prefix: `${runsPrefix(output)}${folder}/` };
}

/** Names of the state files present now. */
export async function listState(state: ChunkState, signal: AbortSignal): Promise<Set<string>> {
  const { value } = await withRetry(() => state.store.list(state.prefix, 200_000, signal), { policy: DEFAULT_RETRY, signal });
  return new Set([...value.sizes.keys()].map((key) => key.slice(state.prefix.length)).filter((name) => !name.includes('/')));
}

export async function readState(state: ChunkState, name: string, signal: AbortSignal): Promise<string | undefined> {
  const { value } = await withRetry(() => state.store.getBytes(state.prefix + name, { maxBytes: MAX_STATE_BYTES, signal }), { policy: DEFAULT_RETRY, signal });
  return value === undefined ? undefined : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
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

/** A run's folder under the output and the state names in it. */
export interface RunFolder {
  folder: string;
  jobId: string;
  fingerprint: string;
  token: string;
  names: Set<string>;
}

/** Every run folder under `output` (state of chunked jobs that were split there and not yet cleaned up). */
export async function listRuns(store: ObjectStore, output: S3Location, signal: AbortSignal): Promise<RunFolder[]> {
  const prefix = runsPrefix(output);
  const { value } = await withRetry(() => store.list(prefix, 200_000, signal), { policy: DEFAULT_RETRY, signal });
  const runs = new Map<string, RunFolder>();
  for (const key of value.sizes.keys()) {
    const [folder, name, ...rest] = key.slice(prefix.length).split('/');
    const parts = folder === undefined ? undefined : parseRunFolder(folder);
    if (!parts || name === undefined || rest.length > 0) continue;
    const run = runs.get(folder!) ?? { folder: folder!, ...parts, names: new Set<string>() };
    run.names.add(name);
    runs.set(folder!, run);
  }
  return [...runs.values()];
}
