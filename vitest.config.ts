import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Dashboard component tests are TSX with React's automatic runtime; each such file opts into
  // jsdom with a `// @vitest-environment jsdom` comment.
  esbuild: { jsx: 'automatic' },
  test: {
    include: ['test/**/*.test.ts', 'web/**/*.test.{ts,tsx}'],
    // Integration tests start real processes and databases on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two test files at a time even on 2 cores (vitest's default is one fewer than the cores): most
    // files wait on child processes, servers, sockets and timers, so a second file uses the time
    // the first spends waiting. Measured on this machine: 909 s for the suite against about 1,340 s.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
