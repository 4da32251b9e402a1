/**
 * Feeding workers: builds a job through the same zod schema the worker validates with, declares the
 * queues, publishes it persistent with publisher confirms and `mandatory` (an unroutable job is an error,
 * never a silent drop), and follows a job's events on the events exchange (signed ones only, when the
 * job carries an event key). Used by `hlsify submit` and
 * the bench's queue section.
 */
import type { ChannelModel, ConfirmChannel, Message } from 'amqplib';
import { formatIssues } from '../config.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { connectAbortable, redactUrl } from './connection.js';
import { hasValidSignature, SIGNATURE_HEADER } from './event-signature.js';
import { isFinal, parseJobEvent, type JobEvent } from './job-events.js';
import { jobMessageSchema, type JobMessage } from './job-message.js';
import { declarePublishTopology, type Topology } from './topology.js';

/** Validates a job as the worker will; throws UsageError naming every problem. */
export function buildJob(fields: Record<string, unknown>): JobMessage {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  const result = jobMessageSchema.safeParse(defined);
  if (!result.success) throw new UsageError(`invalid job: ${formatIssues(result.error.issues)}`);
  return result.data;
}

export interface JobWatch {
  /** Resolves with the job's final event (completed, or failed for good). */
  final: Promise<Extract<JobEvent, { type: 'completed' | 'failed' }>>;
  close(): Promise<void>;
}

export interface Publisher {
  publish(job: JobMessage): Promise<void>;
  /**
   * Subscribes to the events of `jobIds` (call before publishing); `onEvent` hears each one. With
   * `eventKey` (the key put in the job), an event of the job without a valid signature is not believed:
   * `onUnsigned` hears it instead, and it never ends the watch.
   */
  watch(jobIds: readonly string[], onEvent: (event: JobEvent) => void, options?: { eventKey?: string; onUnsigned?: (event: JobEvent) => void }): Promise<JobWatch>;
  close(): Promise<void>;
}

export async function openPublisher(url: string, topology: Topology, signal: AbortSignal): Promise<Publisher> {
  let connection: ChannelModel;
  try {
    connection = await connectAbortable(url, signal, `hlsify-submit-${process.pid}`);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new EnvironmentError(`cannot connect to the broker at ${redactUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
  connection.on('error', () => {});
  const channel: ConfirmChannel = await connection.createConfirmChannel();
  channel.on('error', () => {});
  await declarePublishTopology(channel, topology);
  const returned = new Set<string>();
  channel.on('return', (message: Message) => returned.add(String(message.properties.messageId)));
  let closed: Promise<void> | undefined;

  return {
    async publish(job) {
      channel.publish('', topology.queue, Buffer.from(JSON.stringify(job)), {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        messageId: job.id,
        priority: job.priority,
      });
      await channel.waitForConfirms();
      // The broker sends basic.return before the confirm of an unroutable mandatory message.
      if (returned.has(job.id)) throw new EnvironmentError(`the broker could not route job ${job.id} to queue "${topology.queue}"`);
    },

    async watch(jobIds, onEvent, options = {}) {
      const events = await connection.createChannel();
      events.on('error', () => {});
      const { queue } = await events.assertQueue('', { exclusive: true, autoDelete: true });
      await events.bindQueue(queue, topology.eventsExchange, 'job.#');
      const wanted = new Set(jobIds);
      let resolveFinal!: (event: Extract<JobEvent, { type: 'completed' | 'failed' }>) => void;
      const final = new Promise<Extract<JobEvent, { type: 'completed' | 'failed' }>>((resolve) => (resolveFinal = resolve));
      await events.consume(
        queue,
        (message) => {
          if (!message) return;
          const event = parseJobEvent(message.content);
          if (!event || !wanted.has(event.jobId)) return;
          if (options.eventKey && !hasValidSignature(options.eventKey, message.content, message.properties.headers?.[SIGNATURE_HEADER])) {
            options.onUnsigned?.(event);
            return;
          }
          onEvent(event);
          if (isFinal(event) && jobIds.length === 1) resolveFinal(event);
        },
        { noAck: true },
      );
      return { final, close: () => events.close().catch(() => {}) };
    },

    close() {
      closed ??= (async () => {
        await channel.close().catch(() => {});
        await connection.close().catch(() => {});
      })();
      return closed;
    },
  };
}
