import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The web app imports the generated client by name, as web/vite.config.ts resolves it.
  resolve: { alias: { '@punchcard/client': fileURLToPath(new URL('clients/typescript/src/index.ts', import.meta.url)) } },
  test: {
    // Web component tests pick their DOM per file (// @vitest-environment happy-dom); the rest run in node.
    include: ['test/**/*.test.ts', 'web/test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/support/global-setup.ts', 'test/support/redis-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
