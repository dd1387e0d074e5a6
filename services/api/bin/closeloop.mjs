#!/usr/bin/env node
// With NODE_ENV=production: the release build (dist/cli.js, plain JavaScript from `npm run build`).
// Otherwise the TypeScript sources directly through tsx's loader: no build step in development.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.js', import.meta.url);
if (process.env.NODE_ENV === 'production') {
  if (!existsSync(built)) {
    process.stderr.write('closeloop: NODE_ENV=production runs the release build, which is missing: run `npm run build` first\n');
    process.exit(2);
  }
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
