import type { Server } from 'node:http';
import { GraphQLError, execute as executeOperation, type ExecutionArgs } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Database } from '@closeloop/db';
import type { Context, DirectDelivery, LiveTransport } from '../context.ts';
import { AuthenticationFailure, type Identity, type Viewer } from '../auth/identity.ts';
import { signIn } from '../services/sign-in.ts';
import { eventContext } from '../realtime/shared-execution.ts';
import { log, requestId } from '../log.ts';
import type { AbuseLimits } from '../limits/abuse.ts';
import { clientAddress, type TransportSettings } from '../limits/transport.ts';
import { guardWebSockets, webSocketLimits } from '../limits/websocket.ts';
import { bearerOf } from './viewer.ts';

/** GraphQL over WebSocket (graphql-ws) on /graphql: settings of server.ts's `realtime` option. */
export interface WebSocketSettings {
  /** WebSocket ping interval; a peer that misses a pong for as long is dropped (ms). */
  keepAliveMs: number;
  /** A WebSocket without any subscription for this long is closed with 1000 "idle timeout" (ms). */
  idleTimeoutMs: number;
  /** Subscriptions one WebSocket may hold at once. */
  maxSubscriptionsPerConnection: number;
  /** Time a new WebSocket has to send connection_init (ms). */
  connectionInitTimeoutMs: number;
  /** How long a WebSocket dropped as a slow consumer may take to read its last result and close frame (ms). */
  closeTimeoutMs: number;
}

export const DEFAULT_WS_OPTIONS: WebSocketSettings = { keepAliveMs: 12_000, idleTimeoutMs: 300_000, maxSubscriptionsPerConnection: 25, connectionInitTimeoutMs: 10_000, closeTimeoutMs: 60_000 };

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

export interface WebSocketParts {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  db: Database;
  identity: Identity;
  limits: AbuseLimits | null;
  transport: TransportSettings;
  ws: WebSocketSettings;
}

/**
 * Serves GraphQL over WebSocket on the server's /graphql upgrades: the caller is signed in once per
 * connection (connection params), each subscription writes its frames itself (SocketDelivery).
 * Returns the WebSocketServer; shutdown (server.ts) closes its clients with RESTART_CLOSE.
 */
export function attachWebSockets(server: Server, p: WebSocketParts): WebSocketServer {
  const { yoga, db, identity, limits, transport, ws } = p;
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

  return wss;
}
