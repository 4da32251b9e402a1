/**
 * Bad inputs with the real ffmpeg: each one fails with exit code 1 and one line saying what is wrong with
 * the input, and leaves neither an output dir nor a temp dir behind.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { expectFinalErrorLine, expectNoTempLeft, expectOneErrorLine, filesContaining, linesOf } from './support.js';

interface BadInput {
  name: string;
  /** The input path, given the test's temp dir. */
  input: (dir: string) => Promise<string> | string;
  /** What the one error line must say about the input. */
  message: RegExp;
}

const CASES: BadInput[] = [
  { name: 'a missing path', input: (dir) => join(dir, 'no-such-video.mp4'), message: /no-such-video\.mp4: no such file/ },
  {
    name: 'a directory',
    input: async (dir) => {
      await mkdir(join(dir, 'videos.mp4'));
      return join(dir, 'videos.mp4');
    },
    message: /videos\.mp4: is a directory/,
  },
  { name: 'an empty file', input: () => fixture('empty.mp4'), message: /empty\.mp4: is empty \(0 bytes\)/ },
  { name: 'a text file named .mp4', input: () => fixture('text-file.mp4'), message: /text-file\.mp4: is not a recognised video file|text-file\.mp4: .*(invalid data|not a video)/ },
  { name: 'an mp4 cut before its moov atom', input: () => fixture('truncated-no-moov.mp4'), message: /truncated-no-moov\.mp4: .*(moov|truncated)/ },
  { name: 'an mp4 with no video stream', input: () => fixture('audio-only.mp4'), message: /audio-only\.mp4: .*no video/i },
  { name: 'an HLS playlist disguised as mp4', input: () => fixture('crafted-playlist.mp4'), message: /crafted-playlist\.mp4: .*(disguised|unsupported|not a recognised)/ },
  { name: 'an ffconcat script disguised as mp4', input: () => fixture('crafted-ffconcat.mp4'), message: /crafted-ffconcat\.mp4: .*(disguised|unsupported|not a recognised)/ },
];

async function runBad(input: string, extra: string[] = []) {
  const dir = await tempDir('bad-input');
  const out = join(dir, 'out');
  const tmp = join(dir, 'tmp');
  const result = await hlsify(['transcode', input, '-o', out, '--tmp-dir', tmp, '--preset', 'ultrafast', ...extra]);
  return { dir, out, tmp, result };
}

describe('transcode of a bad input', () => {
  it.each(CASES)('$name: exit 1, one line saying what is wrong, nothing left on disk', async ({ input, message }) => {
    const dir = await tempDir('bad-input-path');
    const path = await input(dir);
    const { out, tmp, result } = await runBad(path);

    expect(result.exitCode).toBe(1);
    const line = expectOneErrorLine(String(result.stderr));
    expect(line).toMatch(/^hlsify: error: input /);
    expect(line).toMatch(message);
    expect(String(result.stdout)).toBe('');
    expect(existsSync(out)).toBe(false);
    await expectNoTempLeft(tmp);
  });

  it('an mp4 whose media data is cut (probes fine, encodes short): exit 1, says truncated or corrupt, nothing left', async () => {
    const { out, tmp, result } = await runBad(fixture('truncated-faststart.mp4'), ['--ladder', '360']);

    expect(result.exitCode).toBe(1);
    // Progress lines may come first (the input probed fine); the error is the last and only error line.
    const line = expectFinalErrorLine(String(result.stderr));
    expect(line).toMatch(/truncated|corrupt/);
    expect(String(result.stdout)).not.toMatch(/ladder ready/);
    expect(existsSync(out)).toBe(false);
    await expectNoTempLeft(tmp);
  });

  it('an mp4 whose media data is cut, with --quiet: stderr is exactly the one error line', async () => {
    const { out, tmp, result } = await runBad(fixture('truncated-faststart.mp4'), ['--ladder', '360', '--quiet']);

    expect(result.exitCode).toBe(1);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/truncated|corrupt/);
    expect(String(result.stdout)).toBe('');
    expect(existsSync(out)).toBe(false);
    await expectNoTempLeft(tmp);
  });

  it('a crafted HLS playlist never leaks the file it points at (stdout, stderr, output or temp files)', async () => {
    const { dir, out, tmp, result } = await runBad(fixture('crafted-playlist.mp4'), ['--verbose']);

    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).not.toContain('TOP SECRET');
    expect(String(result.stderr)).not.toContain('TOP SECRET');
    expect(existsSync(out)).toBe(false);
    await expectNoTempLeft(tmp);
    expect(await filesContaining(dir, 'TOP SECRET')).toEqual([]);
  });

  it('a crafted HLS playlist with a sibling secret in a fresh dir: nothing anywhere on disk contains the secret', async () => {
    // The same attack with the playlist and its target in the test's own dir, so that every file the run
    // could have written (output, temp, anything beside the input) is searched.
    const dir = await tempDir('bad-input-crafted');
    await writeFile(join(dir, 'secret.txt'), 'TOP SECRET host file\n');
    await writeFile(join(dir, 'upload.mp4'), '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nsecret.txt\n#EXT-X-ENDLIST\n');
    const result = await hlsify(['transcode', join(dir, 'upload.mp4'), '--tmp-dir', join(dir, 'tmp'), '--preset', 'ultrafast']);

    expect(result.exitCode).toBe(1);
    expect(expectOneErrorLine(String(result.stderr))).toMatch(/upload\.mp4: /);
    expect(existsSync(join(dir, 'upload-hls'))).toBe(false);
    await expectNoTempLeft(join(dir, 'tmp'));
    expect(await filesContaining(dir, 'TOP SECRET')).toEqual([join(dir, 'secret.txt')]);
  });

  it('with --verbose a failure shows the error line first, then ffprobe details', async () => {
    const { out, tmp, result } = await runBad(fixture('truncated-no-moov.mp4'), ['--verbose']);

    expect(result.exitCode).toBe(1);
    const lines = linesOf(String(result.stderr));
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toMatch(/^hlsify: error: input .*truncated-no-moov\.mp4: /);
    expect(lines.slice(1).join('\n')).toMatch(/moov atom not found/);
    expect(existsSync(out)).toBe(false);
    await expectNoTempLeft(tmp);
  });
});
