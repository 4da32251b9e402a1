/**
 * A chunked job's finisher takes a segment's check from the manifest of the task that made it only while
 * the object in the bucket holds the bytes that were checked (size and recorded SHA-256). Real ffmpeg
 * segments, the real S3 server.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonWith } from '../../src/core/chunks/parse-json.js';
import { createS3Store } from '../../src/core/upload/object-store.js';
import { uploadFiles } from '../../src/core/upload/upload-ladder.js';
import { tsKeyframes } from '../../src/core/playlist/ts-keyframes.js';
import { probeSegments } from '../../src/core/verify/probe-segments.js';
import { checkSegments, storedChecksSchema, summarizeProbe } from '../../src/core/verify/stored-check.js';
import { chunkStateFor, listState, writeState } from '../../src/worker/chunk-state.js';
import { readStoredChecks, storedChecks } from '../../src/worker/stored-checks.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { FFMPEG, FFPROBE } from './verify-support.js';

let s3: S3TestServer;
let dir: string;
const NAMES = ['segment_00000.ts', 'segment_00001.ts'];
beforeAll(async () => {
  s3 = await startS3Server();
  dir = await mkdtemp(join(tmpdir(), 'hlsify-test-stored-checks-'));
  execFileSync(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-f', 'hls', '-hls_time', '2', '-hls_segment_filename', join(dir, 'segment_%05d.ts'), join(dir, 'index.m3u8')]);
}, 60_000);
afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

const signal = new AbortController().signal;
const options = { ffmpeg: FFMPEG, ffprobe: FFPROBE, concurrency: 2 };

describe('stored segment checks', () => {
  it('are used while the objects are the ones checked, and not once one is replaced', async () => {
    const contents = await Promise.all(NAMES.map((n) => readFile(join(dir, n))));
    const keyframes = contents.map((c) => tsKeyframes(c));
    const checks = await checkSegments(contents.map((bytes, i) => ({ bytes, ranges: keyframes[i]!.keyframes.map((k) => ({ offset: k.offset, length: k.length })) })), options);
    // Through JSON and the checks file's schema, as the finisher reads it from the bucket.
    const stored = new Map(Object.entries(parseJsonWith(storedChecksSchema, JSON.stringify({ version: 1, segments: Object.fromEntries(NAMES.map((n, i) => [`240p/${n}`, checks[i]])) }), 'chunk_00000.checks.json').segments));
    const bucket = await s3.bucket('stored-checks');
    const store = createS3Store(s3.client, bucket);
    const location = { bucket, prefix: 'out/job' };
    const files = await Promise.all(NAMES.map(async (n) => ({ relativePath: `240p/${n}`, absolutePath: join(dir, n), size: (await stat(join(dir, n))).size })));
    await uploadFiles(files, { location, store, concurrency: 2, signal });

    const known = await storedChecks(stored, store, location, 4, signal);
    const first = await known('240p/segment_00000.ts', undefined);
    const [direct] = await probeSegments([{ bytes: contents[0]!, decode: true }], options);
    expect(first).toEqual({ bytes: contents[0]!.length, probe: summarizeProbe(direct!), avcCodec: expect.stringMatching(/^avc1\.42c0[0-9a-f]{2}$/) });
    expect(first!.probe.videoFrames![0]).toMatchObject({ key: true, width: 320, height: 240 });
    const range = keyframes[1]!.keyframes[0]!;
    expect((await known('240p/segment_00001.ts', { offset: range.offset, length: range.length }))?.probe.videoPackets).toEqual([expect.objectContaining({ key: true })]);
    expect(await known('240p/segment_00001.ts', { offset: range.offset, length: range.length + 188 }), 'a range that was not checked').toBeUndefined();
    expect(await known('240p/segment_00002.ts', undefined), 'a segment no manifest names').toBeUndefined();

    // A damaged checks file is passed over (its segments are then read back), the others are read.
    const state = chunkStateFor(store, location, 'run-1');
    await writeState(state, 'chunk_00000.checks.json', { version: 1, segments: Object.fromEntries(stored) }, signal);
    await writeState(state, 'chunk_00001.checks.json', { version: 1, segments: { '240p/segment_00009.ts': { sha256: 'not a hash' } } }, signal);
    const read = await readStoredChecks(state, await listState(state, signal), 'job', signal);
    expect([...read.keys()].sort()).toEqual(['240p/segment_00000.ts', '240p/segment_00001.ts']);

    // Replaced with the other segment's bytes (hash recorded as hlsify records it), and written without any hash.
    await uploadFiles([{ ...files[1]!, relativePath: '240p/segment_00000.ts' }], { location, store, concurrency: 1, signal });
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'out/job/240p/segment_00001.ts', Body: contents[1] }));
    const after = await storedChecks(stored, store, location, 4, signal);
    expect(await after('240p/segment_00000.ts', undefined)).toBeUndefined();
    expect(await after('240p/segment_00001.ts', undefined)).toBeUndefined();
  }, 60_000);
});
