import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { buildBundle, isStale, DIST, kb } from '@closeloop/web-components/build';

export interface Asset { body: Buffer; gzip: Buffer; etag: string }

/** The browser files the API serves under /sdk/: the element script and its lazily loaded locales. */
export const SDK_FILES = new Set(['closeloop.js', 'locale-en.js', 'locale-zh-TW.js']);

let pending: Promise<Map<string, Asset>> | null = null;

/**
 * Builds web-components/dist with esbuild when it is missing or older than its sources, then keeps
 * the files in memory. `npm install && npm start` needs no separate build step.
 */
export function loadBundle(): Promise<Map<string, Asset>> {
  pending ??= (async () => {
    if (isStale()) {
      const r = await buildBundle();
      console.log(`closeloop: built /sdk/closeloop.js (${kb(r.gzipBytes)} gzipped)`);
    }
    const assets = new Map<string, Asset>();
    for (const name of SDK_FILES) {
      const body = readFileSync(join(DIST, name));
      assets.set(name, { body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    }
    return assets;
  })().catch((e) => {
    pending = null;
    throw e;
  });
  return pending;
}
