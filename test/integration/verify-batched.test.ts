/**
 * verify's fast path: video segments read in-process and decoded many to one ffmpeg, each on its own,
 * says what one ffprobe per segment says, finds what it finds, and trusts a check made during the encode
 * only for the very bytes it reads afterwards.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrecheck } from '../../src/core/verify/precheck.js';
import type { VerifyReport } from '../../src/core/verify/report.js';
import { FFMPEG, FFPROBE, copyLadder, makeSource, scratch, transcodeLadder, verify } from './verify-support.js';

let dir: string;
let remove: () => Promise<void>;
let ts: string;
let fmp4: string;

beforeAll(async () => {
  ({ dir, remove } = await scratch('batched'));
  const source = join(dir, 'source.mp4');
  makeSource(source, 6);
  // Audio in renditions of its own: the video segments are the fast path's (video only).
  ts = join(dir, 'ts');
  fmp4 = join(dir, 'fmp4');
  await Promise.all([transcodeLadder(source, ts, ['--audio', 'separate']), transcodeLadder(source, fmp4, ['--audio', 'separate', '--segment-type', 'fmp4'])]);
}, 120_000);
afterAll(() => remove());

/** The report without what only says how it was made (the decoder's address in its messages). */
function findings(report: VerifyReport) {
  return report.rules.map((r) => ({ id: r.id, status: r.status, evidence: r.evidence.map((e) => e.replace(/ @ 0x[0-9a-f]+\]/g, ']')) }));
}

describe('batched decode against one ffprobe per segment', () => {
  it.each([['MPEG-TS', () => ts], ['fMP4', () => fmp4]])('%s: the same report, rule by rule and line by line', async (_, ladder) => {
    const batched = await verify(ladder());
    const perSegment = await verify(ladder(), { ffmpeg: undefined });
    expect(batched.summary.ok, JSON.stringify(batched.summary)).toBe(true);
    expect(findings(batched)).toEqual(findings(perSegment));
    expect(batched.segments).toEqual(perSegment.segments);
    expect(batched.iFrameRanges.decoded).toBeGreaterThan(0);
  });

  it('without a usable ffmpeg every segment goes through ffprobe, with the same report', async () => {
    const batched = await verify(ts);
    const missing = await verify(ts, { ffmpeg: join(dir, 'no-such-ffmpeg') });
    expect(findings(missing)).toEqual(findings(batched));
  });

  it('a damaged segment in a batch is named, with the decoder\'s error, as one ffprobe per segment names it', async () => {
    const copy = await copyLadder(ts, dir);
    const segment = join(copy, '360p', 'segment_00001.ts');
    const bytes = await readFile(segment);
    // Garbage over most of the slice data, packet headers (sync bytes, PIDs) left whole.
    for (let at = 188 * 8; at + 188 <= bytes.length; at += 188) bytes.fill(0x5a, at + 8, at + 188);
    await writeFile(segment, bytes);
    const batched = await verify(copy);
    const perSegment = await verify(copy, { ffmpeg: undefined });
    expect(batched.summary.ok).toBe(false);
    const decode = batched.rules.find((r) => r.id === 'RFC 8216 §3')!;
    expect(decode.status).toBe('FAIL');
    expect(decode.evidence.join('\n')).toMatch(/^360p\/segment_00001\.ts: /m);
    expect(findings(batched)).toEqual(findings(perSegment));
  });
});

describe('checks made while the encoder runs', () => {
  it('count only for identical bytes: a segment changed afterwards is checked again', async () => {
    const copy = await copyLadder(ts, dir);
    const controller = new AbortController();
    const precheck = startPrecheck([{ dir: join(copy, '360p'), video: true }, { dir: join(copy, '240p'), video: true }], { ffmpeg: FFMPEG, ffprobe: FFPROBE, concurrency: 2, signal: controller.signal, intervalMs: 20 });
    try {
      // 3 segments and 3 I-frame ranges per rendition, each segment taken once its size has held.
      await expect.poll(() => precheck.cache.size, { timeout: 30_000 }).toBe(12);
      await precheck.finish();
      const clean = await verify(copy, { cache: precheck.cache });
      expect(clean.summary.ok).toBe(true);

      // The same segment made to start with a frame that is not a keyframe: its cached probe no longer applies.
      const segment = join(copy, '360p', 'segment_00002.ts');
      const other = await readFile(join(copy, '360p', 'segment_00001.ts'));
      await writeFile(segment, Buffer.concat([await readFile(segment), other]));
      const changed = await verify(copy, { cache: precheck.cache });
      const uncached = await verify(copy);
      expect(findings(changed)).toEqual(findings(uncached));
      expect(findings(changed)).not.toEqual(findings(clean));
    } finally {
      await precheck.close();
    }
  }, 60_000);
});
