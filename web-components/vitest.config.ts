import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql instance for the in-process API (as in services/api/vitest.config.ts).
    // The SDK's sources (its `source` export condition), not the published dist/.
    // '@closeloop/sdk' exactly: its subpaths (./trusted-documents) resolve through the package's exports.
    alias: [
      { find: /^graphql$/, replacement: require.resolve('graphql') },
      { find: /^@closeloop\/sdk$/, replacement: new URL('../packages/sdk/src/index.ts', import.meta.url).pathname },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Browser tests share one machine's two cores with the API they start: one file at a time.
    fileParallelism: false,
  },
});
