import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['electron/**/*.test.ts', 'shared/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/*.lab.test.ts', '**/*.pg.test.ts', '**/*.rt.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
