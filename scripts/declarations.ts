// Emits a package's .d.ts files into <package>/dist/types for publishing: the sources import each
// other with `.ts` extensions (run by tsx and bundled by esbuild), published declarations say `.js`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

// TypeScript 7 exports no path to its command: find it beside its package.json.
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

export function emitDeclarations(packageDir: string, entryDir = 'src'): void {
  const out = join(packageDir, 'dist', 'types');
  rmSync(out, { recursive: true, force: true });
  const config = join(packageDir, 'tsconfig.declarations.json');
  writeFileSync(config, JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, outDir: './dist/types', rootDir: `./${entryDir}` },
    include: [`./${entryDir}`],
    exclude: [`./${entryDir}/**/*.test.ts`],
  }));
  try {
    execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  } finally {
    rmSync(config, { force: true });
  }
  // Hand-written declarations are not emitted: copy them.
  const src = join(packageDir, entryDir);
  for (const file of walk(src)) if (file.endsWith('.d.ts')) copyFileSync(file, join(out, relative(src, file)));
  for (const file of walk(out)) {
    const text = readFileSync(file, 'utf8').replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+?)(?:\.d)?\.ts\2/g, '$1$2$3.js$2');
    writeFileSync(file, text);
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
