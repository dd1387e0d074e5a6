// Builds /console ahead of time: the entry (shell and sign-in), one file per screen loaded on first use,
// shared chunks, the page and its stylesheet, and Shoelace's theme from the installed package.
// Prints each file's size and what the first load costs, gzipped.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
export const CONSOLE_DIST = join(root, 'dist');
const ENTRY = join(CONSOLE_DIST, 'console.js');
const SOURCES = [join(root, 'src'), join(root, 'public'), here, join(root, '..', 'packages', 'sdk', 'src')];
const require = createRequire(import.meta.url);
// The package root, from a file its exports map lists.
const shoelace = join(dirname(require.resolve('@shoelace-style/shoelace/dist/themes/light.css')), '..', '..');

function newest(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    n = Math.max(n, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return n;
}

/** Missing or older than a source: the server rebuilds it before serving. */
export function isConsoleStale(): boolean {
  try {
    const built = statSync(ENTRY).mtimeMs;
    return SOURCES.some((d) => newest(d) > built);
  } catch {
    return true;
  }
}

export interface ConsoleFile { path: string; bytes: number; gzipBytes: number; initial: boolean }

export async function buildConsole(): Promise<ConsoleFile[]> {
  rmSync(CONSOLE_DIST, { recursive: true, force: true });
  const out = await build({
    entryPoints: { console: join(root, 'src', 'main.ts') },
    outdir: CONSOLE_DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2021',
    platform: 'browser',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    chunkNames: 'chunks/[name]-[hash]',
    // The workspace's TypeScript sources (the `source` export condition), not a published dist/.
    conditions: ['source', 'browser', 'production'],
    define: { 'process.env.NODE_ENV': '"production"' },
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  });
  mkdirSync(join(CONSOLE_DIST, 'shoelace', 'themes'), { recursive: true });
  copyFileSync(join(shoelace, 'dist', 'themes', 'light.css'), join(CONSOLE_DIST, 'shoelace', 'themes', 'light.css'));
  for (const f of ['index.html', 'console.css']) copyFileSync(join(root, 'public', f), join(CONSOLE_DIST, f));
  // What the page loads before anything else: the entry and the chunks it imports statically.
  const initial = new Set<string>();
  const visit = (file: string) => {
    if (initial.has(file)) return;
    initial.add(file);
    for (const i of out.metafile.outputs[file]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(relative(process.cwd(), ENTRY).split('\\').join('/'));
  return Object.keys(out.metafile.outputs).filter((p) => p.endsWith('.js')).map((p) => {
    const code = readFileSync(p);
    return { path: relative(CONSOLE_DIST, p), bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, initial: initial.has(p) };
  });
}

export const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export function report(files: ConsoleFile[]): string {
  const first = files.filter((f) => f.initial).reduce((n, f) => n + f.gzipBytes, 0);
  const all = files.reduce((n, f) => n + f.gzipBytes, 0);
  return [
    ...files.map((f) => `console/dist/${f.path}: ${kb(f.bytes)} minified, ${kb(f.gzipBytes)} gzipped${f.initial ? ' (first load)' : ''}`),
    `first load: ${kb(first)} gzipped; all ${files.length} script files: ${kb(all)} gzipped (screens load on first use)`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(report(await buildConsole()));
}
