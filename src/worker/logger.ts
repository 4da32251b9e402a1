/** Structured JSON logs, one object per line (pino), with the worker's identity on every line. */
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string | undefined; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    { level: options.level ?? 'info', base: { worker: `${hostname()}:${process.pid}` }, timestamp: pino.stdTimeFunctions.isoTime },
    (options.destination ?? process.stdout) as pino.DestinationStream,
  );
}
