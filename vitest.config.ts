import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The client package from its sources, as tsconfig.json's paths map it (tests/client-package.test.ts checks the built one).
  resolve: { alias: { '@chat-server/client': fileURLToPath(new URL('client/src/index.ts', import.meta.url)) } },
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/bench/**', 'node_modules/**'],
    globalSetup: ['tests/setup/global.ts'],
    setupFiles: ['tests/setup/file.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every test file gets its own database (and Redis key prefix), so files run in parallel.
    fileParallelism: true,
  },
});
