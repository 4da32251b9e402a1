/** `hlsify transcode` checks its ladder with verify before publishing it; `--no-verify` skips that. */
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { expectFinalErrorLine, expectNoTempLeft } from './support.js';
import { INTERLACING_FFMPEG, makeSource, scratch } from './verify-support.js';

let dir: string;
let remove: () => Promise<void>;
let source: string;
let interlacingFfmpeg: string;

beforeAll(async () => {
  ({ dir, remove } = await scratch('transcode'));
  source = join(dir, 'source.mp4');
  makeSource(source, 4);
  // A real ffmpeg whose frame reports for the decoded segments say "interlaced": the one fault of a
  // ladder that x264 will not produce on demand. Everything else is the real ffmpeg's output.
  interlacingFfmpeg = join(dir, 'ffmpeg-interlaced');
  await writeFile(interlacingFfmpeg, `#!/bin/sh\n${INTERLACING_FFMPEG(process.env.HLSIFY_FFMPEG ?? 'ffmpeg')}`);
  await chmod(interlacingFfmpeg, 0o755);
});
afterAll(() => remove());

const args = (out: string) => ['transcode', source, '-o', out, '--ladder', '240', '--segment-duration', '2', '--preset', 'ultrafast', '--tmp-dir', join(dir, 'tmp')];

describe('transcode runs verify before publishing', () => {
  it('a good ladder is published with the report in --json and a verify line in the summary', async () => {
    const json = await hlsify([...args(join(dir, 'good')), '--json']);
    expect(json.exitCode, String(json.stderr)).toBe(0);
    const result = JSON.parse(String(json.stdout));
    expect(result.verify.summary).toMatchObject({ ok: true, fail: 0, failedMust: [] });
    expect(result.verify.location).toBe(join(dir, 'good', 'master.m3u8'));
    expect(result.verify.rules.find((r: { id: string }) => r.id === '7.4').status).toBe('PASS');
    const text = await hlsify([...args(join(dir, 'good-text'))]);
    expect(String(text.stdout)).toMatch(/^ {2}verify: ✔ every MUST holds \(\d+ pass, 0 fail/m);
  });

  it('a ladder that fails a MUST fails the run with one line naming the rule, and nothing is published', async () => {
    const out = join(dir, 'bad');
    const result = await hlsify([...args(out), '--ffmpeg', interlacingFfmpeg]);
    expect(result.exitCode).toBe(1);
    expect(expectFinalErrorLine(String(result.stderr))).toBe('hlsify: error: the ladder fails HLS checks, nothing was published: 1.14 (progressive frames (interlaced sources deinterlaced))');
    expect(existsSync(out)).toBe(false);
    await expectNoTempLeft(join(dir, 'tmp'));

    const json = await hlsify([...args(out), '--ffmpeg', interlacingFfmpeg, '--json']);
    expect(json.exitCode).toBe(1);
    const parsed = JSON.parse(String(json.stdout));
    expect(parsed).toMatchObject({ ok: false, error: { kind: 'encode' }, verify: { summary: { ok: false, failedMust: ['1.14'] } } });
    expect(parsed.verify.rules.find((r: { id: string }) => r.id === '1.14').evidence[0]).toMatch(/^240p\/index\.m3u8: interlaced frames in 240p\/segment_00000\.ts/);
  });

  it('--no-verify publishes without the checks', async () => {
    const out = join(dir, 'unchecked');
    const result = await hlsify([...args(out), '--ffmpeg', interlacingFfmpeg, '--no-verify', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(JSON.parse(String(result.stdout)).verify).toBeNull();
    expect(existsSync(join(out, 'master.m3u8'))).toBe(true);
  });
});
