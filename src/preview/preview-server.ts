/**
 * The preview server: a node:http static server for one ladder directory, the preview page at `/` and
 * hls.js (from the npm package) at `/_hlsify/hls.min.js`. Loopback only unless the caller says otherwise.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { basename } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { openRegularFile } from '../core/fs/open-regular-file.js';
import { contentHeaders } from '../core/upload/content-headers.js';
import { requestRelativePath, resolveLadderPath } from './ladder-path.js';
import { ladderReferences } from './ladder-references.js';
import type { LadderLocation } from './locate-ladder.js';
import { renderPreviewPage } from './page.js';

export const DEFAULT_PREVIEW_PORT = 8080;
export const DEFAULT_PREVIEW_HOST = '127.0.0.1';
const ASSET_PREFIX = '/_hlsify/';
const HLS_SCRIPT = `${ASSET_PREFIX}hls.min.js`;

export interface PreviewServerOptions {
  ladder: LadderLocation;
  host: string;
  /** 0 = any free port. */
  port: number;
  /** When `port` is taken, take any free port instead of failing (used for the default port only). */
  fallbackToFreePort: boolean;
  /** Called once per answered request (for a verbose log). */
  onRequest?: ((request: { method: string; path: string; status: number }) => void) | undefined;
}

export interface PreviewServer {
  /** The page's URL, e.g. http://127.0.0.1:8080/ */
  url: string;
  host: string;
  port: number;
  /** Stops listening and drops open connections; safe to call twice. */
  close(): Promise<void>;
}

/** Loopback addresses and names: the only Host headers a loopback-bound preview answers (DNS rebinding). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** The hostname of a Host header ("127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "[::1]"). */
function hostnameOf(hostHeader: string): string {
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : (hostHeader.split(':')[0] ?? '');
}

/** A URL a browser on this machine can open for a server bound to `host`. */
export function previewUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${isIP(shown) === 6 ? `[${shown}]` : shown}:${port}/`;
}

function hlsScriptPath(): string {
  try {
    return createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');
  } catch (error) {
    throw new EnvironmentError('hls.js is not installed next to hlsify: run npm install in the hlsify folder', { cause: error });
  }
}

export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const { ladder } = options;
  const hlsScript = await readFile(hlsScriptPath());
  const page = renderPreviewPage({ title: basename(ladder.root), masterUrl: encodeURI(ladder.master), hlsScriptUrl: HLS_SCRIPT.slice(1) });
  const loopbackOnly = isLoopbackHost(options.host);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
      return status;
    };
    const text = (status: number, message: string, extra?: Record<string, string>) => send(status, 'text/plain; charset=utf-8', `${message}\n`, extra);

    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed', { allow: 'GET, HEAD' });
    // A page on another site that rebinds its name to 127.0.0.1 must not read the ladder.
    if (loopbackOnly && !isLoopbackHost(hostnameOf(req.headers.host ?? ''))) return text(403, 'forbidden: unexpected Host header');
    const rawUrl = req.url ?? '';
    if (!rawUrl.startsWith('/')) return text(400, 'bad request');
    const urlPath = rawUrl.split(/[?#]/, 1)[0]!;

    if (urlPath === '/' || urlPath === '/index.html') return send(200, 'text/html; charset=utf-8', page);
    if (urlPath === HLS_SCRIPT) return send(200, 'text/javascript; charset=utf-8', hlsScript);
    if (urlPath === '/favicon.ico') return send(204, 'text/plain', '');
    if (urlPath.startsWith(ASSET_PREFIX)) return text(404, 'not found');

    const found = await resolveLadderPath(ladder.root, urlPath);
    if (found.status === 'forbidden') return text(403, 'forbidden: outside the ladder directory');
    if (found.status === 'not-found') return text(404, 'not found');
    // Only what the playlists name (read on each request: a re-run may rewrite the ladder), under the
    // requested name and under its real one: no dotfiles, no stray files, no alias of either.
    const named = await ladderReferences(ladder.root, ladder.master);
    const requested = requestRelativePath(urlPath);
    if (!requested.ok || !named.has(requested.relativePath) || !named.has(found.relativePath)) return text(404, 'not found');
    // Opened once, as a regular file only, and streamed from that handle: a FIFO or a swapped file is not served.
    const opened = await openRegularFile(ladder.root, found.relativePath);
    if (opened.status !== 'file') return text(opened.status === 'outside' ? 403 : 404, opened.status === 'outside' ? 'forbidden: outside the ladder directory' : 'not found');
    // Content-Type as for an upload; no caching: a re-run may rewrite the ladder under the same names.
    const { contentType } = contentHeaders(found.relativePath);
    res.writeHead(200, { 'content-type': contentType, 'content-length': String(opened.size), 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    if (req.method === 'HEAD') {
      await opened.handle.close();
      res.end();
      return 200;
    }
    await new Promise<void>((resolve) => {
      const stream = opened.handle.createReadStream({ start: 0, end: Math.max(0, opened.size - 1), autoClose: true });
      if (opened.size === 0) {
        stream.destroy();
        res.end();
        resolve();
        return;
      }
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
    return 200;
  };

  const server = createServer((req, res) => {
    handle(req, res)
      .then((status) => options.onRequest?.({ method: req.method ?? '', path: req.url ?? '', status }))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end();
        options.onRequest?.({ method: req.method ?? '', path: req.url ?? '', status: 500 });
      });
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        server.off('listening', onListening);
        reject(error);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, options.host);
    });

  try {
    await listen(options.port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && options.fallbackToFreePort && options.port !== 0) await listen(0).catch((again: unknown) => Promise.reject(listenError(again, options.host, 0)));
    else throw listenError(error, options.host, options.port);
  }

  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: previewUrl(options.host, port),
    host: options.host,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function listenError(error: unknown, host: string, port: number): EnvironmentError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return new EnvironmentError(`cannot serve the preview on ${where}: the port is in use (choose another with --port, or --port 0 for any free port)`, { cause: error });
  if (code === 'EACCES') return new EnvironmentError(`cannot serve the preview on ${where}: permission denied (ports below 1024 need privileges)`, { cause: error });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new EnvironmentError(`cannot serve the preview on ${where}: no such address on this machine (--host)`, { cause: error });
  return new EnvironmentError(`cannot serve the preview on ${where}: ${(error as Error).message}`, { cause: error });
}
