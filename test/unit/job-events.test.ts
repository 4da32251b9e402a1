import { describe, expect, it } from 'vitest';
import { isFinal, JobEventBus, parseJobEvent, type JobEvent } from '../../src/worker/job-events.js';

describe('job events', () => {
  it('parses each kind the worker publishes, keeping extra fields', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const events = [
      { type: 'started', jobId: 'a', attempt: 1, at, input: 's3://b/in.mp4', output: 's3://b/out', redeliveries: 0 },
      { type: 'progress', jobId: 'a', attempt: 1, at, stage: 'encode', fraction: 0.5, speed: 1.2, etaSeconds: 3 },
      { type: 'retrying', jobId: 'a', attempt: 1, at, reason: 'PUT …: 503', retryInMs: 5000 },
      { type: 'requeued', jobId: 'a', attempt: 2, at, reason: 'worker shutting down' },
      { type: 'completed', jobId: 'a', attempt: 2, at, status: 'completed', master: 's3://b/out/master.m3u8', seconds: 9.5, renditions: [{ name: '360p', width: 640, height: 360, bandwidth: 900000, codecs: 'avc1.42c01e' }] },
      { type: 'failed', jobId: 'a', attempt: 3, at, reason: 'not a video', kind: 'input', final: true },
    ];
    for (const event of events) expect(parseJobEvent(Buffer.from(JSON.stringify(event)))).toEqual(event);
    expect(events.map((e) => isFinal(parseJobEvent(JSON.stringify(e))!))).toEqual([false, false, false, false, true, true]);
  });

  it('rejects what is not a job event', () => {
    for (const body of ['not json', '{}', '{"type":"completed","jobId":"a"}', '{"type":"exploded","jobId":"a","attempt":1,"at":"x"}', '{"type":"failed","jobId":"a","attempt":0,"at":"x","reason":"r","final":true}']) {
      expect(parseJobEvent(body), body).toBeUndefined();
    }
  });

  it('the bus stamps `at`, reaches every listener, and one failing listener does not stop the others', async () => {
    const bus = new JobEventBus<{ tag: string }>();
    const heard: string[] = [];
    bus.on(() => {
      throw new Error('listener broke');
    });
    bus.on(async (event, context) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      heard.push(`${event.type}:${context.tag}`);
    });
    const event: JobEvent = await bus.emit({ type: 'requeued', jobId: 'a', attempt: 1, reason: 'r' }, { tag: 'x' });
    expect(heard).toEqual(['requeued:x']);
    expect(Date.parse(event.at)).toBeGreaterThan(0);
  });
});
