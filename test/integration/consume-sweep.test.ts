/**
 * The worker's start-up sweep of its temp root: a FIFO planted as a lock does not hang it (the worker
 * starts consuming and stops on SIGTERM), and the work dir of a SIGKILLed process of this host goes at once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

/** A pid that is certainly not running any more. */
function deadPid(): number {
  return Number(execFileSync('sh', ['-c', 'sh -c "echo \\$\\$"']).toString().trim());
}

describe('hlsify consume: start-up sweep', () => {
  it('is not hung by a FIFO lock and removes the fresh work dir of a dead process of this host', async () => {
    const root = await tempDir('sweep');
    const fifoDir = join(root, 'hlsify-planted-1');
    await mkdir(fifoDir);
    execFileSync('mkfifo', [join(fifoDir, 'hlsify.lock')]);
    const killed = join(root, 'hlsify-killed-1');
    await mkdir(join(killed, 'ladder'), { recursive: true });
    await writeFile(join(killed, 'ladder', 'segment_00000.ts'), Buffer.alloc(4096));
    await writeFile(join(killed, 'hlsify.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), pidNamespace: readlinkSync('/proc/self/ns/pid'), startedAt: new Date().toISOString() }));

    const broker = await useBroker();
    // The last --tmp-dir wins: the sweep runs over `root`.
    const worker = await broker.startWorker({ endpoint: s3.endpoint, extra: ['--tmp-dir', root] });
    expect((await worker.http('/ready')).status).toBe(200);
    expect(existsSync(killed)).toBe(false);
    expect(existsSync(fifoDir)).toBe(true);
    expect(worker.logs.find((l) => l.op === 'cleanup')).toMatchObject({ removed: 1 });

    const stopped = await worker.stop('SIGTERM', 15_000);
    expect(stopped.signal).toBeUndefined();
    expect(stopped.seconds).toBeLessThan(10);
  });
});
