import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError, execute as executeOperation, type ExecutionArgs } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { DatabaseHandle } from '@closeloop/db';
import { schema } from '../schema/index.ts';
import type { Context, DirectDelivery, LiveTransport } from '../context.ts';
import { AuthenticationFailure, Identity, type Viewer } from '../auth/identity.ts';
import { createServices, type ServiceOptions, type Services } from '../services/index.ts';
import { attachmentRoute } from './attachments.ts';
import { signIn } from '../services/sign-in.ts';
import { usePasswordChangeGate } from '../auth/password-gate.ts';
import type { TimelineRow } from '../services/events.ts';
import { createMemoryBus, type EventBus } from '../realtime/bus.ts';
import { RealtimeHub, type RealtimeSettings } from '../realtime/hub.ts';
import { eventContext, useSharedSubscriptionResults } from '../realtime/shared-execution.ts';
import { graphiqlRoute } from './graphiql.ts';
import { prereadJsonBody } from './body.ts';
import { maskError } from '../unavailable.ts';
import { createDirectGraphQL } from './graphql.ts';
import { createCompiledDocuments } from '../compiled/registry.ts';
import { COMPILED_DOCUMENTS } from '../compiled/documents.ts';
import { useInputGuards } from '../input-guards.ts';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { log, requestId, type Logger } from '../log.ts';
import { useOperationLog, yogaLogger } from './operation-log.ts';
import { AbuseLimits, type AbuseLimitOptions } from '../limits/abuse.ts';
import { capConnections, clientAddress, DEFAULT_TRANSPORT, refuseSimplePost, serverOptions, type TransportSettings } from '../limits/transport.ts';
import { CorsPolicy } from '../limits/cors.ts';
import { loadTrustedDocuments, type TrustedDocuments } from '../limits/trusted-documents.ts';
import { recordCost, useAbuseLimits, useParseErrorStatus, useProductionPosture, useResponseHeaders, type RequestFacts } from '../limits/plugins.ts';
import { guardWebSockets, webSocketLimits } from '../limits/websocket.ts';
import type { ReceivedAtLimits } from '@closeloop/domain';
import { DEFAULT_EXECUTION_TIMEOUT_MS, useExecutionTimeout } from '../plugins/execution-timeout.ts';

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
  routes?: Array<(req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>>;
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

export interface RealtimeOptions extends Partial<RealtimeSettings> {
  /** WebSocket ping interval; a peer that misses a pong for as long is dropped (ms). */
  keepAliveMs?: number;
  /** A WebSocket without any subscription for this long is closed with 1000 "idle timeout" (ms). */
  idleTimeoutMs?: number;
  /** Subscriptions one WebSocket may hold at once. */
  maxSubscriptionsPerConnection?: number;
  /** Time a new WebSocket has to send connection_init (ms). */
  connectionInitTimeoutMs?: number;
  /** How long a WebSocket dropped as a slow consumer may take to read its last result and close frame (ms). */
  closeTimeoutMs?: number;
}

export const DEFAULT_WS_OPTIONS = { keepAliveMs: 12_000, idleTimeoutMs: 300_000, maxSubscriptionsPerConnection: 25, connectionInitTimeoutMs: 10_000, closeTimeoutMs: 60_000 };

interface LiveSocket {
  close(code: number, reason: string): void;
  terminate(): void;
  send(data: string): void;
  readonly bufferedAmount: number;
}

// Per-subscription state as class instances rather than closures: thousands of idle subscriptions each
// hold one, and under tsx every named closure also carries a property array (bench:fanout, README).
class SocketTransport implements LiveTransport {
  direct?: DirectDelivery;
  constructor(private readonly socket: LiveSocket, private readonly closeTimeoutMs: number) {}
  close(code: number, reason: string) {
    this.socket.close(code, reason.slice(0, 120));
    // A peer that stopped reading may never take the close frame; what waits for it is bounded
    // (maxBufferedBytes), so it gets long enough to resume reading and see why it was dropped.
    setTimeout(terminate, this.closeTimeoutMs, this.socket).unref();
  }
}
const terminate = (socket: LiveSocket) => socket.terminate();

class SocketDelivery implements DirectDelivery {
  constructor(
    readonly id: string,
    private readonly args: ExecutionArgs,
    private readonly socket: LiveSocket,
  ) {}
  get document() {
    return this.args.document;
  }
  get operationName() {
    return this.args.operationName;
  }
  get variables() {
    return this.args.variableValues;
  }
  /** graphql's own execute: the enveloped one would start a new subscription for this operation. */
  execute(rootValue: unknown) {
    return executeOperation({ ...this.args, contextValue: eventContext(this.args.contextValue), rootValue });
  }
  send(frame: string) {
    this.socket.send(frame);
  }
  bufferedAmount() {
    return this.socket.bufferedAmount;
  }
}

/** Close code and reason sent to WebSocket clients on shutdown: graphql-ws clients reconnect on 1012. */
export const RESTART_CLOSE = { code: 1012, reason: 'service restart: reconnect and resume with your last cursor' };

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

function bearerOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^Bearer\s+(.+)$/i.exec(value.trim());
  return m ? m[1]!.trim() : value.trim();
}

