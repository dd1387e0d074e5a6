// Builds the browser script /sdk/closeloop.js (Lit, the form, and the files it loads later: the other
// three elements and the SDK), minified by esbuild. Prints the compressed sizes and fails above budget.
import { build, transform, type BuildOptions, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { emitDeclarations } from '../../scripts/declarations.ts';
import { compiledDocuments } from './documents.ts';
import { compress, DIST, FIRST_BUDGET_BYTES, isHashed, kb, TOTAL_BUDGET_BYTES, CONVERSATION_BUDGET_BYTES } from './files.ts';

export { compress, CONVERSATION_BUDGET_BYTES, DIST, FIRST_BUDGET_BYTES, isHashed, kb, TOTAL_BUDGET_BYTES };
const here = dirname(fileURLToPath(import.meta.url));
const BUNDLE_PATH = join(DIST, 'closeloop.js');
const SRC = join(here, '..', 'src');
// The build's own scripts count as sources too: a change to them changes the output.
const SOURCES = [SRC, here, join(here, '..', '..', 'packages', 'sdk', 'src')];

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
    b.onResolve({ filter: /^\.\.\/generated\/locales\/(en|zh-TW)\.ts$/ }, (args) =>
      args.importer.endsWith('localization.ts') ? { path: `./locale-${/(en|zh-TW)\.ts$/.exec(args.path)![1]}.js`, external: true } : undefined,
    );
    // The generated modules import `str` from @lit/localize, whose module would bring its runtime's
    // side effects along; `str` only builds the object the runtime reads, so the file gets just that.
    b.onResolve({ filter: /^@lit\/localize$/ }, (args) =>
      /[\\/]generated[\\/]locales[\\/]/.test(args.importer) ? { path: 'str', namespace: 'locale-str' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'locale-str' }, () => ({
      contents: 'export const str = (strings, ...values) => ({ strTag: true, strings, values });',
      loader: 'js',
    }));
  },
};

/** What both outputs share: ES modules for browsers, the elements' TypeScript, gql.tada's runtime left out. */
const common = {
  bundle: true,
  format: 'esm',
  target: 'es2021',
  platform: 'browser',
  // Chinese text as UTF-8, not \u escapes: a third of the bytes. Served with charset=utf-8.
  charset: 'utf8',
  tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  // The workspace's TypeScript sources (the `source` export condition), not a published dist/.
  conditions: ['source'],
  alias: { 'gql.tada': join(here, '..', '..', 'packages', 'sdk', 'scripts', 'gql-tada-shim.ts') },
} satisfies BuildOptions;

/**
 * dist/esm/: the ES module package for bundler users. Our code (elements and SDK) is bundled, npm
 * dependencies stay imports so the host's bundler dedupes them (e.g. one Lit); the locales and the
 * SDK's client code stay lazily loaded chunks.
 */
export async function buildModule(): Promise<void> {
  rmSync(join(DIST, 'esm'), { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: { index: join(SRC, 'index.ts') },
    outdir: join(DIST, 'esm'),
    splitting: true,
    chunkNames: '[name]-[hash]',
    external: ['lit', 'lit/*', '@lit/localize', '@urql/core', 'graphql-ws', 'wonka'],
  });
}

export interface BuiltFile { name: string; code: Buffer }


/** The /sdk/ files: minified, kept in memory until finish() has collapsed their whitespace. */
const browserOptions = {
  ...common,
  minify: true,
  legalComments: 'none',
  write: false,
  // Lit's dev-mode warnings and the `node` build of its SSR shim are not for browsers.
  conditions: ['source', 'browser', 'production'],
  define: { 'process.env.NODE_ENV': '"production"' },
} satisfies BuildOptions;

/** One output file: whitespace inside template literals collapsed, named by its content when `hashed`. */
function finish(text: string, name: string, hashed: boolean): BuiltFile {
  // Minified code keeps the indentation inside template literals (Lit html/css, GraphQL documents).
  // A newline followed by indentation is never meaningful there, so it becomes one space.
  const code = Buffer.from(text.replace(/\n[ \t]+/g, ' '));
  return { name: hashed ? `${name}-${createHash('sha256').update(code).digest('base64url').replace(/[-_]/g, '').slice(0, 10)}.js` : `${name}.js`, code };
}

/**
 * The entry's dynamic import of ./sdk.ts becomes the SDK's file (self-contained); its load-elements.ts
 * becomes `glue`, which starts the elements' file with the entry's modules (see elementsFile).
 */
