// Layer rules, checked in CI by `npm run check:layers` (part of `npm run lint`):
//   domain ← db ← policy ← services ← schema ← http ← main/cli
// The SDK and the components never import the server or the database; a workspace's tests do not reach
// into another workspace's src/; no import circles, type-only imports included.
const API = '^services/api/src/';
const LAYER = {
  domain: '^packages/domain/src/',
  db: '^packages/db/src/',
  // services: transactions and the rules around them, identity, live events, infrastructure (config, log)
  // policy: who is asking (Viewer), the access rules and the typed errors, shared by services and schema
  policy: `${API}policy/`,
  services: `${API}(services|auth|realtime)/|${API}(config|log|context|admin|seed|workflow-seed|commands)\\.ts$`,
  schema: `${API}schema/`,
  http: `${API}(http|web)/`,
  main: `${API}(main|cli)\\.ts$`,
};

/**
 * Known violations (issue 12), each to be removed by moving code; listed so that no new one appears.
 * - None against the layer order: the error classes, the access policy and the Viewer are in policy/.
 */
const KNOWN_UPWARD = [];
/** None: every file stays out of circles (the holiday work's two were broken by calendar-types.ts and cli-args.ts). */
const KNOWN_CIRCLE = [];
/**
 * - The components' browser tests start the API in-process from its src/ (the API depends on the
 *   components, so they cannot depend on it as a package).
 */
const KNOWN_TEST_REACH = ['^web-components/test/browser/harness\\.ts$'];

const below = (layer, ...higher) => ({
  name: `${layer}-not-above`,
  comment: `${layer} must not import ${higher.join(', ')}: layers point one way (domain ← db ← services ← schema ← http ← main/cli)`,
  severity: 'error',
  from: { path: LAYER[layer], pathNot: '\\.test\\.ts$' },
  to: { path: higher.map((h) => LAYER[h]).join('|'), pathNot: KNOWN_UPWARD.length ? KNOWN_UPWARD.join('|') : '^$' },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import circles (type-only imports included) tie layers together; break them by moving the shared piece down.',
      severity: 'error',
      from: { pathNot: KNOWN_CIRCLE.length ? KNOWN_CIRCLE.join('|') : '^$' },
      to: { circular: true },
    },
    below('domain', 'db', 'policy', 'services', 'schema', 'http', 'main'),
    below('db', 'policy', 'services', 'schema', 'http', 'main'),
    below('policy', 'services', 'schema', 'http', 'main'),
    below('services', 'schema', 'http', 'main'),
    below('schema', 'http', 'main'),
    below('http', 'main'),
    {
      name: 'domain-is-pure',
      comment: '@closeloop/domain has no I/O and imports no workspace.',
      severity: 'error',
      from: { path: LAYER.domain },
      to: { path: '^(packages/(db|sdk)|services|web-components)/' },
    },
    {
      name: 'clients-never-import-the-server',
      comment: 'The SDK and the components reach the server only over the network.',
      severity: 'error',
      from: { path: '^(packages/sdk|web-components)/src/' },
      to: { path: '^(services|packages/db)/' },
    },
    {
      name: 'tests-stay-in-their-workspace',
      comment: "A workspace's tests use other workspaces through their package exports, never their src/.",
      severity: 'error',
      from: { path: '^(packages/[^/]+|services/[^/]+|web-components)/(test/|src/.*\\.test\\.ts$)', pathNot: KNOWN_TEST_REACH.join('|') },
      // Relative paths only: importing `@closeloop/db` (its package exports) is the allowed way.
      to: { path: '^(packages/[^/]+|services/[^/]+|web-components)/src/', pathNot: '^$1/', dependencyTypes: ['local'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { conditionNames: ['source', 'import', 'default'], exportsFields: ['exports'], extensions: ['.ts', '.d.ts', '.js', '.mjs'] },
  },
};
