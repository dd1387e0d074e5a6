import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatabaseHandle } from '@closeloop/db';
import type { EventBus } from '../realtime/bus.ts';
import { pathOf, type Route } from './routes.ts';

/** `/health` (liveness): the process answers; nothing else is checked. */
export function healthRoute(): Route {
  return (req, res) => {
    if (pathOf(req) !== '/health') return false;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return true;
  };
}

/** `/ready`: 200 while the database answers, 503 otherwise (and while shutting down, routes.ts). */
export function readyRoute(handle: DatabaseHandle, bus: EventBus): Route {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (pathOf(req) !== '/ready') return false;
    // Redis is reported but does not make the instance unready: live events then arrive by polling.
    const redis = bus.health?.();
    const database = await handle.ping().then(() => 'ok', () => 'unreachable');
    res
      .writeHead(database === 'ok' ? 200 : 503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: database === 'ok' ? 'ready' : 'unavailable', database, ...(redis && { redis }) }));
    return true;
  };
}

/** `/` sends a browser somewhere useful: GraphiQL outside production, the health check in production. */
export function rootRedirect(production: boolean): Route {
  return (req, res) => {
    if (pathOf(req) !== '/') return false;
    res.writeHead(302, { location: production ? '/health' : '/graphql' }).end();
    return true;
  };
}
