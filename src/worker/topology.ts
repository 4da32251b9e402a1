/**
 * Queue names and arguments, derived from one work queue name. Declared (idempotently) on every connect.
 *
 * - work queue: classic, durable, `x-max-priority` 9. Quorum queues would survive node loss better, but on
 *   RabbitMQ 3.10 (this project's broker) they do not support priorities, which jobs need.
 * - retry queues `<q>.retry.<n>`: no consumers; a queue-level TTL (per-message TTLs only expire at the head
 *   of a queue) dead-letters each message back to the work queue after its delay.
 * - dead-letter queue `<q>.dead`: poison messages and jobs that failed for good, with the reason in headers.
 * - events: a topic exchange (`hlsify.events` by default), routing keys `job.<type>`.
 */
import type { Channel } from 'amqplib';

export interface Topology {
  queue: string;
  retryQueues: { name: string; delayMs: number }[];
  deadLetterQueue: string;
  eventsExchange: string;
  maxPriority: number;
}

export const DEFAULT_RETRY_DELAYS_MS = [5_000, 30_000, 120_000];

export function topologyFor(queue: string, options: { eventsExchange?: string | undefined; retryDelaysMs?: readonly number[] | undefined } = {}): Topology {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  return {
    queue,
    retryQueues: delays.map((delayMs, i) => ({ name: `${queue}.retry.${i + 1}`, delayMs })),
    deadLetterQueue: `${queue}.dead`,
    eventsExchange: options.eventsExchange ?? 'hlsify.events',
    maxPriority: 9,
  };
}

/** The retry queue for a job's `attempt`-th failure (1-based); later failures reuse the longest delay. */
export function retryQueueFor(topology: Topology, attempt: number): { name: string; delayMs: number } {
  const queues = topology.retryQueues;
  return queues[Math.min(attempt, queues.length) - 1]!;
}

export async function declareTopology(channel: Channel, topology: Topology): Promise<void> {
  await channel.assertExchange(topology.eventsExchange, 'topic', { durable: true });
  await channel.assertQueue(topology.queue, { durable: true, arguments: { 'x-max-priority': topology.maxPriority } });
  await channel.assertQueue(topology.deadLetterQueue, { durable: true });
  for (const retry of topology.retryQueues) {
    await channel.assertQueue(retry.name, {
      durable: true,
      arguments: { 'x-message-ttl': retry.delayMs, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': topology.queue },
    });
  }
}

/**
 * What a publisher declares before it publishes (the same arguments as the workers, so the declarations
 * agree): the events exchange, the work queue and the dead-letter queue. A job published before any worker
 * has started then waits in the queue instead of being dropped. Retry queues are the workers' own business
 * (their TTLs follow each worker's --retry-delays).
 */
export async function declarePublishTopology(channel: Channel, topology: Topology): Promise<void> {
  await channel.assertExchange(topology.eventsExchange, 'topic', { durable: true });
  await channel.assertQueue(topology.queue, { durable: true, arguments: { 'x-max-priority': topology.maxPriority } });
  await channel.assertQueue(topology.deadLetterQueue, { durable: true });
}
