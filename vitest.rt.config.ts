import { defineConfig } from 'vitest/config';

/** Tests against a real Request Tracker 5 (scripts/rt/rt.sh, brought up by the global setup). */
export default defineConfig({
  test: {
    include: ['electron/**/*.rt.test.ts'],
    environment: 'node',
    globalSetup: ['electron/core/tickets/rt/rt-global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 300_000,
    // One RT for all: a test takes it down and up again.
    fileParallelism: false,
  },
});
