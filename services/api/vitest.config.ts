import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
const postgresUrl = process.env.TEST_DATABASE_URL;
if (process.env.CI && !postgresUrl) {
  // CI must exercise both databases; a missing one is a failure, not a silent skip.
  throw new Error('CI requires TEST_DATABASE_URL (PostgreSQL) so the suite runs on both databases');
}

const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
};

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS and ESM builds; Vite would give our code the ESM one while yoga (run by
    // Node) loads the CJS one, and `instanceof GraphQLError` would then fail across the two copies.
    // The SDK's sources (its `source` export condition), not the published dist/.
    alias: { graphql: require.resolve('graphql'), '@closeloop/sdk': new URL('../../packages/sdk/src/index.ts', import.meta.url).pathname },
  },
  test: {
    // The whole suite runs on the embedded database, and again on PostgreSQL when TEST_DATABASE_URL is set.
    projects: [
      { extends: true, test: { ...shared, name: 'pglite', env: { TEST_DATABASE_URL: '' } } },
      // Files that never open a database (they would build dist/ twice at once) run in one project only.
      ...(postgresUrl ? [{ extends: true, test: { ...shared, name: 'postgres', env: { TEST_DATABASE_URL: postgresUrl }, exclude: ['test/release.test.ts', 'test/config.test.ts', 'test/docs-cli.test.ts'] } }] : []),
    ],
  },
});