const laterFiles = (sdkFile: string, glue: string, conversationFile: string): Plugin => ({
  name: 'later-files',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/conversation\/conversation\.ts$/ }, (args) =>
      args.importer.endsWith(join('shared', 'load-conversation.ts')) ? { path: `./${conversationFile}`, external: true } : undefined,
    );
    b.onResolve({ filter: /^\.\/sdk\.ts$/ }, (args) => (args.importer.endsWith(join('shared', 'client.ts')) ? { path: `./${sdkFile}`, external: true } : undefined));
    b.onLoad({ filter: /[\\/]src[\\/]load-elements\.ts$/, namespace: 'file' }, () => ({ contents: glue, loader: 'js', resolveDir: SRC }));
    b.onResolve({ filter: /^\.\/closeloop-elements-\w+\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
});

/** Lit, @lit/localize and src/shared/*: the entry's own, never bundled again by the elements' file. */
const FROM_ENTRY = /^(lit|lit-html|lit-element|@lit\/[^/]+)(\/.*)?$|^@closeloop\/domain\/validation$|^\.\.?\/(.*\/)?shared\//;

/**
 * The later elements import Lit, @lit/localize and src/shared/* like any module, but those must be
 * the entry's own (one Lit, one locale, one configure() on the page). So the elements' file is built
 * with them external, and its `import{html as a,…}from"lit";` statements become the
 * parameters of `export function start([a,…])` around the rest of its code: the entry calls start()
 * with those values, and only then do the elements' modules run. The values are read once, when the
 * entry has run (lit-localize's `msg` is installed by then, in localization.ts). (A file importing
 * the entry by URL would not do: a page loading closeloop.js?v=2 would get a second copy of it.)
 * Returns the file and the entry's glue: load-elements.ts's `loadElements`, importing those values.
 */
async function elementsFile(): Promise<{ code: string; glue: (name: string) => string }> {
  const fromEntry: Plugin = {
    name: 'from-entry',
    setup(b) {
      b.onResolve({ filter: FROM_ENTRY }, (args) => ({
        path: args.path.startsWith('.') ? `./${relative(SRC, join(args.resolveDir, args.path)).split('\\').join('/')}` : args.path,
        external: true,
      }));
    },
  };
  const out = await build({
    ...browserOptions,
    // Imported for its side effects (the elements register themselves): the file exports nothing else.
    stdin: { contents: "import './elements.ts';", resolveDir: SRC, loader: 'js' },
    outdir: DIST,
    metafile: true,
    plugins: [minifyCss, fromEntry],
  });
  const [meta] = Object.values(out.metafile.outputs);
  // (Input paths are relative to the working directory.)
  const bundled = Object.keys(out.metafile.inputs).filter((i) => i !== '<stdin>' && !resolve(i).startsWith(SRC + sep));
  if (bundled.length) throw new Error(`the elements' file would bundle its own copy of ${bundled.join(', ')}`);
  const params: string[] = [];
  const values = new Map<string, string[]>(); // module → its `name as local` specifiers, in parameter order
  let statements = 0;
  // Each module's imports stand where its code starts, as whole statements.
  const code = out.outputFiles[0]!.text.replace(/(?<=^|[;}\n])import\{([^}]*)\}from"([^"]+)";/g, (_, specs: string, path: string) => {
    statements++;
    for (const spec of specs.split(',')) {
      const [name, local = name] = spec.split(' as ') as [string, string?];
      params.push(local);
      values.set(path, [...(values.get(path) ?? []), `${name} as v${params.length - 1}`]);
    }
    return '';
  });
  // Every import statement esbuild wrote (no other form, none matched inside a string), and no exports.
  const imports = meta!.imports.filter((i) => i.external);
  if (statements !== imports.length || meta!.exports.length) {
    throw new Error(`unexpected imports or exports in the elements' file: ${JSON.stringify({ statements, imports, exports: meta!.exports })}`);
  }
  return {
    // Once, however many copies of closeloop.js (closeloop.js?v=2) start it.
    code: `let started;export function start([${params.join(',')}]){if(started)return;started=1;${code}}`,
    glue: (name) =>
      [
        ...[...values].map(([path, specs]) => `import { ${specs.join(', ')} } from ${JSON.stringify(path)};`),
        `export const loadElements = () => import(${JSON.stringify(`./${name}`)}).then((m) => m.start([${params.map((_, i) => `v${i}`).join(', ')}]));`,
      ].join('\n'),
  };
}

/**
 * Builds dist/closeloop.js and the files it loads beside itself:
 * - closeloop.js: Lit, @lit/localize, the shared code and <cl-feedback-form>, all a form needs to render;
 * - closeloop-elements-<hash>.js: the tracker, the list and the survey (fetched when on the page, else when idle);
 * - closeloop-sdk-<hash>.js: the SDK's client and transports (urql, graphql-ws, SSE), fetched likewise;
 * - locale-en.js, locale-zh-TW.js: fetched only by pages in those languages.
 */
