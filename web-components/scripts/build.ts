// Builds the browser script /sdk/closeloop.js (Lit, the form, and the files it loads later: the other
// three elements and the SDK), minified by esbuild. Prints the compressed sizes and fails above budget.
import { build, transform, type BuildOptions, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a page needs before <cl-feedback-form> renders: closeloop.js alone, gzipped. */
export const FIRST_BUDGET_BYTES = 15 * 1024;
/** Everything the script may load but the locales: closeloop.js and its later files, each gzipped. */
export const TOTAL_BUDGET_BYTES = 35 * 1024;
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
    b.onLoad({ filter: /web-components\/src\/.*\.styles\.ts$|shared\/styles\.ts$/, namespace: 'file' }, async (args) => {
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
 * dependencies stay imports so the host's bundler dedupes them (e.g. one Lit); the locales and the
 * SDK's client code stay lazily loaded chunks.
 */
export async function buildModule(): Promise<void> {
  rmSync(join(DIST, 'esm'), { recursive: true, force: true });
  await build({
    entryPoints: { index: join(here, '..', 'src', 'index.ts') },
    outdir: join(DIST, 'esm'),
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2021',
    platform: 'browser',
    charset: 'utf8',
    chunkNames: '[name]-[hash]',
    external: ['lit', 'lit/*', '@lit/localize', '@urql/core', 'graphql-ws', 'wonka'],
    alias: { 'gql.tada': join(here, 'gql-tada-shim.ts') },
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  });
}

export interface BuiltFile { name: string; bytes: number; gzipBytes: number; brotliBytes: number }

const SRC = join(here, '..', 'src');
const browserOptions = {
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
} satisfies BuildOptions;

/** One output file: whitespace inside template literals collapsed, named by its content when `hashed`. */
function finish(text: string, name: string, hashed: boolean): { name: string; code: Buffer } {
  // Minified code keeps the indentation inside template literals (Lit html/css, GraphQL documents).
  // A newline followed by indentation is never meaningful there, so it becomes one space.
  const code = Buffer.from(text.replace(/\n[ \t]+/g, ' '));
  return { name: hashed ? `${name}-${createHash('sha256').update(code).digest('base64url').replace(/[-_]/g, '').slice(0, 10)}.js` : `${name}.js`, code };
}

/**
 * The entry's dynamic imports of ./sdk.ts and ./elements.ts become the built files: the SDK's is
 * self-contained, the elements' is started with the entry's modules (see fromEntry).
 */
const laterFiles = (sdkFile: string, startElements: string): Plugin => ({
  name: 'later-files',
  setup(b) {
    b.onResolve({ filter: /^\.\/sdk\.ts$/ }, (args) => (args.importer.endsWith(join('shared', 'client.ts')) ? { path: `./${sdkFile}`, external: true } : undefined));
    b.onResolve({ filter: /^\.\/elements\.ts$/ }, (args) => (args.importer === join(SRC, 'bundle.ts') ? { path: 'elements', namespace: 'later' } : undefined));
    b.onResolve({ filter: /^\.\/closeloop-elements-\w+\.js$/ }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'later' }, () => ({ contents: startElements, loader: 'js', resolveDir: SRC }));
  },
});

/**
 * The later elements import Lit, @lit/localize and src/shared/* like any module, but those must be
 * the entry's own (one Lit, one locale, one configure() on the page). So the elements' file does
 * not bundle them: each becomes a stand-in reading the entry's module from `holder`, which the
 * entry fills through `start()` before the elements' modules run. (A chunk importing the entry by
 * URL would not do: a page loading closeloop.js?v=2 would get a second copy of it.)
 */
const fromEntry = (shared: Set<string>): Plugin => ({
  name: 'from-entry',
  setup(b) {
    b.onResolve({ filter: /^closeloop:holder$/ }, () => ({ path: 'holder', namespace: 'holder' }));
    b.onLoad({ filter: /.*/, namespace: 'holder' }, () => ({ contents: 'export const holder = {};', loader: 'js' }));
    b.onResolve({ filter: /^(lit|@lit\/localize)$|^\.\.?\/.*shared\// }, (args) => {
      if (args.importer === '<stdin>') return undefined;
      const key = args.path.startsWith('.') ? relative(SRC, join(args.resolveDir, args.path)) : args.path;
      shared.add(key);
      return { path: key, namespace: 'from-entry' };
    });
    b.onLoad({ filter: /.*/, namespace: 'from-entry' }, (args) => ({
      contents: `const { holder } = require('closeloop:holder'); module.exports = holder[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
});

/**
 * Builds dist/closeloop.js and the files it loads beside itself:
 * - closeloop.js: Lit, @lit/localize, the shared code and <cl-feedback-form>, all a form needs to render;
 * - closeloop-elements-<hash>.js: the tracker, the list and the survey (fetched when on the page, else when idle);
 * - closeloop-sdk-<hash>.js: the SDK's client and transports (urql, graphql-ws, SSE), fetched likewise;
 * - locale-en.js, locale-zh-TW.js: fetched only by pages in those languages.
 */
export async function buildBundle(): Promise<{ path: string; bytes: number; gzipBytes: number; files: BuiltFile[]; first: BuiltFile[] }> {
  const sdk = await build({ ...browserOptions, entryPoints: [join(SRC, 'shared', 'sdk.ts')], outdir: DIST });
  const shared = new Set<string>();
  const elements = await build({
    ...browserOptions,
    stdin: { contents: "import { holder } from 'closeloop:holder'; export function start(shared) { Object.assign(holder, shared); return import('./elements.ts'); }", resolveDir: SRC, loader: 'js' },
    outdir: DIST,
    plugins: [minifyCss, fromEntry(shared)],
  });
  const later = [finish(sdk.outputFiles[0]!.text, 'closeloop-sdk', true), finish(elements.outputFiles[0]!.text, 'closeloop-elements', true)];
  const keys = [...shared].sort();
  const startElements = [
    ...keys.map((k, i) => `import * as s${i} from ${JSON.stringify(k.startsWith('shared/') ? `./${k}` : k)};`),
    `import(${JSON.stringify(`./${later[1]!.name}`)})`,
    `  .then((m) => m.start({ ${keys.map((k, i) => `${JSON.stringify(k)}: s${i}`).join(', ')} }))`,
    `  .catch((e) => console.error('closeloop: could not load the elements', e));`,
  ].join('\n');
  const main = await build({
    ...browserOptions,
    entryPoints: {
      closeloop: join(SRC, 'bundle.ts'),
      'locale-en': join(SRC, 'locales', 'en.ts'),
      'locale-zh-TW': join(SRC, 'locales', 'zh-TW.ts'),
    },
    outdir: DIST,
    plugins: [minifyCss, lazyLocales, laterFiles(later[0]!.name, startElements)],
  });
  const outputs = [...later, ...main.outputFiles.map((o) => finish(o.text, o.path.slice(DIST.length + 1, -3), false))];
  mkdirSync(DIST, { recursive: true });
  await buildModule();
  // The entry last: a server reading dist/ while this runs finds the files the new entry names.
  const files: BuiltFile[] = [];
  for (const { name, code } of outputs.sort((a, b) => Number(a.name === 'closeloop.js') - Number(b.name === 'closeloop.js'))) {
    const path = join(DIST, name);
    // Write-then-rename: a server (or a parallel test) reading the file never sees half of it.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, path);
    files.push({ name, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, brotliBytes: brotli(code).length });
  }
  // Hashed files of earlier builds are no longer named by the entry.
  for (const name of readdirSync(DIST)) if (isHashed(name) && !files.some((f) => f.name === name)) rmSync(join(DIST, name), { force: true });
  const entry = files.find((f) => f.name === 'closeloop.js')!;
  return { path: BUNDLE_PATH, bytes: entry.bytes, gzipBytes: entry.gzipBytes, files, first: [entry] };
}

/** closeloop-<part>-<hash>.js: its content never changes under that name. */
export const isHashed = (name: string) => /^closeloop-[a-z]+-[A-Za-z0-9]{10}\.js$/.test(name);

export const brotli = (code: Buffer) =>
  brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length } });

export const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildBundle();
  for (const f of r.files) console.log(`dist/${f.name}: ${kb(f.bytes)} minified, ${kb(f.gzipBytes)} gzipped, ${kb(f.brotliBytes)} brotli`);
  // A zh-TW or en page also fetches its locale file (about 1.5 KB); the totals leave them out.
  const all = r.files.filter((f) => !f.name.startsWith('locale-'));
  const total = all.reduce((n, f) => n + f.gzipBytes, 0);
  const totalBr = all.reduce((n, f) => n + f.brotliBytes, 0);
  const firstOk = r.gzipBytes <= FIRST_BUDGET_BYTES;
  const totalOk = total <= TOTAL_BUDGET_BYTES;
  console.log(`first render (closeloop.js): ${kb(r.gzipBytes)} gzipped, budget ${kb(FIRST_BUDGET_BYTES)}: ${firstOk ? 'OK' : 'OVER BUDGET'}`);
  console.log(`all ${all.length} files: ${kb(total)} gzipped (${kb(totalBr)} brotli), budget ${kb(TOTAL_BUDGET_BYTES)}: ${totalOk ? 'OK' : 'OVER BUDGET'}`);
  if (!firstOk || !totalOk) process.exit(1);
}
