import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createBufferPool } from '../../src/core/upload/buffer-pool.js';
import { hashThreadRunning, sha256Of } from '../../src/core/upload/hash-thread.js';

const reference = (content: Buffer) => createHash('sha256').update(content).digest('hex');

describe('sha256Of', () => {
  it('hashes content in shared memory on the hashing thread, and other buffers here, with the same result', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const shared = Buffer.from(new SharedArrayBuffer(content.length));
    content.copy(shared);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(await sha256Of(shared)).toBe(reference(content));
    expect(hashThreadRunning()).toBe(true);
    expect(await sha256Of(content)).toBe(reference(content));
  });

  it('hashes only the bytes of a view, not the rest of its shared buffer', async () => {
    const shared = Buffer.from(new SharedArrayBuffer(1024 * 1024));
    randomBytes(shared.length).copy(shared);
    const view = shared.subarray(1000, 5000);
    expect(await sha256Of(view)).toBe(reference(Buffer.from(view)));
    expect(await sha256Of(shared.subarray(0, 0))).toBe(reference(Buffer.alloc(0)));
  });

  it('gives each of many concurrent requests its own content\'s hash', async () => {
    const contents = Array.from({ length: 40 }, (_, i) => {
      const buffer = Buffer.from(new SharedArrayBuffer(64 * 1024 + i));
      randomBytes(buffer.length).copy(buffer);
      return buffer;
    });
    const hashes = await Promise.all(contents.map((c) => sha256Of(c)));
    expect(hashes).toEqual(contents.map(reference));
    expect(new Set(hashes).size).toBe(contents.length);
  });

  it('keeps a process alive while it waits for a hash, and lets it end once none is awaited', () => {
    // The built module (the tests' global setup builds dist/): a process whose only work is two hashes,
    // the second after the thread has gone idle; it must print both and then exit by itself.
    const module = pathToFileURL(resolve('dist/core/upload/hash-thread.js')).href;
    const script = `import { sha256Of } from ${JSON.stringify(module)};
const content = Buffer.from(new SharedArrayBuffer(64 * 1024 * 1024)); content.write('abcd');
console.log(await sha256Of(content));
await new Promise((resolve) => setTimeout(resolve, 200));
console.log(await sha256Of(content.subarray(0, 4)));`;
    // A file, not `node -e`: an evaluated script exits even while a worker's port is referenced.
    const dir = mkdtempSync(join(tmpdir(), 'hlsify-test-hash-'));
    let output: string;
    try {
      writeFileSync(join(dir, 'hash.mjs'), script);
      output = execFileSync(process.execPath, [join(dir, 'hash.mjs')], { encoding: 'utf8', timeout: 30_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const big = Buffer.alloc(64 * 1024 * 1024);
    big.write('abcd');
    expect(output.trim().split('\n')).toEqual([reference(big), reference(Buffer.from('abcd'))]);
  });
});

describe('buffer pool', () => {
  it('hands out shared buffers, so the hashing thread reads them without a copy', () => {
    const pool = createBufferPool();
    const buffer = pool.acquire(2_500_000);
    expect(buffer.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(buffer.length).toBeGreaterThanOrEqual(2_500_000);
    pool.release(buffer);
    expect(pool.acquire(1_000_000)).toBe(buffer);
  });
});
