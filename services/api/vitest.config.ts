import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
const postgresUrl = process.env.TEST_DATABASE_URL;
if (process.env.CI && !postgresUrl) {
  // CI must exercise both databases; a missing one is a failure, not a silent skip.
  throw new Error('CI requires TEST_DATABASE_URL (PostgreSQL) so the suite runs on both databases');
}

const PROCESSES = ['test/cli.test.ts', 'test/config.test.ts', 'test/docs-cli.test.ts', 'test/redis-lifecycle.test.ts', 'test/release.test.ts'];

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
    // '@closeloop/sdk' exactly: its subpaths (./trusted-documents) resolve through the package's exports.
    alias: [
      { find: /^graphql$/, replacement: require.resolve('graphql') },
      { find: /^@closeloop\/sdk$/, replacement: new URL('../../packages/sdk/src/index.ts', import.meta.url).pathname },
    ],
  },
  test: {
    // The whole suite runs on the embedded database, and again on PostgreSQL when TEST_DATABASE_URL is set.
    // Files that start `closeloop` processes (each loads the whole server) run one at a time, after the
    // in-process files: run side by side on a small machine they starved each other into timeouts.
    projects: [
      { extends: true, test: { ...shared, name: 'pglite', env: { TEST_DATABASE_URL: '' }, exclude: [...PROCESSES, ...configDefaults.exclude], sequence: { groupOrder: 0 } } },
      // Without Redis, except where a file asks for the machine's own (redis-lifecycle.test.ts): CLOSELOOP_TEST_REDIS_URL.
      { extends: true, test: { ...shared, name: 'processes', include: PROCESSES, env: { TEST_DATABASE_URL: '', REDIS_URL: '', CLOSELOOP_TEST_REDIS_URL: process.env.REDIS_URL ?? '' }, fileParallelism: false, testTimeout: 240_000, sequence: { groupOrder: 1 } } },
      // cli.test.ts runs here too (on PostgreSQL); the other process files never open a database.
      ...(postgresUrl ? [{ extends: true, test: { ...shared, name: 'postgres', env: { TEST_DATABASE_URL: postgresUrl }, exclude: [...PROCESSES.filter((f) => f !== 'test/cli.test.ts'), ...configDefaults.exclude], sequence: { groupOrder: 2 } } }] : []),
    ],
  },
});
