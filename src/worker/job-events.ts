/**
 * What a worker says about a job, as one union keyed on `type`, validated with zod where it crosses the
 * wire. The worker publishes these on the events exchange (routing key `job.<type>`); `hlsify submit
 * --wait` and the bench's queue section read them back through `parseJobEvent`. Inside the worker, logs,
 * the AMQP publisher, webhooks and metrics are listeners of the same events.
 */
import { z } from 'zod';
import type { RenditionResult } from '../core/playlist/measure-renditions.js';
import type { VerifySummary } from '../core/verify/report.js';

const base = { jobId: z.string(), attempt: z.number().int().min(1), at: z.string() };

export const jobEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('started'), ...base, input: z.string(), output: z.string(), redeliveries: z.number().int().min(0).optional() }),
  z.looseObject({
    type: z.literal('progress'),
    ...base,
    stage: z.string(),
    fraction: z.number(),
    speed: z.number(),
    etaSeconds: z.number().optional(),
  }),
  z.looseObject({ type: z.literal('retrying'), ...base, reason: z.string(), retryInMs: z.number() }),
  /** A chunked job handed out as tasks: `chunks` chunks of the video plus the audio and subtitle task. */
  z.looseObject({ type: z.literal('split'), ...base, chunks: z.number().int(), tasks: z.number().int(), chunkSeconds: z.number() }),
  /** One task of a chunked job done by `worker` (host/pid): encoded now, found already encoded, or skipped. */
  z.looseObject({
    type: z.literal('task'),
    ...base,
    task: z.string(),
    status: z.enum(['encoded', 'already-encoded', 'skipped']),
    worker: z.string(),
    seconds: z.number().optional(),
    reason: z.string().optional(),
  }),
  /** Handed back to the queue untouched: shutdown, lost channel, or a worker-level problem (credentials). */
  z.looseObject({ type: z.literal('requeued'), ...base, reason: z.string() }),
  z.looseObject({
    type: z.literal('completed'),
    ...base,
    status: z.enum(['completed', 'already-complete']),
    master: z.string(),
    seconds: z.number(),
    speed: z.number().optional(),
    renditions: z.array(z.looseObject({ name: z.string(), width: z.number(), height: z.number(), bandwidth: z.number() })).optional(),
    uploaded: z.number().optional(),
    skipped: z.number().optional(),
    verify: z.looseObject({ ok: z.boolean(), pass: z.number(), warn: z.number(), notApplicable: z.number(), warned: z.array(z.string()) }).optional(),
    /** Seconds per stage of a whole job (probe, plan, encode, playlists, verify, finish, upload). */
    phases: z.record(z.string(), z.number()).optional(),
  }),
  z.looseObject({ type: z.literal('failed'), ...base, reason: z.string(), kind: z.string().optional(), final: z.literal(true) }),
]);

export type JobEvent = z.infer<typeof jobEventSchema>;
export type JobEventType = JobEvent['type'];
/** An event before it is stamped with `at`. */
export type JobEventInput = JobEvent extends infer E ? (E extends JobEvent ? Omit<E, 'at'> : never) : never;

/** Parses an event body from the exchange; undefined for anything that is not a job event. */
export function parseJobEvent(body: Buffer | string): JobEvent | undefined {
  try {
    const result = jobEventSchema.safeParse(JSON.parse(body.toString()));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the event ends the job (no further events for it follow). */
export function isFinal(event: JobEvent): event is Extract<JobEvent, { type: 'completed' | 'failed' }> {
  return event.type === 'completed' || event.type === 'failed';
}

export type JobEventListener<C = undefined> = (event: JobEvent, context: C) => void | Promise<void>;

/** Typed fan-out: every listener hears every event; one failing listener never stops the others. */
export class JobEventBus<C = undefined> {
  private readonly listeners: JobEventListener<C>[] = [];

  on(listener: JobEventListener<C>): this {
    this.listeners.push(listener);
    return this;
  }

  /** Stamps `at`, hands the event to every listener, waits for those that return a promise. */
  async emit(input: JobEventInput, context: C): Promise<JobEvent> {
    const event = { ...input, at: new Date().toISOString() } as JobEvent;
    await Promise.allSettled(this.listeners.map(async (listener) => listener(event, context)));
    return event;
  }
}

/** A `completed` event's `verify`: what the HLS checks found before the ladder was published. */
export function verifyEventField(summary: VerifySummary): { ok: boolean; pass: number; warn: number; notApplicable: number; warned: string[] } {
  return { ok: summary.ok, pass: summary.pass, warn: summary.warn, notApplicable: summary.notApplicable, warned: summary.warned };
}

/** A `completed` event's `renditions`: each rendition's size, bit rates and codecs. */
export function renditionsEventField(renditions: readonly RenditionResult[]): { name: string; width: number; height: number; bandwidth: number; averageBandwidth: number; codecs: string }[] {
  return renditions.map((r) => ({ name: r.name, width: r.width, height: r.height, bandwidth: r.bandwidth, averageBandwidth: r.averageBandwidth, codecs: r.codecs.join(',') }));
}
