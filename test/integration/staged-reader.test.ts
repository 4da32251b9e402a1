/**
 * The reader a chunked job's finisher checks its ladder with: playlists from its local folder, segments
 * from the bucket under the ladder's prefix (whole or a byte range), with the same confinement and size
 * limits as the other readers. Against the real S3 server.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Store } from '../../src/core/upload/object-store.js';
import { ResourceError } from '../../src/core/verify/resource-reader.js';
import { openStagedLadder } from '../../src/core/verify/staged-reader.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { tempDir } from '../helpers/cli.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

const SEGMENT = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

async function staged() {
  const bucket = await s3.bucket('staged');
  const put = (key: string, body: Buffer | string) => s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  await put('out/job/240p/segment_00000.ts', SEGMENT);
  // Beside the ladder's prefix, and a copy of a local playlist that must not be read instead of the local one.
  await put('out/secret.txt', 'not part of the ladder');
  await put('out/job/240p/index.m3u8', 'the bucket copy');
  const dir = await tempDir('staged-ladder');
  await mkdir(join(dir, '240p'));
  await writeFile(join(dir, 'master.m3u8'), '#EXTM3U\n');
  await writeFile(join(dir, '240p', 'index.m3u8'), 'the local copy');
  const reader = await openStagedLadder(dir, createS3Store(s3.client, bucket), { bucket, prefix: 'out/job' }, new AbortController().signal);
  return { reader, dir };
}

async function refusal(promise: Promise<unknown>): Promise<ResourceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ResourceError);
  return error as ResourceError;
}

describe('the staged ladder reader', () => {
  it('reads what the folder holds from the folder, and the rest from the bucket, whole or a byte range', async () => {
    const { reader } = await staged();
    expect(reader.master).toBe('master.m3u8');
    expect(Buffer.from(await reader.read('240p/index.m3u8', { maxBytes: 1000 })).toString()).toBe('the local copy');
    expect(Buffer.from(await reader.read('240p/segment_00000.ts', { maxBytes: 1000 }))).toEqual(SEGMENT);
    expect(Buffer.from(await reader.read('240p/segment_00000.ts', { maxBytes: 100, range: { offset: 188, length: 100 } }))).toEqual(SEGMENT.subarray(188, 288));
  });

  it('names a segment in neither place as missing, and one above the limit as too large', async () => {
    const { reader } = await staged();
    expect((await refusal(reader.read('240p/segment_00001.ts', { maxBytes: 1000 }))).reason).toBe('missing');
    expect((await refusal(reader.read('240p/segment_00000.ts', { maxBytes: 999 }))).reason).toBe('too-large');
    expect((await refusal(reader.read('240p/segment_00000.ts', { maxBytes: 10, range: { offset: 0, length: 11 } }))).reason).toBe('too-large');
  });

  it('refuses URIs that leave the ladder, so nothing beside its prefix is read', async () => {
    const { reader } = await staged();
    expect(() => reader.resolve('240p/index.m3u8', '../../secret.txt')).toThrow(ResourceError);
    expect(() => reader.resolve('240p/index.m3u8', 'http://127.0.0.1/out/secret.txt')).toThrow(ResourceError);
    expect(reader.resolve('240p/index.m3u8', 'segment_00000.ts')).toBe('240p/segment_00000.ts');
    expect((await refusal(reader.read('../secret.txt', { maxBytes: 1000 }))).reason).toBe('outside');
  });
});
