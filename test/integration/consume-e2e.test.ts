/**
 * `hlsify consume` end to end against the real broker, ffmpeg and S3 server: a published job becomes a
 * ladder in the bucket, announced by events, acked, counted in the metrics; a redelivered copy of a
 * finished job is acked without encoding again.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { probeVideo } from '../helpers/ladder-checks.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expectCompleteLadder, metricValue, quickJob, unackedCount, uploadInput, useBroker } from './consume-support.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

describe('hlsify consume: a job end to end', () => {
  it('publishes started/progress/completed, uploads a playable ladder, acks, counts it; a redelivered copy is not re-encoded', async () => {
    const broker = await useBroker();
    const bucket = await s3.bucket('consume-e2e');
    const input = await uploadInput(s3, bucket, 'inputs/clip.mp4', 'landscape-720p30.mp4');
    const events = await broker.collectEvents();
    const worker = await broker.startWorker({ endpoint: s3.endpoint });

    const health = await worker.http('/health');
    expect(health.status).toBe(200);
    const ready = await worker.http('/ready');
    expect(ready.status, ready.text).toBe(200);

    const job = quickJob(input, `s3://${bucket}/out/clip`);
    const publishedAt = await broker.publishJob(job, { priority: 5 });
    const started = await events.waitFor('the started event', (e) => e.type === 'started' && e.jobId === job.id, 20_000);
    const completed = await events.waitFor('the completed event', (e) => e.type === 'completed' && e.jobId === job.id, 90_000);
    const latencies = [Date.parse(started.at) - publishedAt];

    // Events in order, each naming the job.
    expect(started).toMatchObject({ routingKey: 'job.started', attempt: 1, input, output: job.output });
    const progress = events.ofType('progress', job.id);
    expect(progress.length, 'progress events').toBeGreaterThanOrEqual(1);
    for (const p of progress) {
      expect(p.routingKey).toBe('job.progress');
      expect(p.fraction).toBeGreaterThanOrEqual(0);
      expect(p.fraction).toBeLessThanOrEqual(1);
      expect(p.receivedAt).toBeGreaterThanOrEqual(started.receivedAt);
      expect(p.receivedAt).toBeLessThanOrEqual(completed.receivedAt);
    }
    expect(completed).toMatchObject({ routingKey: 'job.completed', status: 'completed', attempt: 1, master: `s3://${bucket}/out/clip/master.m3u8` });
    // The HLS checks ran on the ladder before upload, and their summary travels with the event.
    expect(completed.verify).toMatchObject({ ok: true, notApplicable: expect.any(Number) });
    expect((completed.verify as { pass: number }).pass).toBeGreaterThan(10);
    // Where the job's time went, stage by stage, then the upload.
    const phases = completed.phases as Record<string, number>;
    expect(Object.keys(phases)).toEqual(['probe', 'plan', 'encode', 'playlists', 'verify', 'finish', 'upload']);
    expect(phases.encode).toBeGreaterThan(0);
    expect(phases.upload).toBeGreaterThan(0);
    const renditions = completed.renditions as { name: string; width: number; height: number; bandwidth: number; codecs: string }[];
    expect(renditions).toHaveLength(1);
    expect(renditions[0]).toMatchObject({ width: 640, height: 360 });
    expect(renditions[0]!.bandwidth).toBeGreaterThan(0);
    expect(renditions[0]!.codecs).toMatch(/^avc1\./);
    expect(events.ofType('failed')).toEqual([]);
    expect(events.ofType('retrying')).toEqual([]);

    // The ladder in the bucket: complete, parsable, and its segments decode as 360p video.
    const ladder = await expectCompleteLadder(s3, bucket, 'out/clip');
    expect(ladder.variants).toHaveLength(1);
    expect(ladder.master.variants[0]!.resolution).toEqual({ width: 640, height: 360 });
    const segmentDuration = ladder.variants[0]!.playlist.segments.reduce((sum, s) => sum + s.duration, 0);
    expect(segmentDuration).toBeGreaterThan(7);
    expect(segmentDuration).toBeLessThan(9);
    const dir = await tempDir('consume-e2e');
    const segmentPath = join(dir, 'segment.ts');
    await writeFile(segmentPath, await s3.get(bucket, ladder.variants[0]!.segmentKeys[0]!));
    expect(await probeVideo(segmentPath)).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });

    // Acked: nothing ready, nothing unacked, nothing in flight, nothing dead-lettered or waiting to retry.
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
    expect(await unackedCount(broker.queue)).toBe(0);
    const status = JSON.parse((await worker.http('/status')).text) as { ready: boolean; inFlight: unknown[]; counts: { completed: number } };
    expect(status).toMatchObject({ ready: true, inFlight: [], counts: { completed: 1 } });

    const metrics = (await worker.http('/metrics')).text;
    expect(metricValue(metrics, 'hlsify_jobs_total{outcome="completed"}')).toBe(1);
    expect(metricValue(metrics, 'hlsify_jobs_in_flight')).toBe(0);
    expect(metricValue(metrics, 'hlsify_uploaded_bytes_total')).toBeGreaterThan(0);
    expect((await worker.http('/health')).status).toBe(200);
    expect((await worker.http('/ready')).status).toBe(200);

    // The same job again (a redelivery after a lost ack looks exactly like this): acked, not re-encoded.
    const masterBefore = await s3.head(bucket, 'out/clip/master.m3u8');
    for (let copy = 0; copy < 3; copy++) {
      const againAt = await broker.publishJob(job, { priority: 5 });
      const count = copy + 2;
      await events.waitFor(`completed event #${count}`, () => events.ofType('completed', job.id).length >= count, 20_000);
      latencies.push(Date.parse(events.ofType('started', job.id)[count - 1]!.at) - againAt);
    }
    const again = events.ofType('completed', job.id).slice(1);
    for (const event of again) {
      expect(event).toMatchObject({ status: 'already-complete', master: `s3://${bucket}/out/clip/master.m3u8` });
      expect(event.renditions, 'no transcode result for an already complete job').toBeUndefined();
    }
    expect(await s3.head(bucket, 'out/clip/master.m3u8')).toEqual(masterBefore);
    await expectCompleteLadder(s3, bucket, 'out/clip');
    expect(await broker.depths()).toEqual({ work: 0, dead: 0, retry: [0, 0, 0] });
    const after = (await worker.http('/metrics')).text;
    expect(metricValue(after, 'hlsify_jobs_total{outcome="completed"}')).toBe(1);
    expect(metricValue(after, 'hlsify_jobs_total{outcome="already-complete"}')).toBe(3);
    // Durations per outcome too: a job found complete takes milliseconds and must not skew the encode times.
    expect(metricValue(after, 'hlsify_job_duration_seconds_count{outcome="completed"}')).toBe(1);
    expect(metricValue(after, 'hlsify_job_duration_seconds_count{outcome="already-complete"}')).toBe(3);
    expect(worker.logs.filter((l) => l.msg === 'job completed' && l.status === 'completed')).toHaveLength(1);

    expect(worker.alarms()).toEqual([]);
    console.log(`pickup latency (publish → started, idle worker): median ${median(latencies)} ms of [${latencies.join(', ')}] ms`);
    const stopped = await worker.stop('SIGTERM');
    expect(stopped, worker.stderr()).toMatchObject({ exitCode: 0, signal: undefined });
  });
});
