/**
 * Reusable read buffers for the files in flight: allocating a fresh multi-megabyte buffer per file keeps
 * the garbage collector busy (a quarter of an upload's CPU time in a profile); at most one buffer per
 * upload slot ever exists.
 */

export interface BufferPool {
  /** A buffer of at least `size` bytes, for the caller alone until released. */
  acquire(size: number): Buffer;
  release(buffer: Buffer): void;
}

const STEP = 1024 * 1024;

export function createBufferPool(): BufferPool {
  const free: Buffer[] = [];
  return {
    acquire(size) {
      let best = -1;
      for (let i = 0; i < free.length; i++) {
        if (free[i]!.length >= size && (best < 0 || free[i]!.length < free[best]!.length)) best = i;
      }
      if (best >= 0) return free.splice(best, 1)[0]!;
      // None large enough: replace the largest free one, so the pool never grows beyond the slots in use.
      if (free.length > 0) free.splice(free.indexOf(free.reduce((a, b) => (a.length > b.length ? a : b))), 1);
      // Shared memory, so the hashing thread reads the content where it lies (hash-thread.ts).
      return Buffer.from(new SharedArrayBuffer(Math.max(STEP, Math.ceil(size / STEP) * STEP)));
    },
    release(buffer) {
      free.push(buffer);
    },
  };
}
