import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // ffmpeg tests are CPU-heavy; on a 2-core machine two files at once is the sensible ceiling.
    maxWorkers: 2,
  },
});
