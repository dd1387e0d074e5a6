import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { buildBundle, compress, isStale, isHashed, DIST, kb } from '@closeloop/web-components/build';
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

/**
 * Builds web-components/dist with esbuild when it is missing or older than its sources, then keeps
 * the files in memory, compressed both ways. `npm install && npm start` needs no separate build step.
 */
export function loadBundle(): Promise<Map<string, Asset>> {
  pending ??= (async () => {
    const built = isStale() ? await buildBundle() : null;
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
