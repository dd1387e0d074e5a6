import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Database, DatabaseHandle } from '@closeloop/db';
import type { Context } from '../context.ts';
import { Identity, type Viewer } from '../auth/identity.ts';
import { createServices, type ServiceOptions, type Services } from '../services/index.ts';
import type { TimelineRow } from '../services/events.ts';
import { createMemoryBus, type EventBus } from '../realtime/bus.ts';
import { RealtimeHub, type RealtimeSettings } from '../realtime/hub.ts';
import { schema } from '../schema/index.ts';
import { createCompiledDocuments } from '../compiled/registry.ts';
import { COMPILED_DOCUMENTS, COMPILED_REPLAYS } from '../compiled/documents.ts';
import { createCompiledReplays } from '../compiled/replays.ts';
import { AbuseLimits, type AbuseLimitOptions } from '../limits/abuse.ts';
import { capConnections, clientAddress, DEFAULT_TRANSPORT, serverOptions, type TransportSettings } from '../limits/transport.ts';
import { CorsPolicy } from '../limits/cors.ts';
import { loadTrustedDocuments, type TrustedDocuments } from '../limits/trusted-documents.ts';
import type { RequestFacts } from '../limits/plugins.ts';
import type { ReceivedAtLimits } from '@closeloop/domain';
import { attachmentRoute } from './attachments.ts';
import { graphiqlRoute } from './graphiql.ts';
import { createDirectGraphQL } from './graphql.ts';
import { commitFanout } from './commits.ts';
import { healthRoute, readyRoute, rootRedirect } from './health.ts';
import { requestListener, type Route } from './routes.ts';
import { graphqlEndpoint } from './endpoint.ts';
import { buildYoga, contextFactory } from './yoga.ts';
import { createViewerOf } from './viewer.ts';
import { gracefulClose } from './shutdown.ts';
import { attachWebSockets, DEFAULT_WS_OPTIONS, RESTART_CLOSE, type WebSocketSettings } from './websocket.ts';

export { authError } from './viewer.ts';
export { DEFAULT_WS_OPTIONS, RESTART_CLOSE };

export interface AppOptions {
  handle: DatabaseHandle;
  secretKey: Buffer;
  production?: boolean;
  staffSessionTtlSeconds?: number;
  /** Longest accepted life (exp − iat) of a customer token, seconds; default 24 h. */
  customerTokenMaxTtlSeconds?: number;
  /** How long a rotated channel secret keeps verifying, seconds; default 24 h. */
  channelSecretOverlapSeconds?: number;
  /** Extra routes (portal, SDK, demo pages) tried before GraphQL. Return true when handled. */
  routes?: Route[];
  /** How committed changes reach every API process: Redis with REDIS_URL, else in memory (one process). */
  bus?: EventBus;
  realtime?: RealtimeOptions;
  /** Review and reopen windows, attachment limits (config.ts). */
  services?: ServiceOptions;
  /** Serve plain JSON POSTs without Yoga's fetch plumbing (http/graphql.ts); on unless false. */
  directHttp?: boolean;
  /** Benchmarks: print `commit-trace <seq> <time>` for each commit (CLOSELOOP_TRACE_COMMITS). */
  traceCommits?: boolean;
  /** false: no compiled documents, every request runs through the schema (the differential tests' reference). */
  compiled?: boolean;
  /** Abuse limits (docs/security.md): defaults, in memory, unless given (with `redis` to share them); false: none. */
  limits?: AbuseLimitOptions | false;
  /** Body size, timeouts and connection caps; unset ones keep their defaults. */
  transport?: Partial<TransportSettings>;
  /** Browser origins allowed besides each channel's registered ones. */
  corsOrigins?: string[];
  /** Production: the documents anonymous and customer callers may run (default: the SDK's); false: any. */
  trustedDocuments?: TrustedDocuments | false;
  /** Hard limit on one query's execution (ms, default 10 s; 0 = none): plugins/execution-timeout.ts. */
  executionTimeoutMs?: number;
  /** How far staff and partners may back- or post-date receivedAt (default 365 days, 60 s). */
  receivedAt?: ReceivedAtLimits;
}

/** Live events (realtime/hub.ts) and the WebSocket server (http/websocket.ts); unset ones keep their defaults. */
export interface RealtimeOptions extends Partial<RealtimeSettings>, Partial<WebSocketSettings> {}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  identity: Identity;
  services: Services;
  server: Server;
  listen(port: number, host?: string): Promise<number>;
  /**
   * Graceful stop: new requests get 503 and new connections are refused at once, WebSockets close with
   * 1012 and SSE streams end with SERVICE_RESTART, requests in flight finish within `graceMs` (default
   * 5 s; those still open then are cut). Resolves with whether every request in flight finished.
   */
  close(options?: { graceMs?: number }): Promise<boolean>;
  /** Live events of this process. */
  realtime: RealtimeHub;
  /** The caller a request's `Authorization` and `x-closeloop-channel` values stand for (verify, then sign in). */
  viewerOf(authorization: string | null | undefined, channelKey: string | null | undefined): Promise<Viewer>;
  /** Called with the events of each committed change, after commit, in this process. */
  onEvents(listener: (events: TimelineRow[]) => void): () => void;
}

