import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { compress, isHashed, DIST, kb } from '@closeloop/web-components/files';
import { log } from '../log.ts';

export interface Asset {
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
  /** Named by its content (closeloop-elements-<hash>.js): cacheable for good. */
  immutable: boolean;
}

/**
 * The browser files the API serves under /sdk/: the entry closeloop.js, the files it loads later
 * (closeloop-<part>-<hash>.js) and the on-demand locales.
 */
export const isSdkFile = (name: string) => name === 'closeloop.js' || isHashed(name) || /^locale-(en|zh-TW)\.js$/.test(name);

let pending: Promise<Map<string, Asset>> | null = null;

/** Set by the release build (services/api/scripts/build.ts): serve the prebuilt files, never run a bundler. */
declare const __CLOSELOOP_RELEASE__: boolean | undefined;
const RELEASE = typeof __CLOSELOOP_RELEASE__ !== 'undefined' && __CLOSELOOP_RELEASE__;

/**
 * In development, builds web-components/dist with esbuild when it is missing or older than its sources
 * (`npm install && npm start` needs no separate build step); the release build serves what
 * `npm run build` made. Either way the files are kept in memory, compressed both ways.
 */
export function loadBundle(): Promise<Map<string, Asset>> {
  pending ??= (async () => {
    let built: { length: number } | null = null;
    if (!RELEASE) {
      const { buildBundle, isStale } = await import('@closeloop/web-components/build');
      if (isStale()) built = await buildBundle();
    } else if (!existsSync(join(DIST, 'closeloop.js'))) {
      throw new Error(`${DIST}/closeloop.js is missing: run \`npm run build\` before starting the release build`);
    }
    const assets = new Map<string, Asset>();
    for (const name of readdirSync(DIST).filter(isSdkFile)) {
      let body: Buffer;
      try {
        body = readFileSync(join(DIST, name));
      } catch {
        continue; // an older build's file, removed by a build running meanwhile
      }
      assets.set(name, {
        body,
        ...compress(body),
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: isHashed(name),
      });
    }
    if (built) log.info({ gzipped: kb(assets.get('closeloop.js')?.gzip.length ?? 0), files: built.length }, 'built /sdk/closeloop.js');
    return assets;
  })().catch((e) => {
    pending = null;
    throw e;
  });
  return pending;
}
