/**
 * Start-up and shutdown of `hlsify consume` without a usable broker or port: a busy --health-port is a
 * usage error (exit 2, one line); a broker that never answers ends the worker after --connect-timeout
 * (exit 1, one line, no password); SIGTERM during a reconnect wait or a hanging connect exits at once.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { S3_TEST_ENV } from '../helpers/s3-server.js';
import { tempDir } from '../helpers/cli.js';
import { until, type LogLine } from './consume-support.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A TCP server on loopback: `silent` accepts and never speaks (a connect that hangs), else just holds the port. */
async function tcpServer(silent: boolean): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    if (!silent) socket.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startConsume(amqp: string, extra: string[], tmp: string) {
  const proc = hlsify(['consume', '--amqp', amqp, '--queue', `test-startup-${process.pid}-${Date.now()}`, '--tmp-dir', tmp, '--health-port', '0', ...extra], { env: { ...S3_TEST_ENV }, timeout: 120_000 });
  const logs: LogLine[] = [];
  let pending = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
  });
  return { proc, logs };
}

describe('hlsify consume: start-up failures', () => {
  it('a busy --health-port is a usage error: exit 2, one line', async () => {
    const port = await tcpServer(false);
    const result = await hlsify(['consume', '--amqp', 'amqp://guest:guest@127.0.0.1:5672', '--health-port', String(port), '--tmp-dir', await tempDir('startup')], { env: { ...S3_TEST_ENV } });
    expect(result.exitCode).toBe(2);
    const lines = String(result.stderr).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`--health-port ${port}: 127.0.0.1:${port} is already in use`));
    expect(String(result.stderr)).not.toMatch(/bug in hlsify/);
  });

  it('a broker that never answers: exit 1 after --connect-timeout with one line that hides the password', async () => {
    const port = await closedPort();
    const started = Date.now();
    const { proc, logs } = startConsume(`amqp://guest:s3cr3t@127.0.0.1:${port}`, ['--connect-timeout', '3s'], await tempDir('startup'));
    const result = await proc;
    const seconds = (Date.now() - started) / 1000;
    expect(result.exitCode).toBe(1);
    const lines = String(result.stderr).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`cannot connect to the broker at amqp://\\*\\*\\*@127.0.0.1:${port} within 3 s \\(--connect-timeout\\): .*ECONNREFUSED`));
    expect(String(result.stderr) + String(result.stdout)).not.toMatch(/s3cr3t/);
    expect(seconds).toBeGreaterThan(2.5);
    expect(seconds).toBeLessThan(10);
    expect(logs.filter((l) => l.op === 'reconnect').length).toBeGreaterThanOrEqual(2);
  });
});

describe('hlsify consume: SIGTERM while the broker is out of reach', () => {
  it('during a reconnect backoff wait: exits 0 at once, not after the wait', async () => {
    const port = await closedPort();
    const { proc, logs } = startConsume(`amqp://guest:guest@127.0.0.1:${port}`, [], await tempDir('startup'));
    // Backoff doubles from 0.5 s: wait for a wait of at least 1.5 s, then stop the worker inside it.
    const wait = await until('a long reconnect wait', () => logs.find((l) => l.op === 'reconnect' && (l.inMs as number) >= 1_500), 30_000);
    const sent = Date.now();
    proc.kill('SIGTERM');
    const result = await proc;
    const ms = Date.now() - sent;
    console.log(`SIGTERM during a ${wait.inMs as number} ms reconnect wait: exited in ${ms} ms`);
    expect(result.exitCode).toBe(0);
    expect(ms).toBeLessThan(Math.min(1_000, wait.inMs as number));
    expect(logs.at(-1)).toMatchObject({ op: 'shutdown', msg: 'worker stopped' });
  });

  it('during a connect that hangs (the peer accepts and never speaks): exits 0 at once', async () => {
    const port = await tcpServer(true);
    const { proc, logs } = startConsume(`amqp://guest:guest@127.0.0.1:${port}`, [], await tempDir('startup'));
    await until('the worker starting', () => logs.some((l) => l.op === 'start'), 20_000);
    await until('the connection accepted', () => sockets.length > 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = Date.now();
    proc.kill('SIGTERM');
    const result = await proc;
    const ms = Date.now() - sent;
    console.log(`SIGTERM during a hanging connect: exited in ${ms} ms`);
    expect(result.exitCode).toBe(0);
    expect(ms).toBeLessThan(1_000);
  });
});
