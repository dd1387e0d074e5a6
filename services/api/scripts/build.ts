// The release build of the API: src/cli.ts and the workspace packages it uses (@closeloop/db, domain)
// bundled into plain JavaScript in dist/, npm dependencies left as imports. `NODE_ENV=production
// npm start` runs it with neither tsx nor esbuild loaded; the browser files come prebuilt from
// web-components/dist (its own `build`, which turbo runs first).
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = new URL('..', import.meta.url);
const DIST = fileURLToPath(new URL('dist/', root));

/** npm packages stay imports (resolved from node_modules at run time); our workspaces are bundled. */
const dependenciesExternal: Plugin = {
  name: 'dependencies-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      // The development-only bundler path of web/bundle.ts: never part of the release.
      if (args.path === '@closeloop/web-components/build') return { path: args.path, external: true };
      return args.path.startsWith('@closeloop/') ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * Each source keeps its own `import.meta.url`: files next to the sources (migrations, demo pages,
 * schema.graphql, the data folder's default) are found where they are in the checkout.
 */
const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

export async function buildServer(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  await build({
    entryPoints: { cli: fileURLToPath(new URL('src/cli.ts', root)) },
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    chunkNames: 'chunks/[name]-[hash]',
    define: { __CLOSELOOP_RELEASE__: 'true' },
    plugins: [dependenciesExternal, keepModuleUrls],
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildServer();
  process.stdout.write(`built ${DIST}cli.js\n`);
}
