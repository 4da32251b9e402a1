/**
 * One finisher per chunked job, across every worker: an exclusive RabbitMQ queue is the lock. Only one
 * connection can declare it (the others get RESOURCE_LOCKED), and the broker deletes it when that
 * connection closes, so a finisher killed mid-way frees the lock for the redelivered task. Its name is a
 * hash of the job's output and its run (id, fingerprint and the random token of the split), so neither
 * another job with the same id nor a client that only knows the id can hold it. Tasks of one job on the
 * same worker share its connection, so they also take an in-process lock.
 */
import { createHash } from 'node:crypto';
import type { ChannelModel } from 'amqplib';
import { sleep } from '../core/upload/retry.js';

export type FinishLock = <T>(scope: string, run: () => Promise<T>, signal: AbortSignal) => Promise<{ locked: true; value: T } | { locked: false }>;

/** The lock's scope for the run in state folder `stateKey` (which names the output, the job and its run). */
export function finishLockScope(stateKey: string): string {
  return createHash('sha256').update(stateKey).digest('hex').slice(0, 40);
}

const RESOURCE_LOCKED = 405;

/** The lock over `connection()`; waits up to `waitMs` for a holder to finish before giving up. */
export function createFinishLock(connection: () => ChannelModel | undefined, waitMs = 10_000): FinishLock {
  const held = new Set<string>();
  return async (scope, run, signal) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const got = held.has(scope) ? false : await tryDeclare(connection(), `hlsify.finish.${scope}`);
      if (got) {
        held.add(scope);
        try {
          return { locked: true, value: await run() };
        } finally {
          held.delete(scope);
          await got.release();
        }
      }
      if (Date.now() >= deadline) return { locked: false };
      await sleep(200, signal);
    }
  };
}

async function tryDeclare(connection: ChannelModel | undefined, queue: string): Promise<{ release(): Promise<void> } | false> {
  if (!connection) throw new Error('not connected to the broker');
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  try {
    await channel.assertQueue(queue, { exclusive: true, durable: false, autoDelete: false });
  } catch (error) {
    if ((error as { code?: number }).code === RESOURCE_LOCKED) return false;
    throw error;
  }
  return {
    async release() {
      await channel.deleteQueue(queue).catch(() => {});
      await channel.close().catch(() => {});
    },
  };
}
