import { defineConfig } from 'vitest/config';

/** Unit, contract and simulator tests run in Node; e2e/ belongs to Playwright. */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'signaling/**/*.test.ts', 'fullnode/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
