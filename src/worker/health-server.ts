/** /health (alive), /ready (connected and consuming), /metrics (Prometheus text), /status (JSON for humans). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import type { Metrics } from './metrics.js';

export interface HealthSource {
  ready(): boolean;
  status(): Record<string, unknown>;
  /** Why the worker is not ready, for the /ready body. */
  notReadyReason?(): string | undefined;
  /** Refreshes gauges read from elsewhere (the work queue's depth and consumers) before a scrape. */
  beforeScrape?(): Promise<void>;
}

/** Runs `task`, but gives up waiting after `ms`. */
async function within(ms: number, task: Promise<unknown> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([task?.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export async function startHealthServer(port: number, host: string, metrics: Metrics, source: HealthSource): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if (path === '/health') return json(200, { status: 'ok' });
    if (path === '/ready') return source.ready() ? json(200, { status: 'ready' }) : json(503, { status: 'not ready', reason: source.notReadyReason?.() });
    if (path === '/status') return json(200, source.status());
    if (path === '/metrics') {
      within(2_000, source.beforeScrape?.())
        .then(() => metrics.registry.metrics())
        .then((text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        })
        .catch((error: Error) => json(500, { error: error.message }));
      return;
    }
    if (path === '/metrics.json') {
      metrics.registry
        .getMetricsAsJSON()
        .then((body) => json(200, body))
        .catch((error: Error) => json(500, { error: error.message }));
      return;
    }
    json(404, { error: 'not found', paths: ['/health', '/ready', '/status', '/metrics', '/metrics.json'] });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new UsageError(`--health-port ${port}: ${host}:${port} is already in use (choose another port, or 0 for any free one)`));
      else if (error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') reject(new UsageError(`--health-port ${port}: cannot listen on ${host}:${port} (${error.code})`));
      else reject(error);
    });
    server.listen(port, host, resolve);
  });
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
