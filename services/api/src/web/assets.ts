// What every page and asset route shares: the CSP of a served page, and compressed files with ETags.
import type { IncomingMessage, ServerResponse } from 'node:http';

export function csp(req: IncomingMessage, frameAncestors: string, scriptSrc = ''): string {
  const host = String(req.headers.host ?? '').replace(/[^A-Za-z0-9.:[\]-]/g, '');
  // 'self' already covers ws: in CSP 3 browsers; the explicit entries are for older webviews.
  return [
    "default-src 'none'", `script-src 'self'${scriptSrc ? ` ${scriptSrc.replace(/[^A-Za-z0-9.:/ -]/g, '')}` : ''}`, "style-src 'self'", `connect-src 'self' ws://${host} wss://${host}`,
    "img-src 'self' data:", "frame-src 'self'", "base-uri 'none'", "form-action 'self'", `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

/** A file kept compressed both ways: 304 on a matching ETag, else the best encoding the client accepts. */
export function sendAsset(
  req: IncomingMessage, res: ServerResponse,
  asset: { body: Buffer; gzip: Buffer; br: Buffer; etag: string }, headers: Record<string, string>,
): void {
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const accepted = String(req.headers['accept-encoding'] ?? '');
  const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : null;
  if (encoding) headers['content-encoding'] = encoding;
  const body = encoding === 'br' ? asset.br : encoding === 'gzip' ? asset.gzip : asset.body;
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : body);
}
