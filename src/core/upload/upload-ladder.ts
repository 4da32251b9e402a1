/**
 * uploadLadder: a ladder directory → S3, resume-aware. Each file's SHA-256 is compared with the hash
 * stored in the object's metadata: same content is skipped, anything else (even a same-size change) is
 * sent. Phases run in order (segments, media playlists, master), files within a phase at most
 * `concurrency` at once; transient failures are retried with backoff.
 */
import pLimit from 'p-limit';
import { abortReason } from '../../errors.js';
import type { PipelineListener, UploadFileStatus } from '../events.js';
import type { HeaderOverrides } from './content-headers.js';
import { setMaxListeners } from 'node:events';
import { createBufferPool } from './buffer-pool.js';
import { readWholeFile, sha256File } from './file-hash.js';
import { sha256Of } from './hash-thread.js';
import { readLadder } from './ladder-files.js';
import type { ObjectStore } from './object-store.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
import { listRemoteSizes } from './remote-sizes.js';
import { formatS3Url, type S3Location } from './s3-location.js';
import { planUpload, type LocalFile, type PlannedObject } from './upload-plan.js';

export interface UploadOptions {
  dir: string;
  location: S3Location;
  store: ObjectStore;
  concurrency: number;
  dryRun?: boolean | undefined;
  headers?: HeaderOverrides | undefined;
  retry?: RetryPolicy | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: PipelineListener | undefined;
}

export interface UploadedObject {
  key: string;
  status: UploadFileStatus;
  bytes: number;
  attempts: number;
}

export interface UploadResult {
  location: string;
  masterPlaylist: string;
  dryRun: boolean;
  files: number;
  uploaded: number;
  skipped: number;
  /** Retries made (attempts beyond the first), over all files. */
  retried: number;
  bytesUploaded: number;
  bytesSkipped: number;
  seconds: number;
  /** bytesUploaded / seconds, MB/s (10^6 bytes). */
  mbps: number;
  objects: UploadedObject[];
  /** Files in the directory that no playlist names: not uploaded. */
  unreferenced: string[];
}

export async function uploadLadder(options: UploadOptions): Promise<UploadResult> {
  const ladder = await readLadder(options.dir);
  return { ...(await uploadFiles(ladder.files, options)), unreferenced: ladder.unreferenced };
}

/**
 * Uploads `files` (paths relative to the ladder root) the way uploadLadder does: segments, then media
 * playlists, then the master, resume-aware. A chunk of a chunked encode sends its segments with it, and
 * the finisher the playlists.
 */
