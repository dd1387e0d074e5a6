// The publishable @closeloop/sdk: dist/index.js (ES module, npm dependencies left as imports, gql.tada's
// runtime replaced by a few lines) and dist/types. `npm pack` ships dist/ only.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { emitDeclarations } from '../../../scripts/declarations.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

await build({
  entryPoints: [here('../src/index.ts')],
  outfile: here('../dist/index.js'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2021',
  sourcemap: true,
  external: ['@urql/core', 'graphql-ws', 'wonka'],
  alias: { 'gql.tada': here('./gql-tada-shim.ts') },
  logLevel: 'warning',
});
emitDeclarations(here('..'));
process.stdout.write('built packages/sdk/dist\n');
