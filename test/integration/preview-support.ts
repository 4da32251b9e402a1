/** Running `hlsify preview` (or `transcode --preview`) as a subprocess and talking raw HTTP to it. */
import { request } from 'node:http';
import type { Options } from 'execa';
import { onTestFinished } from 'vitest';
import { hlsify } from '../helpers/cli.js';

export type PreviewProcess = ReturnType<typeof hlsify>;

/** Starts `hlsify ...args` and resolves with the URL it prints on stdout once it serves. */
export async function startServing(args: readonly string[], options: { timeoutMs?: number; execa?: Options } = {}): Promise<{ child: PreviewProcess; url: string; stdout: () => string; stderr: () => string }> {
  const child = hlsify(args, options.execa);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no preview URL within ${options.timeoutMs ?? 15_000} ms; stdout: ${stdout}\nstderr: ${stderr}`)), options.timeoutMs ?? 15_000);
    const check = () => {
      const match = /Preview of .*: (http:\/\/\S+\/)$/m.exec(stdout) ?? /Preview of .*: (http:\/\/\S+\/)$/m.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    void child.then((result) => {
      clearTimeout(timer);
      reject(new Error(`hlsify exited (${result.exitCode}) before serving; stdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr };
}

/** Like startServing, and stops the process when the current test finishes. */
export async function startServingForTest(args: readonly string[]) {
  const serving = await startServing(args);
  onTestFinished(async () => {
    serving.child.kill('SIGKILL');
    await serving.child;
  });
  return serving;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path sent exactly as given (fetch() would normalise "/../" and "%2e%2e" away). */
export function rawRequest(baseUrl: string, rawPath: string, options: { method?: string; host?: string } = {}): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: base.hostname.replace(/^\[|\]$/g, ''), port: base.port, path: rawPath, method: options.method ?? 'GET', headers: { host: options.host ?? base.host }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
