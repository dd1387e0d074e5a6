// /console: the operations console, built ahead of time by console/scripts/build.ts (rebuilt here when
// missing or stale, like /sdk/), served from memory with a strict CSP and no inline script or style.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { compress } from '@closeloop/web-components/files';
import { log } from '../log.ts';
import { csp, sendAsset } from './assets.ts';

declare const __CLOSELOOP_RELEASE__: boolean | undefined;
const RELEASE = typeof __CLOSELOOP_RELEASE__ !== 'undefined' && __CLOSELOOP_RELEASE__;
/** console/dist, found without loading the console's build script (and esbuild with it). */
const CONSOLE_DIST = fileURLToPath(new URL('../../../../console/dist/', import.meta.url));

interface File { body: Buffer; gzip: Buffer; br: Buffer; type: string; etag: string; immutable: boolean }
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

let pending: Promise<Map<string, File>> | null = null;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

export function loadConsole(): Promise<Map<string, File>> {
  pending ??= (async () => {
    if (!RELEASE) {
      // Development: rebuilt when missing or stale, like /sdk/; the release build serves what `npm run build` made.
      const { buildConsole, isConsoleStale, report } = await import('@closeloop/console/build');
      if (isConsoleStale()) log.info(`built /console\n${report(await buildConsole())}`);
    } else if (!existsSync(join(CONSOLE_DIST, 'index.html'))) {
      throw new Error(`${CONSOLE_DIST}index.html is missing: run \`npm run build\` before starting the release build`);
    }
    const files = new Map<string, File>();
    for (const p of walk(CONSOLE_DIST)) {
      const name = relative(CONSOLE_DIST, p).split('\\').join('/');
      const body = readFileSync(p);
      files.set(name, {
        body, ...compress(body), type: TYPES[name.split('.').pop()!] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        // Chunks are named by their content; the entry, page and styles keep their names.
        immutable: name.startsWith('chunks/'),
      });
    }
    return files;
  })().catch((e) => {
    pending = null;
    throw e;
  });
  return pending;
}

export function consoleRoute() {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path !== '/console' && path !== '/console/' && !path.startsWith('/console/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return res.writeHead(405, { allow: 'GET, HEAD' }).end(), true;
    const name = path === '/console' || path === '/console/' ? 'index.html' : path.slice('/console/'.length);
    const file = (await loadConsole()).get(name);
    if (!file || name.includes('..')) return res.writeHead(404).end(), true;
    const headers: Record<string, string> = {
      'content-type': file.type,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: file.etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (name === 'index.html') {
      // Shoelace draws its own icons from data: URLs it fetches, hence data: in connect-src.
      headers['content-security-policy'] = csp(req, "'none'").replace("connect-src 'self'", "connect-src 'self' data:");
    }
    sendAsset(req, res, file, headers);
    return true;
  };
}
