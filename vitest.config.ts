import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real processes and databases on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
