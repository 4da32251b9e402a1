/**
 * `hlsify consume --input-root`: a job naming a symlink (to a file, or through a directory) that leads out
 * of the root is dead-lettered at once with the reason, nothing of the outside file is encoded or uploaded,
 * and a plain file inside the root still works.
 */
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expectCompleteLadder, quickJob, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

describe('hlsify consume: --input-root and symlinks', () => {
  it('dead-letters symlinks that lead out of the root and encodes a plain file inside it', async () => {
    const dir = await tempDir('input-root');
    const root = join(dir, 'root');
    const outside = join(dir, 'elsewhere');
    await mkdir(root);
    await mkdir(outside);
    await copyFile(fixture('mjpeg-tiny.avi'), join(root, 'clip.avi'));
    await copyFile(fixture('mjpeg-tiny.avi'), join(outside, 'private.avi'));
    await symlink(join(outside, 'private.avi'), join(root, 'link.avi'));
    await symlink(outside, join(root, 'shared'));
    await writeFile(join(root, 'notes.mp4'), 'not a video\n');

    const broker = await useBroker();
    const bucket = await s3.bucket('input-root');
    const events = await broker.collectEvents();
    const worker = await broker.startWorker({ endpoint: s3.endpoint, inputRoot: root });

    const bad = [
      { ...quickJob('link.avi', `s3://${bucket}/out/link`, { ladder: [{ size: 144 }] }), id: 'symlinked-file' },
      { ...quickJob('shared/private.avi', `s3://${bucket}/out/dir`, { ladder: [{ size: 144 }] }), id: 'symlinked-dir' },
    ];
    for (const job of bad) await broker.publishJob(job);
    const letters = await broker.readDeadLetters(bad.length, 30_000);
    expect(letters.map((l) => (JSON.parse(l.body) as { id: string }).id).sort()).toEqual(['symlinked-dir', 'symlinked-file']);
    for (const letter of letters) {
      expect(letter.attempt).toBe(1);
      expect(letter.reason).toMatch(/^input "(link\.avi|shared\/private\.avi)": resolves outside the worker's --input-root \(through a symlink\)$/);
    }
    for (const job of bad) {
      const failed = await events.waitFor(`the failed event of ${job.id}`, (e) => e.type === 'failed' && e.jobId === job.id, 10_000);
      expect(failed).toMatchObject({ kind: 'input', final: true });
    }
    expect(events.ofType('completed')).toEqual([]);
    expect(await s3.list(bucket)).toEqual([]);

    // Bad media inside the root is named by the job's path, not by the descriptor ffprobe read it through.
    const notVideo = { ...quickJob('notes.mp4', `s3://${bucket}/out/notes`), id: 'not-a-video' };
    await broker.publishJob(notVideo);
    const [notVideoLetter] = await broker.readDeadLetters(1, 30_000);
    expect(notVideoLetter!.reason).toMatch(/^input notes\.mp4: /);
    expect(notVideoLetter!.reason).not.toContain('/proc/');

    const good = quickJob('clip.avi', `s3://${bucket}/out/good`, { ladder: [{ size: 144 }] });
    await broker.publishJob(good);
    await events.waitFor('the good job to complete', (e) => e.type === 'completed' && e.jobId === good.id, 60_000);
    await expectCompleteLadder(s3, bucket, 'out/good');
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
    expect(worker.alarms(['job failed; dead-lettered'])).toEqual([]);
  });
});
