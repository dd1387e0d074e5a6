import type { IncomingMessage, ServerResponse } from 'node:http';
import { log, requestId, type Logger } from '../log.ts';

/** A route answers the request and returns true, or returns false having done nothing. */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** The path without its query string (which may carry tokens, so it is never logged). */
export const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?')[0]!;

/**
 * The node:http request listener: each request gets a request id (echoed as `x-request-id`) and a
 * child logger (`req.log`), then the routes are tried in order and `fallback` (GraphQL) takes the
 * rest. `drain()` starts a shutdown: later requests get 503, and `idle()` resolves when the ones in
 * flight have finished.
 */
export function requestListener(routes: Route[], fallback: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  let draining = false;
  let whenIdle: (() => void) | null = null;
  // Responses in flight: at drain those not yet started are told `connection: close`, so a client
  // does not send its next request on a kept-alive socket the shutdown is about to close (a reset).
  const inFlight = new Set<ServerResponse>();
  const requestDone = (res: ServerResponse) => {
    inFlight.delete(res);
    if (inFlight.size === 0) whenIdle?.();
  };

  async function listener(req: IncomingMessage, res: ServerResponse) {
    if (draining) {
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' }).end('{"status":"shutting down"}');
      return;
    }
    inFlight.add(res);
    res.once('close', () => requestDone(res));
    const reqId = requestId(req.headers['x-request-id']);
    const reqLog = log.child({ reqId });
    (req as { log?: Logger }).log = reqLog;
    res.setHeader('x-request-id', reqId);
    if (reqLog.isLevelEnabled('debug')) {
      const started = performance.now();
      // The path only: query strings may carry tokens.
      res.once('finish', () => reqLog.debug({ method: req.method, path: pathOf(req), status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request'));
    }
    try {
      for (const route of routes) if (await route(req, res)) return;
      await fallback(req, res);
    } catch (e) {
      // A client cut off mid-request (timeouts, a dropped connection) is not a server fault: nothing to log.
      if (req.destroyed || (e as { code?: string }).code === 'ECONNRESET') return;
      reqLog.error({ err: e }, 'request failed');
      if (!res.headersSent) res.writeHead(500).end('internal error');
    }
  }

  return {
    listener,
    drain() {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    },
    idle(): Promise<void> {
      return inFlight.size === 0 ? Promise.resolve() : new Promise<void>((r) => (whenIdle = r));
    },
  };
}
