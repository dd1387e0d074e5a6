import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { DatabaseHandle } from '@closeloop/db';
import { schema } from './schema/index.ts';
import type { Context } from './context.ts';
import { AuthenticationFailure, Identity, type Viewer } from './auth/identity.ts';
import { createServices, type Services } from './services/index.ts';
import type { TimelineRow } from './services/events.ts';
import type { TicketRow } from './services/tickets.ts';
import { GRAPHIQL_EXAMPLES } from './graphiql.ts';

export interface AppOptions {
  handle: DatabaseHandle;
  secretKey: Buffer;
  production?: boolean;
  staffSessionTtlSeconds?: number;
  /** Extra routes (portal, SDK, demo pages) tried before GraphQL. Return true when handled. */
  routes?: Array<(req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>>;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  identity: Identity;
  services: Services;
  server: Server;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
  /** Committed timeline events, in commit order; subscriptions build on this. */
  onEvents(listener: (events: TimelineRow[], ticket: TicketRow) => void): () => void;
}

function bearerOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^Bearer\s+(.+)$/i.exec(value.trim());
  return m ? m[1]!.trim() : value.trim();
}

export function authError(e: AuthenticationFailure): GraphQLError {
  return new GraphQLError(e.message, { extensions: { code: e.code, http: { status: 401 } } });
}

export function createApp(options: AppOptions): App {
  const { handle } = options;
  const db = handle.db;
  const identity = new Identity({ db, secretKey: options.secretKey, staffSessionTtlSeconds: options.staffSessionTtlSeconds ?? 12 * 3600 });
  const listeners = new Set<(events: TimelineRow[], ticket: TicketRow) => void>();
  const services = createServices(db, options.secretKey, (events, ticket) => {
    for (const l of listeners) {
      try {
        l(events, ticket);
      } catch (e) {
        console.error('event listener failed', e);
      }
    }
  });

  async function viewerFrom(authorization: string | null | undefined, channelKey: string | null | undefined): Promise<Viewer> {
    try {
      return await identity.resolve(bearerOf(authorization), channelKey?.trim() || null);
    } catch (e) {
      if (e instanceof AuthenticationFailure) throw authError(e);
      throw e;
    }
  }

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: options.production ? false : { title: 'Closeloop GraphQL', defaultQuery: GRAPHIQL_EXAMPLES },
    // Unexpected errors are masked ("Unexpected error."); expected ones are GraphQLErrors with extensions.code.
    maskedErrors: true,
    logging: options.production ? 'info' : 'warn',
    context: async (initial): Promise<Context> => {
      const wsViewer = (initial as { viewer?: Viewer }).viewer;
      const request = (initial as { request?: Request }).request;
      const viewer =
        wsViewer ??
        (await viewerFrom(request?.headers.get('authorization'), request?.headers.get('x-closeloop-channel')));
      return { db, viewer, identity, services, grants: new Set() };
    },
  });

  const routes = options.routes ?? [];
  const server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      }
      if (path === '/ready') {
        try {
          await handle.ping();
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready","database":"ok"}');
        } catch {
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"unavailable","database":"unreachable"}');
        }
        return;
      }
      for (const route of routes) if (await route(req, res)) return;
      if (path === '/') {
        res.writeHead(302, { location: options.production ? '/health' : '/graphql' }).end();
        return;
      }
      await yoga(req, res);
    } catch (e) {
      console.error(e);
      if (!res.headersSent) res.writeHead(500).end('internal error');
    }
  });

  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer<Record<string, unknown>, { viewer?: Viewer }>(
    {
      execute: (args) => (args.rootValue as { execute: (a: unknown) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: unknown) => unknown }).subscribe(args) as never,
      onConnect: async (ctx) => {
        const p = ctx.connectionParams ?? {};
        const authorization = typeof p.authorization === 'string' ? p.authorization : typeof p.Authorization === 'string' ? p.Authorization : null;
        const channelKey = typeof p.channelKey === 'string' ? p.channelKey : null;
        try {
          ctx.extra.viewer = await identity.resolve(bearerOf(authorization), channelKey);
          return true;
        } catch (e) {
          if (e instanceof AuthenticationFailure) {
            // 4401/4403 with a reason the client can show; graphql-ws treats both as fatal (no retry).
            ctx.extra.socket.close(e.code === 'UNKNOWN_CHANNEL' ? 4403 : 4401, `${e.code}: ${e.message}`.slice(0, 120));
            return false;
          }
          throw e;
        }
      },
      onSubscribe: async (ctx, _id, params) => {
        const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          viewer: ctx.extra.viewer,
          params,
        });
        const args = {
          schema: s,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
  );

  return {
    yoga,
    identity,
    services,
    server,
    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
    },
    async close() {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
