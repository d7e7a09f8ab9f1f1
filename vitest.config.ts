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
  },
});
