/**
 * Shared pieces of the `hlsify upload` integration tests: a real ladder made once per file, runs of the
 * CLI against the local S3 server (checked for leaked credentials every time), and checks of the bucket.
 */
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Options } from 'execa';
import { expect } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import type { FaultProxy, SeenRequest } from '../helpers/fault-proxy.js';
import { fixture } from '../../fixtures/recipes.js';
import { S3_TEST_ENV, type S3TestServer } from '../helpers/s3-server.js';

/** The secret the tests' credentials use: it must never be printed. */
export const SECRET = S3_TEST_ENV.AWS_SECRET_ACCESS_KEY;

/** The --json summary of `hlsify upload`. */
export interface UploadJson {
  ok: boolean;
  location: string;
  masterPlaylist: string;
  dryRun: boolean;
  files: number;
  uploaded: number;
  skipped: number;
  retried: number;
  bytes: number;
  bytesSkipped: number;
  objects: { key: string; status: string; bytes: number; attempts: number }[];
}

/** A real ladder (TS segments unless `extra` says otherwise) in a fresh dir; remove it with `removeLadder`. */
export async function makeLadder(extra: string[] = []): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'hlsify-test-upload-ladder-'));
  const dir = join(root, 'ladder');
  const result = await hlsify(
    ['transcode', fixture('landscape-720p30.mp4'), '--preset', 'ultrafast', '--segment-duration', '1', '--ladder', '480,360', '-o', dir, '-q', ...extra],
    { env: S3_TEST_ENV },
  );
  if (result.exitCode !== 0) throw new Error(`could not make a test ladder:\n${String(result.stderr)}`);
  return dir;
}

export async function removeLadder(dir: string | undefined): Promise<void> {
  if (dir) await rm(join(dir, '..'), { recursive: true, force: true });
}

/** A copy of `ladder` the test may change; removed when the test finishes. */
export async function copyLadder(ladder: string): Promise<string> {
  const dir = join(await tempDir('upload-copy'), 'ladder');
  await cp(ladder, dir, { recursive: true });
  return dir;
}

/** Paths of every file below `dir`, relative with forward slashes, sorted. */
export async function ladderFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1).split('\\').join('/'))
    .sort((a, b) => a.localeCompare(b));
}

/** `hlsify ...args` with the test credentials; asserts the secret appears in neither stdout nor stderr. */
export async function runCli(args: readonly string[], options: Options & { env?: Record<string, string> } = {}) {
  const result = await hlsify(args, { ...options, env: { ...S3_TEST_ENV, ...options.env } });
  const secret = options.env?.AWS_SECRET_ACCESS_KEY || SECRET;
  expect(String(result.stdout), 'stdout shows the secret key').not.toContain(secret);
  expect(String(result.stderr), 'stderr shows the secret key').not.toContain(secret);
  return result;
}

/** Parses stdout as the one --json document. */
export function parseJson<T = UploadJson>(stdout: unknown): T {
  return JSON.parse(String(stdout)) as T;
}

/** The object key a proxied path-style request addresses in `bucket`, or undefined for another bucket. */
export function keyOf(bucket: string, path: string): string | undefined {
  const [pathname = ''] = path.split('?');
  const start = `/${bucket}/`;
  return pathname.startsWith(start) ? decodeURIComponent(pathname.slice(start.length)) : undefined;
}

/** Requests the proxy saw that write (PUT, POST), in arrival order. */
export function writes(proxy: FaultProxy): SeenRequest[] {
  return proxy.seen.filter((r) => r.method === 'PUT' || r.method === 'POST');
}

/** Keys of the single-request PUTs (not multipart parts) the proxy saw, in arrival order. */
export function putKeys(proxy: FaultProxy, bucket: string): string[] {
  return proxy.seen.filter((r) => r.method === 'PUT' && !r.path.includes('uploadId=')).map((r) => keyOf(bucket, r.path) ?? r.path);
}

/** Asserts the bucket holds exactly the ladder's files under `prefix`, each byte for byte. */
export async function expectBucketMatches(server: S3TestServer, bucket: string, prefix: string, dir: string): Promise<void> {
  const files = await ladderFiles(dir);
  const keyFor = (file: string) => (prefix ? `${prefix}/${file}` : file);
  const listed = await server.list(bucket);
  expect(listed.map((o) => o.key)).toEqual(files.map(keyFor).sort((a, b) => a.localeCompare(b)));
  for (const file of files) {
    const remote = await server.get(bucket, keyFor(file));
    const local = await readFile(join(dir, file));
    expect(remote.equals(local), `${keyFor(file)} differs from ${file}`).toBe(true);
  }
}