/**
 * The node:http front: health and readiness, the web routes, GraphQL over HTTP (the fast path for plain
 * JSON POSTs, Yoga for the rest) and over WebSocket, and a graceful close. Each piece is its own module
 * in http/; this wires them.
 */
export function createApp(options: AppOptions): App {
  const { handle } = options;
  const db = handle.db;
  const production = options.production === true;
  const identity = new Identity({
    db, secretKey: options.secretKey, staffSessionTtlSeconds: options.staffSessionTtlSeconds ?? 12 * 3600,
    customerTokenMaxTtlSeconds: options.customerTokenMaxTtlSeconds,
  });
  const bus = options.bus ?? createMemoryBus();
  const realtime = new RealtimeHub(db, bus, definedOnly(options.realtime ?? {}));
  const commits = commitFanout(bus, options.traceCommits === true);
  const services = createServices(db, options.secretKey, commits.onCommit, {
    identity,
    channelSecretOverlapSeconds: options.channelSecretOverlapSeconds,
    // Revoked staff sessions and API keys end their open subscriptions at once, on every process sharing the bus.
    onSessionsRevoked: () => bus.publishRecheck(),
    receivedAt: options.receivedAt,
    ...options.services,
  });
  const viewerOf = createViewerOf(db, identity);
  const transport = { ...DEFAULT_TRANSPORT, ...definedOnly(options.transport ?? {}) };
  const limits = options.limits === false ? null : new AbuseLimits(options.limits ?? {});
  const cors = new CorsPolicy(db, options.corsOrigins ?? []).yoga;
  const trusted = production && options.trustedDocuments !== false ? (options.trustedDocuments ?? loadTrustedDocuments()) : null;

  const yoga = buildYoga(
    { production, bodyLimitBytes: transport.bodyLimitBytes, cors, limits, trusted, executionTimeoutMs: options.executionTimeoutMs },
    contextFactory({
      db, identity, services, realtime, limits, viewerOf, trustedProxies: transport.trustedProxies,
      replays: options.compiled === false ? undefined : createCompiledReplays({ schema, services, documents: COMPILED_REPLAYS }),
    }),
  );
  const direct = createDirectGraphQL({
    yoga,
    endpoint: '/graphql',
    cors,
    // Resolved once by graphqlEndpoint; any failure is left to Yoga, which resolves it again and answers with the error.
    viewerOf: async (authorization, channelKey, req) =>
      (req as RequestFacts | undefined)?.closeloopViewer ?? viewerOf(authorization, channelKey).catch(() => undefined),
    compiled: options.compiled === false ? undefined : compiledAnswers(db, services, trusted, limits, transport.trustedProxies),
  });

  const requests = requestListener(
    [healthRoute(), readyRoute(handle, bus), attachmentRoute(services.attachments), ...(options.routes ?? []), rootRedirect(production)],
    graphqlEndpoint({
      yoga,
      direct: options.directHttp === false ? null : direct,
      graphiql: production ? null : graphiqlRoute('/graphql'),
      viewerOf,
      bodyLimitBytes: transport.bodyLimitBytes,
    }),
  );
  const server = createServer(serverOptions(transport), requests.listener);
  capConnections(server, transport);
  const wss = attachWebSockets(server, { yoga, db, identity, limits, transport, ws: { ...DEFAULT_WS_OPTIONS, ...definedOnly(options.realtime ?? {}) } });

  return {
    yoga,
    identity,
    services,
    server,
    realtime,
    viewerOf,
    onEvents: commits.subscribe,
    async listen(port, host = '0.0.0.0') {
      await realtime.ready();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
    },
    close: async (closeOptions = {}) => {
      const drained = await gracefulClose({ server, wss, realtime, requests }, closeOptions.graceMs ?? 5000);
      // Thumbnails still being made are dropped (the attachment simply has none) before the database closes.
      await services.attachments.close();
      return drained;
    },
  };
}

/**
 * Known documents answered by one statement each (compiled/, docs/performance.md), with the same
 * trusted-document posture and abuse limits (access checks, partner cost) as the schema path.
 */
function compiledAnswers(db: Database, services: Services, trusted: TrustedDocuments | null, limits: AbuseLimits | null, trustedProxies: number) {
  const { answer } = createCompiledDocuments({ schema, db, services, documents: COMPILED_DOCUMENTS, trusted });
  return (params: Parameters<typeof answer>[0], viewer: Viewer, req: IncomingMessage & RequestFacts) =>
    answer(params, viewer, { limits, address: clientAddress(req, trustedProxies), facts: req });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
