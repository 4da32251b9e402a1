/**
 * Successful runs with the real ffmpeg as scripts see them: the --json result on stdout, --quiet, the temp
 * dir removed (or kept with --keep-temp), and an existing output dir left alone unless --force.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { expectNoTempLeft, expectOneErrorLine, linesOf } from './support.js';

interface JsonRendition {
  name: string;
  width: number;
  height: number;
  playlist: string;
  segments: number;
  bandwidth: number;
  averageBandwidth: number;
  codecs: string[];
}

interface JsonResult {
  ok: boolean;
  outputDir: string;
  masterPlaylist: string;
  preset: string;
  renditions: JsonRendition[];
  wallSeconds: number;
  phases: Record<string, number>;
  speed: number;
  keptTempDir: string | null;
}

async function dirs() {
  const dir = await tempDir('json');
  return { dir, out: join(dir, 'out'), tmp: join(dir, 'tmp') };
}

/** stdout must be one JSON document and nothing else. */
function parseStdout(stdout: unknown): JsonResult {
  const text = String(stdout);
  expect(() => JSON.parse(text), `stdout was:\n${text}`).not.toThrow();
  return JSON.parse(text) as JsonResult;
}

describe('transcode --json', () => {
  it('prints only the JSON result: ok, every rendition measured, timing; the ladder is on disk and the temp dir is gone', async () => {
    const { out, tmp } = await dirs();
    const result = await hlsify(['transcode', fixture('landscape-720p30.mp4'), '--json', '--preset', 'ultrafast', '-o', out, '--tmp-dir', tmp]);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = parseStdout(result.stdout);
    expect(json.ok).toBe(true);
    expect(json.preset).toBe('ultrafast');
    expect(json.outputDir).toBe(out);
    expect(json.masterPlaylist).toBe(join(out, 'master.m3u8'));
    expect(existsSync(json.masterPlaylist)).toBe(true);

    // A 720p source gets the rungs at and below 720p, largest first.
    expect(json.renditions.map((r) => r.height)).toEqual([720, 480, 360]);
    for (const r of json.renditions) {
      expect(r.width).toBeGreaterThan(r.height);
      expect(r.width % 2).toBe(0);
      expect(r.bandwidth).toBeGreaterThan(0);
      expect(r.averageBandwidth).toBeGreaterThan(0);
      expect(r.averageBandwidth).toBeLessThanOrEqual(r.bandwidth);
      expect(r.codecs).toEqual([expect.stringMatching(/^avc1\.[0-9a-f]{6}$/), 'mp4a.40.2']);
      expect(existsSync(join(out, r.playlist))).toBe(true);
    }
    const master = await readFile(json.masterPlaylist, 'utf8');
    for (const r of json.renditions) expect(master).toContain(`BANDWIDTH=${r.bandwidth}`);

    expect(json.wallSeconds).toBeGreaterThan(0);
    // Each stage timed, in the order it ran, adding up to no more than the whole run.
    expect(Object.keys(json.phases)).toEqual(['probe', 'plan', 'encode', 'playlists', 'verify', 'finish']);
    const phases = Object.values(json.phases);
    for (const seconds of phases) expect(seconds).toBeGreaterThanOrEqual(0);
    expect(json.phases.encode).toBeGreaterThan(0);
    expect(json.phases.verify).toBeGreaterThan(0);
    expect(phases.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(json.wallSeconds + 0.001);
    expect(json.keptTempDir).toBeNull();
    await expectNoTempLeft(tmp);
  });

  it('--keep-temp keeps the temp dir and says where it is', async () => {
    const { out, tmp } = await dirs();
    const result = await hlsify(['transcode', fixture('landscape-720p30.mp4'), '--json', '--keep-temp', '--preset', 'ultrafast', '--ladder', '360', '-o', out, '--tmp-dir', tmp]);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = parseStdout(result.stdout);
    expect(json.ok).toBe(true);
    expect(json.keptTempDir).not.toBeNull();
    expect(json.keptTempDir!.startsWith(`${tmp}/`)).toBe(true);
    expect(existsSync(json.keptTempDir!)).toBe(true);
    expect(await readdir(tmp)).toHaveLength(1);
    expect(existsSync(join(out, 'master.m3u8'))).toBe(true);
  });

  it('a failure prints {"ok":false,...} with the error on stdout', async () => {
    const { out, tmp } = await dirs();
    const result = await hlsify(['transcode', fixture('text-file.mp4'), '--json', '-o', out, '--tmp-dir', tmp]);

    expect(result.exitCode).toBe(1);
    const lines = linesOf(String(result.stdout));
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0]!) as { ok: boolean; error: { kind: string; message: string } };
    expect(json).toEqual({ ok: false, error: { kind: 'input', message: expect.stringContaining('text-file.mp4') } });
    expect(existsSync(out)).toBe(false);
    await expectNoTempLeft(tmp);
  });
});