export async function uploadFiles(files: readonly LocalFile[], options: Omit<UploadOptions, 'dir'>): Promise<UploadResult> {
  const started = Date.now();
  const caller = options.signal ?? new AbortController().signal;
  // A file that fails for good stops the files in flight and those waiting, so the run ends with its
  // error at once rather than after the rest of its phase.
  const failFast = new AbortController();
  const signal = AbortSignal.any([caller, failFast.signal]);
  const emit = options.onEvent ?? (() => {});
  const dryRun = options.dryRun ?? false;
  const plan = planUpload(files, options.location, options.headers);
  emit({ type: 'upload-planned', location: formatS3Url(options.location), files: plan.files, bytes: plan.bytes, dryRun });

  const objects: UploadedObject[] = [];
  let bytesDone = 0;
  let bytesUploaded = 0;
  let retried = 0;
  let lastProgress = 0;
  const progress = (force = false) => {
    const now = Date.now();
    if (!force && now - lastProgress < 250) return;
    lastProgress = now;
    const elapsedSeconds = (now - started) / 1000;
    const rate = elapsedSeconds > 0 ? bytesDone / elapsedSeconds : 0;
    emit({
      type: 'upload-progress',
      bytesDone,
      bytesTotal: plan.bytes,
      filesDone: objects.length,
      filesTotal: plan.files,
      mbps: elapsedSeconds > 0 ? bytesUploaded / 1e6 / elapsedSeconds : 0,
      elapsedSeconds,
      etaSeconds: rate > 0 ? (plan.bytes - bytesDone) / rate : undefined,
    });
  };

  const retryFor = (key: string) => ({
    policy: options.retry ?? DEFAULT_RETRY,
    signal,
    onRetry: (error: Error, attempt: number, delayMs: number) => {
      retried++;
      emit({ type: 'upload-retry', key, attempt, delayMs, reason: error.message });
    },
  });
  const prefix = options.location.prefix ? `${options.location.prefix}/` : '';
  const remoteSize = await listRemoteSizes(options.store, prefix, plan.files, retryFor(formatS3Url(options.location)));

  const pool = createBufferPool();
  /** The file's content (small files, read once for both the hash and the PUT) and its SHA-256. */
  const readContent = async (object: PlannedObject, buffer: Buffer | undefined): Promise<{ sha256: string; body: Buffer | undefined }> => {
    if (!buffer) return { sha256: await sha256File(object.absolutePath, signal), body: undefined };
    const body = await readWholeFile(object.absolutePath, buffer, signal);
    return { sha256: await sha256Of(body), body };
  };

  const handle = async (object: PlannedObject): Promise<void> => {
    const known = remoteSize(object.key);
    // Nothing there, or another size: it is sent, and a dry run need not even read it.
    const differs = known === 'absent' || (typeof known === 'number' && known !== object.size);
    if (differs && dryRun) return record(object, 'would-upload', 0);
    const buffer = object.size < options.store.multipartThreshold ? pool.acquire(object.size) : undefined;
    try {
      await send(object, differs, await readContent(object, buffer));
    } finally {
      if (buffer) pool.release(buffer);
    }
  };

  const record = (object: PlannedObject, status: UploadFileStatus, attempts: number) => {
    if (status !== 'uploaded') bytesDone += object.size;
    objects.push({ key: object.key, status, bytes: object.size, attempts });
    emit({ type: 'upload-file', key: object.key, status, bytes: object.size, attempts });
    progress();
  };

  const send = async (object: PlannedObject, differs: boolean, content: { sha256: string; body: Buffer | undefined }): Promise<void> => {
    const retry = retryFor(object.key);
    if (!differs) {
      const { value: remote } = await withRetry(() => options.store.head(object.key, signal), retry);
      if (remote !== undefined && remote.sha256 === content.sha256 && remote.size === object.size) return record(object, dryRun ? 'would-skip' : 'skipped', 0);
    }
    if (dryRun) return record(object, 'would-upload', 0);
    const { attempts } = await withRetry(async () => {
      let sent = 0;
      const onBytes = (bytes: number) => {
        sent += bytes;
        bytesDone += bytes;
        bytesUploaded += bytes;
        progress();
      };
      try {
        await options.store.put(object, content.sha256, signal, onBytes, content.body);
      } catch (error) {
        // The retry starts the file over: take back what this attempt counted.
        bytesDone -= sent;
        bytesUploaded -= sent;
        throw error;
      }
    }, retry);
    record(object, 'uploaded', attempts);
  };

  const limit = pLimit(Math.max(1, options.concurrency));
  // Each file in flight listens on the signal (reads, requests, retry waits): not a leak.
  setMaxListeners(Math.max(10, options.concurrency * 4 + 10), signal);
  const run = async (object: PlannedObject) => {
    if (signal.aborted) throw abortReason(signal);
    try {
      await handle(object);
    } catch (error) {
      if (!signal.aborted) failFast.abort(error);
      throw error;
    }
  };
  for (const phase of plan.phases) {
    // A failing file stops the run: later phases (playlists, master) must never go up without it.
    await Promise.allSettled(phase.map((object) => limit(() => run(object))));
    if (caller.aborted) throw abortReason(caller);
    if (failFast.signal.aborted) throw failFast.signal.reason;
  }
  progress(true);
  const seconds = (Date.now() - started) / 1000;
  const uploaded = objects.filter((o) => o.status === 'uploaded' || o.status === 'would-upload');
  return {
    location: formatS3Url(options.location),
    masterPlaylist: formatS3Url(options.location, plan.phases.at(-1)?.find((o) => o.relativePath === 'master.m3u8')?.key),
    dryRun,
    files: plan.files,
    uploaded: uploaded.length,
    skipped: objects.length - uploaded.length,
    retried,
    bytesUploaded,
    bytesSkipped: objects.filter((o) => o.status === 'skipped' || o.status === 'would-skip').reduce((sum, o) => sum + o.bytes, 0),
    seconds,
    mbps: seconds > 0 ? bytesUploaded / 1e6 / seconds : 0,
    objects,
    unreferenced: [],
  };
}