export function authError(e: AuthenticationFailure): GraphQLError {
  return new GraphQLError(e.message, { extensions: { code: e.code, http: { status: 401 } } });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function createApp(options: AppOptions): App {
  const { handle } = options;
  const db = handle.db;
  const identity = new Identity({
    db, secretKey: options.secretKey, staffSessionTtlSeconds: options.staffSessionTtlSeconds ?? 12 * 3600,
    customerTokenMaxTtlSeconds: options.customerTokenMaxTtlSeconds,
  });
  const ws = { ...DEFAULT_WS_OPTIONS, ...definedOnly(options.realtime ?? {}) };
  const bus = options.bus ?? createMemoryBus();
  const realtime = new RealtimeHub(db, bus, definedOnly(options.realtime ?? {}));
  const trace = options.traceCommits === true;
  const listeners = new Set<(events: TimelineRow[]) => void>();
  const services = createServices(db, options.secretKey, (events) => {
    if (events.length === 0) return;
    let seq = 0;
    for (const e of events) if (Number(e.id) > seq) seq = Number(e.id);
    // Benchmarks read this line to time commit → receipt.
    if (trace) process.stdout.write(`commit-trace ${seq} ${(performance.timeOrigin + performance.now()).toFixed(3)}\n`);
    bus.publish({ seq });
    for (const l of listeners) {
      try {
        l(events);
      } catch (e) {
        log.error({ err: e }, 'event listener failed');
      }
    }
  }, {
    identity,
    channelSecretOverlapSeconds: options.channelSecretOverlapSeconds,
    // Revoked staff sessions and API keys end their open subscriptions at once, on every process sharing the bus.
    onSessionsRevoked: () => bus.publishRecheck(),
    receivedAt: options.receivedAt,
    ...options.services,
  });

  async function viewerFrom(authorization: string | null | undefined, channelKey: string | null | undefined): Promise<Viewer> {
    try {
      // Verification reads only; sign-in then writes what the credential says (services/sign-in.ts).
      return await signIn(db, await identity.verify(bearerOf(authorization), channelKey?.trim() || null));
    } catch (e) {
      if (e instanceof AuthenticationFailure) throw authError(e);
      throw e;
    }
  }

  const transport = { ...DEFAULT_TRANSPORT, ...definedOnly(options.transport ?? {}) };
  const limits = options.limits === false ? null : new AbuseLimits(options.limits ?? {});
  const cors = new CorsPolicy(db, options.corsOrigins ?? []);
  const trusted = options.production && options.trustedDocuments !== false ? (options.trustedDocuments ?? loadTrustedDocuments()) : null;
  // Refusals are reported as validation errors (answered 400 / 200 like any invalid document), never thrown.
  const armor = { exposeLimits: true, propagateOnRejection: false, onReject: [(ctx: { reportError(e: GraphQLError): void } | null, e: GraphQLError) => ctx?.reportError(e)] };

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Served by graphiqlRoute (own assets, CSP) outside production.
    graphiql: false,
    maxRequestBodySize: transport.bodyLimitBytes,
    cors: cors.yoga,
    // Unexpected errors are masked ("Unexpected error."); expected ones are GraphQLErrors with extensions.code.
    maskedErrors: { maskError },
    logging: yogaLogger(options.production ? 'info' : 'warn'),
    // Cost limits: a public endpoint must refuse abusive documents before executing them.
    plugins: [
      maxDepthPlugin({ n: 12, ...armor }),
      maxAliasesPlugin({ n: 20, ...armor }),
      maxTokensPlugin({ n: 4000 }),
      costLimitPlugin({ maxCost: 20000, ...armor, onAccept: [recordCost] }),
      useExecutionTimeout({ ms: options.executionTimeoutMs ?? DEFAULT_EXECUTION_TIMEOUT_MS }),
      // NUL characters refused, variable errors coded (input-guards.ts).
      useInputGuards(),
      useParseErrorStatus(),
      useResponseHeaders(),
      ...(options.production ? [useProductionPosture({ trusted })] : []),
      ...(limits ? [useAbuseLimits(limits)] : []),
      // Each live event is executed once per document and caller, not once per subscriber.
      useSharedSubscriptionResults(),
      usePasswordChangeGate(),
      useOperationLog(),
    ],
    context: async (initial): Promise<Context> => {
      const { viewer: wsViewer, transport: live, clientAddress: wsAddress, req } = initial as {
        viewer?: Viewer; transport?: Context['transport']; clientAddress?: string; req?: IncomingMessage & RequestFacts;
      };
      const request = (initial as { request?: Request }).request;
      // The request's (or WebSocket subscription's) child logger, with its request id.
      const opLog = (initial as { log?: Logger }).log ?? (initial as { req?: { log?: Logger } }).req?.log ?? log;
      const viewer =
        wsViewer ??
        req?.closeloopViewer ??
        (await viewerFrom(request?.headers.get('authorization'), request?.headers.get('x-closeloop-channel')));
      const address = wsAddress ?? clientAddress(req, transport.trustedProxies);
      return { db, viewer, identity, services, grants: new Set(), realtime, transport: live, limits, clientAddress: address, log: opLog };
    },
  });

  const direct = createDirectGraphQL({
    yoga,
    endpoint: '/graphql',
    cors,
    // Resolved once by the handler below; any failure is left to Yoga, which resolves it again and answers with the error.
    viewerOf: async (authorization, channelKey, req) =>
      (req as RequestFacts | undefined)?.closeloopViewer ?? viewerFrom(authorization, channelKey).catch(() => undefined),
    // Known documents answered by one statement each (compiled/, docs/performance.md), with the same
    // trusted-document posture and abuse limits (access checks, partner cost) as the schema path.
    compiled: options.compiled === false ? undefined : (() => {
      const { answer } = createCompiledDocuments({ schema, db, services, documents: COMPILED_DOCUMENTS, trusted });
      return (params: Parameters<typeof answer>[0], viewer: Viewer, req: IncomingMessage & RequestFacts) =>
        answer(params, viewer, { limits, address: clientAddress(req, transport.trustedProxies), facts: req });
    })(),
  });
  const graphiql = options.production ? null : graphiqlRoute('/graphql');

  const routes = [attachmentRoute(services.attachments), ...(options.routes ?? [])];
  // Shutdown (close()): requests that arrive after it starts get 503; those in flight are counted and finish.
  let draining = false;
  let inFlight = 0;
  let whenIdle: (() => void) | null = null;
  const requestDone = () => {
    if (--inFlight === 0) whenIdle?.();
  };
  const server = createServer(serverOptions(transport), async (req: IncomingMessage & RequestFacts, res) => {
    if (draining) {
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' }).end('{"status":"shutting down"}');
      return;
    }
    inFlight++;
    res.once('close', requestDone);
    const reqId = requestId(req.headers['x-request-id']);
    const reqLog = log.child({ reqId });
    (req as { log?: Logger }).log = reqLog;
    res.setHeader('x-request-id', reqId);
    if (reqLog.isLevelEnabled('debug')) {
      const started = performance.now();
      // The path only: query strings may carry tokens.
      res.once('finish', () => reqLog.debug({ method: req.method, path: (req.url ?? '/').split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request'));
    }
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      }
      if (path === '/ready') {
        // Redis is reported but does not make the instance unready: live events then arrive by polling.
        const redis = bus.health?.();
        const database = await handle.ping().then(() => 'ok', () => 'unreachable');
        res
          .writeHead(database === 'ok' ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: database === 'ok' ? 'ready' : 'unavailable', database, ...(redis && { redis }) }));
        return;
      }
      for (const route of routes) if (await route(req, res)) return;
      if (path === '/') {
        res.writeHead(302, { location: options.production ? '/health' : '/graphql' }).end();
        return;
      }
      if (path === '/graphql') {
        if (graphiql && (await graphiql(req, res))) return;
        if (refuseSimplePost(req, res)) return;
        // Known before validation, so introspection and suggestions can depend on who asks.
        if (req.method !== 'OPTIONS') {
          req.closeloopViewer = await viewerFrom(req.headers.authorization, req.headers['x-closeloop-channel'] as string | undefined).catch(() => undefined);
        }
      }
      await prereadJsonBody(req, transport.bodyLimitBytes);
      if (options.directHttp !== false && (await direct(req, res))) return;
      await yoga(req, res);
    } catch (e) {
      // A client cut off mid-request (timeouts, a dropped connection) is not a server fault: nothing to log.
      if (req.destroyed || (e as { code?: string }).code === 'ECONNRESET') return;
      reqLog.error({ err: e }, 'request failed');
      if (!res.headersSent) res.writeHead(500).end('internal error');
    }
  });

  capConnections(server, transport);
  // Upgrades are routed by hand (noServer): attached to the server, ws would re-emit the server's own
  // errors (a port in use) to graphql-ws, which prints them as an implementation error; listen() reports them.
  const wss = new WebSocketServer({ noServer: true, ...webSocketLimits(limits, transport) });
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '/').split('?')[0] !== '/graphql') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
  });
  guardWebSockets(wss);
  // A connection without subscriptions is closed after idleTimeoutMs (1000: clients reconnect when they next subscribe).
  const idleTimers = new WeakMap<object, NodeJS.Timeout>();
  const armIdle = (socket: { close(code: number, reason: string): void }, active: () => number) => {
    clearTimeout(idleTimers.get(socket));
    if (!(ws.idleTimeoutMs > 0 && Number.isFinite(ws.idleTimeoutMs))) return;
    const timer = setTimeout(() => (active() > 0 ? armIdle(socket, active) : socket.close(1000, 'idle timeout')), ws.idleTimeoutMs);
    idleTimers.set(socket, timer.unref());
  };
  /**
   * A customer's token is checked when the socket connects; when it expires the socket is closed with
   * 4401 TOKEN_EXPIRED, and the SDK asks its getToken for a fresh one and resumes from its cursor.
   * (Streams end with TOKEN_EXPIRED on every transport too, realtime/hub.ts; staff sessions are re-checked there.)
   */
  const closeAtExpiry = (socket: { close(code: number, reason: string): void; once(event: 'close', l: () => void): unknown }, expiresAt: number) => {
    const ms = expiresAt - Date.now();
    if (ms > 2 ** 31 - 1) return; // beyond a timer's range (24 days): longer than any session here
    const timer = setTimeout(() => socket.close(4401, 'TOKEN_EXPIRED: The token has expired'), Math.max(0, ms)).unref();
    socket.once('close', () => clearTimeout(timer));
  };
  useServer<Record<string, unknown>, { viewer?: Viewer; address?: string }>(
    {
      connectionInitWaitTimeout: ws.connectionInitTimeoutMs,
      execute: (args) => (args.rootValue as { execute: (a: unknown) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: unknown) => unknown }).subscribe(args) as never,
      onConnect: async (ctx) => {
        const p = ctx.connectionParams ?? {};
        const authorization = typeof p.authorization === 'string' ? p.authorization : typeof p.Authorization === 'string' ? p.Authorization : null;
        const channelKey = typeof p.channelKey === 'string' ? p.channelKey : null;
        try {
          ctx.extra.address = clientAddress(ctx.extra.request, transport.trustedProxies);
          ctx.extra.viewer = await signIn(db, await identity.verify(bearerOf(authorization), channelKey));
          if (ctx.extra.viewer.kind === 'CUSTOMER' && ctx.extra.viewer.expiresAt) closeAtExpiry(ctx.extra.socket, ctx.extra.viewer.expiresAt);
          // The upgrade request is not needed after this; released, it saves memory per idle connection.
          (ctx.extra as { request?: unknown }).request = undefined;
          armIdle(ctx.extra.socket, () => Object.keys(ctx.subscriptions).length);
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
      onSubscribe: async (ctx, id, params) => {
        // ctx.subscriptions already holds this operation.
        if (Object.keys(ctx.subscriptions).length > ws.maxSubscriptionsPerConnection) {
          return [new GraphQLError(`At most ${ws.maxSubscriptionsPerConnection} subscriptions per connection`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })];
        }
        clearTimeout(idleTimers.get(ctx.extra.socket));
        const transport = new SocketTransport(ctx.extra.socket, ws.closeTimeoutMs);
        // Only what our context needs: the graphql-ws context itself is not copied into every operation's.
        const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          viewer: ctx.extra.viewer,
          transport,
          clientAddress: ctx.extra.address,
          log: log.child({ reqId: requestId(null), subscription: id }),
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
        // The fan-out fast path: subscriptions write their `next` frames themselves (realtime/subscriptions.ts).
        transport.direct = new SocketDelivery(id, args, ctx.extra.socket);
        return args;
      },
      onComplete: (ctx) => armIdle(ctx.extra.socket, () => Object.keys(ctx.subscriptions).length),
    },
    wss,
    ws.keepAliveMs,
  );

  return {
    yoga,
    identity,
    services,
    server,
    realtime,
    viewerOf: viewerFrom,
    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async listen(port, host = '0.0.0.0') {
      await realtime.ready();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
    },
    async close(closeOptions = {}) {
      const graceMs = closeOptions.graceMs ?? 5000;
      // Readiness and every new request answer 503 from now on; the listener closes (new connections are
      // refused), so a load balancer drains this instance.
      draining = true;
      // net's close, not http's: http's also drops idle keep-alive connections, and a client sending its
      // next request on one at that moment would see a reset; this way that request gets the 503.
      const closed = new Promise<void>((r) => NetServer.prototype.close.call(server, () => r()));
      // Tell every WebSocket client to reconnect (to another instance, or to this one once it is back) and
      // resume; SSE streams end with SERVICE_RESTART (realtime.stop).
      const sockets = [...wss.clients];
      const socketsClosed = Promise.all(sockets.map((c) => new Promise<void>((r) => (c.readyState === c.CLOSED ? r() : c.once('close', () => r())))));
      for (const client of sockets) client.close(RESTART_CLOSE.code, RESTART_CLOSE.reason);
      wss.on('connection', (socket) => socket.close(RESTART_CLOSE.code, RESTART_CLOSE.reason));
      await realtime.stop();
      // Requests in flight (and their transactions) finish and clients take their close frames, within
      // the grace period.
      const requestsDone = inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => (whenIdle = r));
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        Promise.all([requestsDone, socketsClosed]).then(() => true),
        new Promise<boolean>((r) => (timer = setTimeout(r, graceMs, false))),
      ]);
      clearTimeout(timer);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections?.();
      await closed;
      // Thumbnails still being made are dropped (the attachment simply has none) before the database closes.
      await services.attachments.close();
      return drained;
    },
  };
}