export async function buildBundle(): Promise<BuiltFile[]> {
  // graphql-ws as the SDK uses it, without the rest of the library (see ws-client.js).
  const smallWs: Plugin = { name: 'small-ws', setup: (b) => b.onResolve({ filter: /^graphql-ws$/ }, () => ({ path: join(here, 'ws-client.js') })) };
  const sdk = await build({ ...browserOptions, entryPoints: [join(SRC, 'shared', 'sdk.ts')], outdir: DIST, plugins: [compiledDocuments, smallWs] });
  const elements = await elementsFile();
  // Self-contained: it imports only types; define() receives Lit and the shared base from the entry.
  const conversation = await build({ ...browserOptions, entryPoints: [join(SRC, 'conversation', 'conversation.ts')], outdir: DIST });
  const later = [
    finish(sdk.outputFiles[0]!.text, 'closeloop-sdk', true),
    finish(elements.code, 'closeloop-elements', true),
    finish(conversation.outputFiles[0]!.text, 'closeloop-conversation', true),
  ];
  const main = await build({
    ...browserOptions,
    entryPoints: {
      closeloop: join(SRC, 'bundle.ts'),
      'locale-en': join(SRC, 'generated', 'locales', 'en.ts'),
      'locale-zh-TW': join(SRC, 'generated', 'locales', 'zh-TW.ts'),
    },
    outdir: DIST,
    plugins: [minifyCss, lazyLocales, laterFiles(later[0]!.name, elements.glue(later[1]!.name), later[2]!.name)],
  });
  const outputs = [...later, ...main.outputFiles.map((o) => finish(o.text, o.path.slice(DIST.length + 1, -3), false))];
  mkdirSync(DIST, { recursive: true });
  await buildModule();
  // The entry last: a server reading dist/ while this runs finds the files the new entry names.
  outputs.sort((a, b) => Number(a.name === 'closeloop.js') - Number(b.name === 'closeloop.js'));
  for (const { name, code } of outputs) {
    const path = join(DIST, name);
    // Write-then-rename: a server (or a parallel test) reading the file never sees half of it.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, path);
  }
  // Hashed files of earlier builds are no longer named by the entry.
  for (const name of readdirSync(DIST)) if (isHashed(name) && !outputs.some((f) => f.name === name)) rmSync(join(DIST, name), { force: true });
  return outputs;
}


if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // The package's declarations (dist/types) for publishing; the script files and dist/esm come next.
  emitDeclarations(join(here, '..'));
  const files = (await buildBundle()).map(({ name, code }) => {
    const { gzip, br } = compress(code);
    return { name, bytes: code.length, gzipBytes: gzip.length, brotliBytes: br.length };
  });
  for (const f of files) console.log(`dist/${f.name}: ${kb(f.bytes)} minified, ${kb(f.gzipBytes)} gzipped, ${kb(f.brotliBytes)} brotli`);
  // A zh-TW or en page also fetches its locale file (about 1.5 KB); the totals leave them out, and the
  // conversation file (only for feedback the customer can act on) has a budget of its own.
  const conversation = files.find((f) => f.name.startsWith('closeloop-conversation-'))!.gzipBytes;
  const all = files.filter((f) => !f.name.startsWith('locale-') && !f.name.startsWith('closeloop-conversation-'));
  const total = all.reduce((n, f) => n + f.gzipBytes, 0);
  const totalBr = all.reduce((n, f) => n + f.brotliBytes, 0);
  const first = files.find((f) => f.name === 'closeloop.js')!.gzipBytes;
  const firstOk = first <= FIRST_BUDGET_BYTES;
  const totalOk = total <= TOTAL_BUDGET_BYTES;
  const conversationOk = conversation <= CONVERSATION_BUDGET_BYTES;
  console.log(`first render (closeloop.js): ${kb(first)} gzipped, budget ${kb(FIRST_BUDGET_BYTES)}: ${firstOk ? 'OK' : 'OVER BUDGET'}`);
  console.log(`all ${all.length} files: ${kb(total)} gzipped (${kb(totalBr)} brotli), budget ${kb(TOTAL_BUDGET_BYTES)}: ${totalOk ? 'OK' : 'OVER BUDGET'}`);
  console.log(`conversation (on demand): ${kb(conversation)} gzipped, budget ${kb(CONVERSATION_BUDGET_BYTES)}: ${conversationOk ? 'OK' : 'OVER BUDGET'}`);
  if (!firstOk || !totalOk || !conversationOk) process.exit(1);
}
