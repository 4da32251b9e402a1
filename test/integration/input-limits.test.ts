/**
 * Inputs over hlsify's hardening limits (more than 16 streams, frames larger than 8K): `transcode` and a
 * worker job both fail once, as bad input, with a line naming the limit and the number — not ffmpeg's
 * "Cannot allocate memory" or a filter-graph failure retried four times.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { quickJob, sleep, useBroker } from './consume-support.js';
import { expectNoTempLeft, expectOneErrorLine } from './support.js';

const STREAMS = /the input has more than 16 streams \(hlsify's limit/;
const PIXELS = /its video is 16000×16000, larger than hlsify's limit of 7680×4320/;

let dir: string;
let s3: S3TestServer;

async function ffmpeg(args: string[]): Promise<void> {
  await execa('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args], { timeout: 120_000 });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hlsify-test-input-limits-'));
  const video = ['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10:duration=1'];
  // 1 video + 20 audio tracks, and 1 video + 20 subtitle tracks: both over the 16-stream limit.
  await ffmpeg([...video, '-f', 'lavfi', '-i', 'sine=duration=1', '-map', '0:v', ...Array.from({ length: 20 }, () => ['-map', '1:a']).flat(), '-c:v', 'libx264', '-c:a', 'aac', join(dir, 'many-audio.mkv')]);
  await writeFile(join(dir, 'one.srt'), '1\n00:00:00,000 --> 00:00:01,000\nhello\n');
  await ffmpeg([...video, '-i', join(dir, 'one.srt'), '-map', '0:v', ...Array.from({ length: 20 }, () => ['-map', '1:s']).flat(), '-c:v', 'libx264', '-c:s', 'srt', join(dir, 'many-subtitles.mkv')]);
  // One 16000×16000 JPEG frame (1.5 MB on disk, 256 megapixels decoded).
  await ffmpeg(['-f', 'lavfi', '-i', 'color=black:s=16000x16000:r=1:d=1', '-frames:v', '1', '-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', join(dir, 'huge.mkv')]);
  s3 = await startS3Server();
}, 120_000);

afterAll(async () => {
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const CASES = [
  { name: '20 audio tracks', file: 'many-audio.mkv', message: STREAMS },
  { name: '20 subtitle tracks', file: 'many-subtitles.mkv', message: STREAMS },
  { name: 'a 16000×16000 frame', file: 'huge.mkv', message: PIXELS },
];

describe('inputs over the hardening limits', () => {
  it.each(CASES)('transcode of $name: exit 1, one line naming the limit, nothing left', async ({ file, message }) => {
    const work = await tempDir('input-limits');
    const tmp = join(work, 'tmp');
    const result = await hlsify(['transcode', join(dir, file), '-o', join(work, 'out'), '--tmp-dir', tmp, '--preset', 'ultrafast']);
    expect(result.exitCode).toBe(1);
    const line = expectOneErrorLine(String(result.stderr));
    expect(line).toMatch(message);
    expect(line).not.toMatch(/allocate memory|filter graph/i);
    await expectNoTempLeft(tmp);
  });

  it('a worker dead-letters each on its first attempt, the reason naming the limit', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('input-limits');
    const events = await broker.collectEvents();
    await broker.startWorker({ endpoint: s3.endpoint, inputRoot: dir });
    const jobs = CASES.map((c) => ({ ...quickJob(c.file, `s3://${bucket}/out/${c.file}`), message: c.message }));
    for (const { message: _, ...job } of jobs) await broker.publishJob(job);

    for (const job of jobs) await events.waitFor(`the failed event of ${job.id}`, (e) => e.type === 'failed' && e.jobId === job.id, 60_000);
    const letters = await broker.readDeadLetters(jobs.length, 10_000);
    // Longer than a retry delay (1 s): a retried job would have been started again by now.
    await sleep(2500);
    expect(events.ofType('retrying')).toEqual([]);
    for (const job of jobs) {
      const letter = letters.find((l) => (JSON.parse(l.body) as { id: string }).id === job.id);
      expect(letter, job.id).toBeDefined();
      expect(letter!.attempt, job.id).toBe(1);
      expect(letter!.reason, job.id).toMatch(job.message);
      expect(events.ofType('failed', job.id)).toEqual([expect.objectContaining({ final: true, attempt: 1, reason: expect.stringMatching(job.message) })]);
    }
    expect(await s3.list(bucket)).toEqual([]);
  }, 120_000);
});
