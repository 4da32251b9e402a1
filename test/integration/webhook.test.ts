/**
 * Webhook delivery against real sockets on loopback: internal targets are refused before any connection
 * (the receiving server records nothing), --webhook-allow lets them through, a server that never answers
 * (no headers, or headers and no body) costs one time limit per attempt, redirects are not followed,
 * and the worker's shutdown signal ends a pending delivery at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postWebhook } from '../../src/worker/webhook.js';
import { parseWebhookAllow } from '../../src/worker/webhook-target.js';

interface Receiver {
  url: string;
  port: number;
  requests: { method: string; url: string; body: string }[];
  /** Sockets the server saw closed. */
  closedSockets: number;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function receiver(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<Receiver> {
  const self: Receiver = { url: '', port: 0, requests: [], closedSockets: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      self.requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      answer(req, res);
    });
  });
  server.on('connection', (socket: Socket) => socket.on('close', () => self.closedSockets++));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.port = (server.address() as AddressInfo).port;
  self.url = `http://127.0.0.1:${self.port}/hook`;
  return self;
}

const ok = (_req: IncomingMessage, res: ServerResponse) => res.writeHead(204).end();
const loopback = parseWebhookAllow('127.0.0.1');

describe('webhooks: internal targets', () => {
  it('refuses loopback by default without sending anything, by IP, by name and in decimal form', async () => {
    const server = await receiver(ok);
    for (const url of [server.url, `http://localhost:${server.port}/hook`, `http://2130706433:${server.port}/hook`, `http://[::ffff:127.0.0.1]:${server.port}/hook`]) {
      const result = await postWebhook(url, { event: 'completed' }, { attempts: 2 });
      expect(result.ok, url).toBe(false);
      expect(result.error, url).toMatch(/^refused: .*internal address/);
    }
    expect(server.requests, 'requests that reached the internal server').toEqual([]);
  });

  it('delivers to an internal target named in --webhook-allow', async () => {
    const server = await receiver(ok);
    const result = await postWebhook(server.url, { event: 'completed', jobId: 'j1' }, { policy: loopback });
    expect(result).toEqual({ ok: true, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ event: 'completed', jobId: 'j1' });
  });

  it('does not follow a redirect (even to an allowed host)', async () => {
    const target = await receiver(ok);
    const redirecting = await receiver((_req, res) => res.writeHead(302, { location: target.url }).end());
    const result = await postWebhook(redirecting.url, { event: 'failed' }, { policy: loopback });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(/302.*redirects are not followed/);
    expect(redirecting.requests).toHaveLength(1);
    expect(target.requests).toEqual([]);
  });
});

describe('webhooks: time limits', () => {
  it('a server that never answers holds the socket one time limit per attempt (default 10 s), then lets go', async () => {
    const silent = await receiver(() => {});
    const started = Date.now();
    const result = await postWebhook(silent.url, { event: 'completed' }, { policy: loopback, attempts: 1 });
    const seconds = (Date.now() - started) / 1000;
    expect(result).toMatchObject({ ok: false, attempts: 1, error: 'no answer within 10 s' });
    expect(seconds).toBeGreaterThan(9.5);
    expect(seconds).toBeLessThan(12);
    await expect.poll(() => silent.closedSockets, { timeout: 2_000 }).toBe(1);
  });

  it('the limit covers the body too: headers sent, body never finished', async () => {
    const trickle = await receiver((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x');
    });
    const started = Date.now();
    const result = await postWebhook(trickle.url, { event: 'completed' }, { policy: loopback, attempts: 2, timeoutMs: 1_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(result).toMatchObject({ ok: false, attempts: 2, error: 'no answer within 1 s' });
    expect(trickle.requests).toHaveLength(2);
    expect(seconds).toBeLessThan(5);
  });

  it("the worker's shutdown signal ends a pending delivery at once", async () => {
    const silent = await receiver(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('worker shutting down')), 300);
    const started = Date.now();
    const result = await postWebhook(silent.url, { event: 'completed' }, { policy: loopback, signal: controller.signal });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^aborted/);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect.poll(() => silent.closedSockets, { timeout: 2_000 }).toBe(1);
  });
});
