/**
 * The worker's broker connection: connect, declare the topology, hand the channel over, and when it is
 * lost reconnect with jittered backoff. Every wait (the connect itself included) ends as soon as `signal`
 * aborts, so SIGTERM during a reconnect exits promptly. Without a first successful connect within
 * `connectTimeoutMs` the loop gives up with an EnvironmentError (a wrong URL must not retry forever).
 */
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { EnvironmentError, abortReason } from '../errors.js';
import { sleep } from '../core/upload/retry.js';
import type { Logger } from './logger.js';
import { redactUrl } from '../redact-url.js';
import { declareTopology, type Topology } from './topology.js';

export interface Session {
  connection: ChannelModel;
  channel: ConfirmChannel;
  consumerTag: string | undefined;
  closed: boolean;
}

export interface ConnectionOptions {
  url: string;
  topology: Topology;
  prefetch: number;
  logger: Logger;
  signal: AbortSignal;
  connectTimeoutMs: number;
  /** Called with each new channel (topology declared, prefetch set); starts consuming. */
  onSession(session: Session): Promise<void>;
  /** Called once a session is lost, before the next connect (abort its jobs, wait for them). */
  onLost(session: Session): Promise<void>;
}

export { redactUrl };

/** amqp.connect that gives up (and closes a late connection) when `signal` aborts. */
export async function connectAbortable(url: string, signal: AbortSignal, name: string): Promise<ChannelModel> {
  if (signal.aborted) throw abortReason(signal);
  const connecting = amqp.connect(url, { clientProperties: { connection_name: name }, timeout: 10_000 });
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      void connecting.then((late) => late.close()).catch(() => {});
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([connecting, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Runs until `signal` aborts (resolves) or the first connect never succeeds in time (rejects). */
export async function runConnectionLoop(options: ConnectionOptions, firstAttempt: () => void): Promise<void> {
  const { logger, signal } = options;
  const started = Date.now();
  let everConnected = false;
  let delay = 500;
  let lastError = '';
  while (!signal.aborted) {
    let session: Session | undefined;
    try {
      const connection = await connectAbortable(options.url, signal, `hlsify-worker-${process.pid}`);
      connection.on('error', (error: Error) => logger.warn({ op: 'amqp', err: error.message }, 'connection error'));
      const lost = new Promise<void>((resolve) => connection.once('close', () => resolve()));
      const channel = await connection.createConfirmChannel();
      session = { connection, channel, consumerTag: undefined, closed: false };
      const channelLost = new Promise<void>((resolve) => channel.once('close', () => resolve()));
      channel.on('error', (error: Error) => logger.warn({ op: 'amqp', err: error.message }, 'channel error'));
      await declareTopology(channel, options.topology);
      await channel.prefetch(options.prefetch);
      everConnected = true;
      delay = 500;
      await options.onSession(session);
      firstAttempt();
      await Promise.race([lost, channelLost]);
    } catch (error) {
      if (!signal.aborted) {
        lastError = (error as Error).message;
        logger.warn({ op: 'amqp', err: lastError }, 'broker connection failed');
      }
    }
    firstAttempt();
    if (session) {
      session.closed = true;
      await options.onLost(session);
      await session.connection.close().catch(() => {});
    }
    if (signal.aborted) break;
    if (!everConnected && Date.now() - started >= options.connectTimeoutMs) {
      throw new EnvironmentError(`cannot connect to the broker at ${redactUrl(options.url)} within ${Math.round(options.connectTimeoutMs / 1000)} s (--connect-timeout): ${lastError}`);
    }
    const wait = Math.round(delay * (0.5 + Math.random() / 2));
    logger.info({ op: 'reconnect', inMs: wait }, 'reconnecting to the broker');
    await sleep(everConnected ? wait : Math.min(wait, Math.max(0, started + options.connectTimeoutMs - Date.now())), signal).catch(() => {});
    delay = Math.min(delay * 2, 15_000);
  }
}
