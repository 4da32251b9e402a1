/**
 * SHA-256 of file contents on a worker thread, so that hashing (about a quarter of an upload's main-thread
 * time) runs beside the requests instead of between them. The contents sit in SharedArrayBuffer-backed
 * buffers (see buffer-pool.ts), so nothing is copied; a buffer that is not shared, or a thread that cannot
 * start, is hashed on the calling thread. One thread per process, started on first use; it keeps the
 * process alive only while a hash is awaited (the awaiting code may have nothing else pending).
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

// Plain CommonJS run with `eval`: no file to locate next to the compiled (or, in tests, TypeScript) module.
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, buffer, offset, length }) => {
  parentPort.postMessage({ id, sha256: createHash('sha256').update(new Uint8Array(buffer, offset, length)).digest('hex') });
});
`;

interface Pending {
  resolve: (sha256: string) => void;
  content: Buffer;
}

let thread: { worker: Worker; pending: Map<number, Pending>; nextId: number } | undefined;
let threadFailed = false;

function sha256Here(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function startThread(): NonNullable<typeof thread> | undefined {
  if (thread) return thread;
  if (threadFailed) return undefined;
  try {
    const worker = new Worker(THREAD_SOURCE, { eval: true });
    const state = { worker, pending: new Map<number, Pending>(), nextId: 0 };
    // Referenced only while a hash is awaited: sha256Of refs it, the last answer unrefs it. (A 'message'
    // listener references the worker again, so an unref made before it would not hold.)
    worker.on('message', ({ id, sha256 }: { id: number; sha256: string }) => {
      const entry = state.pending.get(id);
      state.pending.delete(id);
      if (state.pending.size === 0) worker.unref();
      entry?.resolve(sha256);
    });
    const fail = () => {
      // Whatever was waiting is hashed here instead; later calls too.
      threadFailed = true;
      thread = undefined;
      for (const entry of state.pending.values()) entry.resolve(sha256Here(entry.content));
      state.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    worker.unref();
    thread = state;
    return state;
  } catch {
    threadFailed = true;
    return undefined;
  }
}

/** Whether hashes are being computed on the hashing thread (false before the first, or after it failed). */
export function hashThreadRunning(): boolean {
  return thread !== undefined;
}

/** The content's SHA-256 (hex); on the hashing thread when the content is in shared memory. */
export function sha256Of(content: Buffer): Promise<string> {
  const state = content.buffer instanceof SharedArrayBuffer ? startThread() : undefined;
  if (!state) return Promise.resolve(sha256Here(content));
  const id = state.nextId++;
  return new Promise((resolve) => {
    if (state.pending.size === 0) state.worker.ref();
    state.pending.set(id, { resolve, content });
    state.worker.postMessage({ id, buffer: content.buffer, offset: content.byteOffset, length: content.length });
  });
}
