/** A file's SHA-256 (streamed, for large files) and a small file read whole in one go. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { abortReason } from '../../errors.js';

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { signal, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Reads a whole file into `buffer` (from its start) with as few reads as the kernel allows
 * (fs.promises.readFile reads in 512 KiB steps, each a trip through the thread pool). Returns the part
 * of `buffer` filled, or a new buffer when the file has grown beyond it since it was listed.
 */
export async function readWholeFile(path: string, buffer: Buffer, signal?: AbortSignal): Promise<Buffer> {
  if (signal?.aborted) throw abortReason(signal);
  const handle = await open(path, 'r');
  try {
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      filled += bytesRead;
      if (bytesRead === 0) return buffer.subarray(0, filled);
      if (filled === buffer.length) {
        const rest = await handle.readFile();
        return rest.length === 0 ? buffer : Buffer.concat([buffer, rest]);
      }
    }
  } finally {
    await handle.close();
  }
}
