// Builds the one-file browser bundle (/sdk/closeloop.js): Lit, the SDK and the four elements,
// minified by esbuild. Prints the gzipped size and fails above the 30 KB budget.
import { build, transform, type Plugin } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUDGET_BYTES = 30 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
export const DIST = join(here, '..', 'dist');
export const BUNDLE_PATH = join(DIST, 'closeloop.js');
const SOURCES = [join(here, '..', 'src'), join(here, '..', '..', 'packages', 'sdk', 'src')];

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestSource(p) : s.mtimeMs);
  }
  return newest;
}

/** True when the bundle is missing or older than any source file (the server then rebuilds it). */
export function isStale(): boolean {
  try {
    const built = statSync(BUNDLE_PATH).mtimeMs;
    return SOURCES.some((d) => newestSource(d) > built);
  } catch {
    return true;
  }
}

/** Lit's css`` templates are plain strings to esbuild; minify the ones without interpolations as CSS. */
const minifyCss: Plugin = {
  name: 'minify-lit-css',
  setup(b) {
    b.onLoad({ filter: /web-components\/src\/.*\.styles\.ts$|shared\/styles\.ts$/ }, async (args) => {
      let source = readFileSync(args.path, 'utf8');
      for (const [whole, body] of source.matchAll(/css`([^`$]*)`/g)) {
        const { code } = await transform(body!, { loader: 'css', minify: true });
        source = source.replace(whole, `css\`${code.trim()}\``);
      }
      return { contents: source, loader: 'ts' };
    });
  },
};

/** The script loads a locale file beside itself only when a page asks for zh-TW or en. */
const lazyLocales: Plugin = {
  name: 'lazy-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/(en|zh-TW)\.ts$/ }, (args) =>
      args.importer.endsWith('localization.ts') ? { path: `./locale-${/(en|zh-TW)/.exec(args.path)![1]}.js`, external: true } : undefined,
    );
  },
};

/**
 * dist/esm/: the ES module package for bundler users. Our code (elements and SDK) is bundled, npm
 * dependencies stay imports so the host's bundler dedupes them (e.g. one Lit), locales stay lazy chunks.
 */
export async function buildModule(): Promise<void> {
  await build({
    entryPoints: { index: join(here, '..', 'src', 'index.ts') },
    outdir: join(DIST, 'esm'),
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2021',
    platform: 'browser',
    charset: 'utf8',
    chunkNames: 'locale-[name]-[hash]',
    external: ['lit', 'lit/*', '@lit/localize', '@urql/core', 'graphql-ws', 'wonka'],
    alias: { 'gql.tada': join(here, 'gql-tada-shim.ts') },
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  });
}

export interface BuiltFile { name: string; bytes: number; gzipBytes: number }

/** Builds dist/closeloop.js and the on-demand locale files beside it (dist/locale-en.js, dist/locale-zh-TW.js). */
export async function buildBundle(): Promise<{ path: string; bytes: number; gzipBytes: number; files: BuiltFile[] }> {
  const result = await build({
    entryPoints: {
      closeloop: join(here, '..', 'src', 'bundle.ts'),
      'locale-en': join(here, '..', 'src', 'locales', 'en.ts'),
      'locale-zh-TW': join(here, '..', 'src', 'locales', 'zh-TW.ts'),
    },
    outdir: DIST,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2021',
    platform: 'browser',
    legalComments: 'none',
    // Chinese text as UTF-8, not \u escapes: a third of the bytes. Served with charset=utf-8.
    charset: 'utf8',
    write: false,
    // Lit's dev-mode warnings and the `node` build of its SSR shim are not for browsers.
    conditions: ['browser', 'production'],
    define: { 'process.env.NODE_ENV': '"production"' },
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    alias: { 'gql.tada': join(here, 'gql-tada-shim.ts') },
    plugins: [minifyCss, lazyLocales],
  });
  mkdirSync(DIST, { recursive: true });
  await buildModule();
  const files: BuiltFile[] = [];
  for (const out of result.outputFiles) {
    // Minified code keeps the indentation inside template literals (Lit html/css, GraphQL documents).
    // A newline followed by indentation is never meaningful there, so it becomes one space.
    const code = Buffer.from(out.text.replace(/\n[ \t]+/g, ' '));
    // Write-then-rename: a server (or a parallel test) reading the file never sees half of it.
    const tmp = `${out.path}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, out.path);
    files.push({ name: out.path.slice(DIST.length + 1), bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length });
  }
  const main = files.find((f) => f.name === 'closeloop.js')!;
  return { path: BUNDLE_PATH, bytes: main.bytes, gzipBytes: main.gzipBytes, files };
}

export const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildBundle();
  for (const f of r.files) console.log(`dist/${f.name}: ${kb(f.bytes)} minified, ${kb(f.gzipBytes)} gzipped`);
  // The budget is for the script (Lit, the SDK and the four elements). A zh-TW or en page also
  // fetches its locale file; that total is printed so it stays in view.
  const largestLocale = Math.max(0, ...r.files.filter((f) => f.name !== 'closeloop.js').map((f) => f.gzipBytes));
  const ok = r.gzipBytes <= BUDGET_BYTES;
  console.log(`closeloop.js ${kb(r.gzipBytes)} gzipped, budget ${kb(BUDGET_BYTES)}: ${ok ? 'OK' : 'OVER BUDGET'} (with the largest locale file: ${kb(r.gzipBytes + largestLocale)})`);
  if (!ok) process.exit(1);
}