describe('usage errors with --json', () => {
  it('a bad flag value prints {"ok":false} with kind usage on stdout, exit 2', async () => {
    const result = await hlsify(['transcode', fixture('mjpeg-tiny.avi'), '--json', '--segment-type', 'mkv']);

    expect(result.exitCode).toBe(2);
    expect(JSON.parse(String(result.stdout))).toEqual({ ok: false, error: { kind: 'usage', message: expect.stringContaining('--segment-type') } });
  });

  it('an unknown flag prints {"ok":false} with kind usage on stdout too, exit 2', async () => {
    // A script that asked for --json parses stdout whatever went wrong.
    const result = await hlsify(['transcode', fixture('mjpeg-tiny.avi'), '--json', '--bogus-flag']);

    expect(result.exitCode).toBe(2);
    expect(String(result.stdout).trim(), `stderr: ${String(result.stderr)}`).not.toBe('');
    expect(JSON.parse(String(result.stdout))).toEqual({ ok: false, error: { kind: 'usage', message: expect.stringContaining('--bogus-flag') } });
  });
});

describe('an existing output dir', () => {
  it('is not overwritten by a second run (exit 1, says to use --force), and is replaced with --force', async () => {
    const { out, tmp } = await dirs();
    const args = ['transcode', fixture('landscape-720p30.mp4'), '--json', '--preset', 'ultrafast', '--ladder', '360', '-o', out, '--tmp-dir', tmp];
    const first = await hlsify(args);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    await writeFile(join(out, 'notes.txt'), 'mine\n');

    const second = await hlsify(args);
    expect(second.exitCode).toBe(1);
    const line = linesOf(String(second.stderr)).at(-1) ?? '';
    expect(line).toMatch(/^hlsify: error: .*already exists/);
    expect(line).toContain('--force');
    expect(parseStdout(second.stdout).ok).toBe(false);
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('mine\n');
    await expectNoTempLeft(tmp);

    const forced = await hlsify([...args, '--force']);
    expect(forced.exitCode, String(forced.stderr)).toBe(0);
    expect(parseStdout(forced.stdout).ok).toBe(true);
    expect(existsSync(join(out, 'master.m3u8'))).toBe(true);
    expect(existsSync(join(out, 'notes.txt'))).toBe(false);
    await expectNoTempLeft(tmp);
  });
});

describe('transcode --quiet', () => {
  it('prints nothing at all on success, and still writes the ladder', async () => {
    const { out, tmp } = await dirs();
    const result = await hlsify(['transcode', fixture('landscape-720p30.mp4'), '--quiet', '--preset', 'ultrafast', '--ladder', '360', '-o', out, '--tmp-dir', tmp]);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toBe('');
    expect(String(result.stderr)).toBe('');
    expect(existsSync(join(out, 'master.m3u8'))).toBe(true);
    await expectNoTempLeft(tmp);
  });

  it('still prints the one error line on failure', async () => {
    const { out, tmp } = await dirs();
    const result = await hlsify(['transcode', fixture('audio-only.mp4'), '--quiet', '-o', out, '--tmp-dir', tmp]);

    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toBe('');
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/audio-only\.mp4: .*no video/);
  });
});
