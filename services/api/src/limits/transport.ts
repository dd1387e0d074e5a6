import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Limits on the HTTP transport (docs/security.md). */
export interface TransportSettings {
  /** Largest request body (bytes); larger ones get 413. */
  bodyLimitBytes: number;
  /** Time a client has to send all request headers (ms). */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included (ms); a trickled body is cut. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long (ms). */
  keepAliveTimeoutMs: number;
  /** Open connections per process (HTTP and WebSocket together). */
  maxConnections: number;
  /** Open connections per client address, per process; 0 for no cap (e.g. behind a proxy that pools). */
  maxConnectionsPerAddress: number;
  /** Proxies in front of the API that append to X-Forwarded-For; 0 = use the socket's address. */
  trustedProxies: number;
}

export const DEFAULT_TRANSPORT: TransportSettings = {
  bodyLimitBytes: 1 << 20,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 20_000,
  maxConnectionsPerAddress: 256,
  trustedProxies: 0,
};

/** node:http options for these settings; timeouts are checked every second rather than Node's default 30 s. */
export function serverOptions(t: TransportSettings): ServerOptions {
  return {
    headersTimeout: Math.min(t.headersTimeoutMs, t.requestTimeoutMs || t.headersTimeoutMs),
    requestTimeout: t.requestTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, t.headersTimeoutMs || 1000),
  };
}

/** Caps open connections per process and per address; a connection over the cap is dropped at once. */
export function capConnections(server: Server, t: TransportSettings): void {
  if (t.maxConnections > 0) server.maxConnections = t.maxConnections;
  if (!(t.maxConnectionsPerAddress > 0)) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const n = (open.get(address) ?? 0) + 1;
    if (n > t.maxConnectionsPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * The caller's address: the socket's, or behind `trustedProxies` proxies the X-Forwarded-For entry the
 * outermost trusted proxy added (entries further left are the client's to invent).
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'> | undefined, trustedProxies: number): string {
  if (!req) return 'unknown';
  const socket = req.socket?.remoteAddress ?? 'unknown';
  if (trustedProxies <= 0) return socket;
  const raw = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
  return hops[hops.length - trustedProxies] ?? hops[0] ?? socket;
}

/**
 * CSRF: a browser sends a cross-site form or text/plain POST without asking first, so /graphql refuses
 * those content types (415), and multipart only runs with a header that forces a preflight
 * (Authorization, x-closeloop-channel or graphql-require-preflight). JSON always needs a preflight.
 */
export function refuseSimplePost(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'POST') return false;
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const simple = type === '' || type === 'text/plain' || type === 'application/x-www-form-urlencoded' ||
    (type === 'multipart/form-data' && !req.headers.authorization && !req.headers['x-closeloop-channel'] && !req.headers['graphql-require-preflight']);
  if (!simple) return false;
  const body = JSON.stringify({ errors: [{ message: `Content-Type ${type || '(none)'} is not accepted; send application/json`, extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] });
  res.writeHead(415, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
  return true;
}
