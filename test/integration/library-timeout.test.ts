/**
 * The library's `transcode()` runs under the CLI's time limit unless told otherwise (MAX_PROCESSING_TIME,
 * else 2 h), as its docs say: an encode that never ends is stopped, ffmpeg killed, the temp dir removed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { TimeoutError, transcode } from '../../src/index.js';
import { libraryTimeoutSeconds } from '../../src/library/transcode.js';
import { hangingFfmpeg } from './consume-support.js';
import { expectNoTempLeft, processesMentioning } from './support.js';

describe('library transcode(): the default time limit', () => {
  it('stops a never-ending encode after MAX_PROCESSING_TIME when no timeoutSeconds is given', async () => {
    const dir = await tempDir('library-timeout');
    const tmpRoot = join(dir, 'tmp');
    const ffmpeg = await hangingFfmpeg();
    const before = process.env.MAX_PROCESSING_TIME;
    process.env.MAX_PROCESSING_TIME = '3s';
    const started = Date.now();
    try {
      const run = transcode({ input: fixture('landscape-720p30.mp4'), outputDir: join(dir, 'out'), tmpRoot, ffmpeg, plan: { ladder: [360], preset: 'ultrafast' } });
      // Without a default limit the promise never settles: the test's own 30 s race says so.
      const outcome = await Promise.race([run.then(() => 'completed', (error: unknown) => error), new Promise((resolve) => setTimeout(() => resolve('still running after 30 s'), 30_000))]);
      expect(outcome).toBeInstanceOf(TimeoutError);
      expect((outcome as Error).message).toMatch(/3 s time limit/);
    } finally {
      if (before === undefined) delete process.env.MAX_PROCESSING_TIME;
      else process.env.MAX_PROCESSING_TIME = before;
    }
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await processesMentioning(tmpRoot)).toEqual([]);
    await expectNoTempLeft(tmpRoot);
  }, 60_000);

  it('is 2 h without MAX_PROCESSING_TIME; a given limit wins; null lifts it', () => {
    expect(libraryTimeoutSeconds(undefined, {})).toBe(7200);
    expect(libraryTimeoutSeconds(undefined, { MAX_PROCESSING_TIME: 90 })).toBe(90);
    expect(libraryTimeoutSeconds(30, { MAX_PROCESSING_TIME: 90 })).toBe(30);
    expect(libraryTimeoutSeconds(null, { MAX_PROCESSING_TIME: 90 })).toBeUndefined();
  });
});
