import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSdkFile, loadBundle } from './bundle.ts';
import { demoRoute, type DemoOptions } from './demo.ts';
import { consoleRoute } from './console.ts';
import { csp, sendAsset } from './assets.ts';

export { csp, sendAsset };

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface WebOptions {
  production?: boolean;
  /** Who may frame /portal (CSP frame-ancestors), e.g. "https://www.example-bank.com"; defaults to 'self'. */
  portalFrameAncestors?: string;
  /**
   * Extra script origin for /portal, e.g. "https://res.wx.qq.com" so that a mini-program web-view can
   * load the WeChat JS-SDK (portal.js loads it only with ?wx=1) and hear back through it.
   */
  portalScriptSrc?: string;
  /** Demo pages and their helper endpoints (outside production only). */
  demo?: DemoOptions;
}

const PAGES = new URL('../../web/', import.meta.url);
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** Pages and their own files: no inline script or style anywhere, so the strict CSP below holds. */
const STATIC: Record<string, string> = {
  '/portal': 'portal.html',
  '/portal/portal.js': 'portal.js',
  '/portal/portal.css': 'portal.css',
};
const DEMO_STATIC: Record<string, string> = {
  '/demo': 'demo-index.html',
  '/demo/website': 'demo-website.html',
  '/demo/app-webview': 'demo-app-webview.html',
  '/demo/mini-program': 'demo-mini-program.html',
  '/demo/demo.js': 'demo.js',
  '/demo/demo.css': 'demo.css',
};

export function webRoutes(options: WebOptions = {}): Route[] {
  const demo = options.production ? undefined : options.demo;
  const pages = { ...STATIC, ...(demo ? DEMO_STATIC : {}) };
  const cache = new Map<string, Buffer>();
  const read = (file: string) => {
    // Re-read outside production so page edits show without a restart.
    let b = options.production ? cache.get(file) : undefined;
    if (!b) cache.set(file, (b = readFileSync(new URL(file, PAGES))));
    return b;
  };

  const sdk: Route = async (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith('/sdk/')) return false;
    const name = path.slice(5);
    const asset = isSdkFile(name) && (req.method === 'GET' || req.method === 'HEAD') ? (await loadBundle()).get(name) : undefined;
    if (!asset) {
      res.writeHead(404).end();
      return true;
    }
    const headers: Record<string, string> = {
      'content-type': TYPES.js!,
      // Host pages on other origins load it as a module script, which needs CORS; their own
      // performance measurements may see its timings.
      'access-control-allow-origin': '*',
      'timing-allow-origin': '*',
      // closeloop.js keeps its address across releases, so it is revalidated; the files it loads are
      // named by their content.
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
      etag: asset.etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
    };
    sendAsset(req, res, asset, headers);
    return true;
  };

  const page: Route = (req, res) => {
    const path = (req.url ?? '').split('?')[0]!.replace(/\/$/, '') || '/';
    // Browsers ask every page for one; an empty answer keeps a 404 out of the console.
    if (path === '/favicon.ico') return res.writeHead(204, { 'cache-control': 'public, max-age=86400' }).end(), true;
    const file = pages[path];
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const ext = file.split('.').pop()!;
    const headers: Record<string, string> = {
      'content-type': TYPES[ext]!,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // Tickets and tokens never leave the page through the Referer header.
      'referrer-policy': 'no-referrer',
    };
    if (ext === 'html') {
      const ancestors = path === '/portal' ? (options.portalFrameAncestors ?? "'self'") : "'self'";
      headers['content-security-policy'] = csp(req, ancestors, path === '/portal' ? options.portalScriptSrc : '');
    }
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : read(file));
    return true;
  };

  return demo ? [sdk, page, consoleRoute(), demoRoute(demo)] : [sdk, page, consoleRoute()];
}
