/** What the worker does with a delivery once decided: copies to another queue, then the ack of the original. */
import type { ConsumeMessage } from 'amqplib';
import type { Session } from './connection.js';
import { HEADER_ATTEMPT, HEADER_REASON } from './decide-outcome.js';
import type { TaskMessage } from './task-message.js';

/** Publishes a copy to `queue` (confirmed), then acks the original: the message is never in neither queue. */
export async function republish(session: Session, message: ConsumeMessage, queue: string, headers: Record<string, unknown>): Promise<void> {
  const { properties } = message;
  session.channel.sendToQueue(queue, message.content, {
    persistent: true,
    contentType: properties.contentType ?? 'application/json',
    priority: properties.priority,
    messageId: properties.messageId,
    headers: { ...properties.headers, ...headers },
  });
  await session.channel.waitForConfirms();
  session.channel.ack(message);
}

/** Moves the message to the dead-letter queue with the reason and attempt in its headers. */
export async function deadLetter(session: Session, message: ConsumeMessage, deadLetterQueue: string, reason: string, attempt: number): Promise<void> {
  if (session.closed) return;
  await republish(session, message, deadLetterQueue, {
    [HEADER_REASON]: reason.slice(0, 1000),
    [HEADER_ATTEMPT]: attempt,
    'x-hlsify-failed-at': new Date().toISOString(),
  });
}

/** Publishes the tasks of a job being split (persistent, the job's priority), confirmed before the job is acked. */
export async function publishTasks(session: Session, queue: string, tasks: readonly TaskMessage[], priority: number | undefined): Promise<void> {
  for (const task of tasks) {
    session.channel.sendToQueue(queue, Buffer.from(JSON.stringify(task)), {
      persistent: true,
      contentType: 'application/json',
      priority,
      messageId: `${task.job.id}.${task.task === 'chunk' ? `chunk-${task.chunk}` : 'media'}`,
    });
  }
  await session.channel.waitForConfirms();
}
