/**
 * A loopback HTTP proxy between the CLI and the S3 server that injects faults: for each request a rule
 * decides to pass it on, answer with an error status, or reset the connection. Records what it saw.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultAction = 'pass' | 'reset' | { status: number; code?: string };

export interface SeenRequest {
  method: string;
  path: string;
  action: FaultAction;
}

export interface FaultProxy {
  endpoint: string;
  seen: SeenRequest[];
  setRule(rule: (req: { method: string; path: string; index: number }) => FaultAction): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const seen: SeenRequest[] = [];
  let rule: (req: { method: string; path: string; index: number }) => FaultAction = () => 'pass';

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const action = rule({ method, path, index: seen.length });
    seen.push({ method, path, action });
    if (action === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action !== 'pass') {
      req.resume();
      const code = action.code ?? (action.status === 503 ? 'SlowDown' : action.status === 403 ? 'AccessDenied' : 'InternalError');
      res.writeHead(action.status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by the test proxy</Message></Error>`);
      return;
    }
    const upstream = request(
      { host: targetUrl.hostname, port: targetUrl.port, method, path, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    setRule(next) {
      rule = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
