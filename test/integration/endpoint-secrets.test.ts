/**
 * An endpoint URL carrying credentials is never echoed: not on stderr, not in --json, also when the
 * secret holds "/" (as AWS secrets often do) and the URL cannot be parsed.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';

const KEY = 'AKIAEXAMPLEKEY';
const SECRET_PART = 'wJalrXUtnFEMI/K7MDENG';
const ENDPOINT = `http://${KEY}:${SECRET_PART}/bPxRfiCY@127.0.0.1:9`;

async function ladderDir(): Promise<string> {
  const dir = join(await tempDir('endpoint-secret'), 'ladder');
  await mkdir(dir);
  await writeFile(join(dir, 'master.m3u8'), '#EXTM3U\n');
  return dir;
}

describe('credentials in --endpoint', () => {
  it('are hidden on stderr when the URL cannot be parsed', async () => {
    const result = await hlsify(['upload', await ladderDir(), 's3://some-bucket/p', '--endpoint', ENDPOINT]);
    expect(result.exitCode).toBe(2);
    const all = `${String(result.stdout)}${String(result.stderr)}`;
    expect(all).toContain('http://***@127.0.0.1:9');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(SECRET_PART);
    expect(all).not.toContain('bPxRfiCY');
  });

  it('are hidden in --json', async () => {
    const result = await hlsify(['upload', await ladderDir(), 's3://some-bucket/p', '--endpoint', ENDPOINT, '--json']);
    expect(result.exitCode).toBe(2);
    const json = JSON.parse(String(result.stdout)) as { ok: boolean; error: { message: string } };
    expect(json.ok).toBe(false);
    expect(json.error.message).toContain('***@127.0.0.1:9');
    const all = `${String(result.stdout)}${String(result.stderr)}`;
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(SECRET_PART);
  });

  it('are hidden by transcode --upload, which refuses the endpoint before encoding', async () => {
    const dir = await tempDir('endpoint-secret-transcode');
    const result = await hlsify(['transcode', fixture('mjpeg-tiny.avi'), '-o', join(dir, 'out'), '--tmp-dir', join(dir, 'tmp'), '--upload', 's3://some-bucket/p', '--endpoint', ENDPOINT]);
    const all = `${String(result.stdout)}${String(result.stderr)}`;
    expect(result.exitCode).toBe(2);
    expect(all).toContain('http://***@127.0.0.1:9');
    expect(existsSync(join(dir, 'out')), 'nothing encoded').toBe(false);
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(SECRET_PART);
  });

  it('are hidden by consume, which refuses the endpoint at start-up instead of failing every job', async () => {
    const result = await hlsify(['consume', '--amqp', 'amqp://guest:guest@127.0.0.1:5672', '--queue', 'endpoint-secret-never-used', '--health-port', '0', '--endpoint', ENDPOINT], { timeout: 30_000 });
    const all = `${String(result.stdout)}${String(result.stderr)}`;
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(2);
    expect(all).toContain('http://***@127.0.0.1:9');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(SECRET_PART);
  });
});
