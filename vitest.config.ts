import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests import the workspace packages from their TypeScript sources, so a test run
// never depends on a stale build; processes that tests spawn run the built `dist/`.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@secure-hospital-ai\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
      { find: /^@secure-hospital-ai\/([a-z-]+)\/(.+)$/, replacement: `${root}packages/$1/src/$2.ts` },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
