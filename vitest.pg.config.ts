import { defineConfig } from 'vitest/config';

/** Tests against a real PostgreSQL reporting source: `npm run pg:up` first (root, or postgres installed). */
export default defineConfig({
  test: {
    include: ['electron/**/*.pg.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
