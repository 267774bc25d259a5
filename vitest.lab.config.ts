import { defineConfig } from 'vitest/config';

/** Tests against the lab's real servers: `bash e2e/lab/up.sh` first (root). */
export default defineConfig({
  test: {
    include: ['electron/**/*.lab.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
