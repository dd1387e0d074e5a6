// Writes src/introspection.d.ts (the types gql.tada infers results from) from the committed
// schema.graphql. Generated, not committed: `npm run typecheck` runs it first, so the SDK's types
// follow every schema change without anyone remembering a second step.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, introspectionFromSchema } from 'graphql';
import { minifyIntrospection, outputIntrospectionFile } from '@gql.tada/internal';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const target = fileURLToPath(new URL('../src/introspection.d.ts', import.meta.url));

export function generate(schemaPath = `${root}schema.graphql`): string {
  const sdl = readFileSync(schemaPath, 'utf8');
  const introspection = minifyIntrospection(introspectionFromSchema(buildSchema(sdl)));
  return outputIntrospectionFile(introspection, { fileType: '.d.ts', shouldPreprocess: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Write-then-rename: a typecheck running in parallel never reads half a file.
  writeFileSync(`${target}.${process.pid}`, generate(process.argv[2]));
  renameSync(`${target}.${process.pid}`, target);
  console.log(`wrote ${target}`);
}
