import type { IncomingMessage } from 'node:http';
import type { ServerOptions, WebSocketServer } from 'ws';
import { RateLimitedError } from '../schema/errors.ts';
import type { AbuseLimits } from './abuse.ts';
import { clientAddress, type TransportSettings } from './transport.ts';

type Released = IncomingMessage & { closeloopRelease?: () => void };

/**
 * WebSocketServer options: messages bounded like request bodies (ws allows 100 MiB), and new
 * connections per address (shared) and open ones per address (this process) refused with 429.
 */
export function webSocketLimits(limits: AbuseLimits | null, transport: TransportSettings): Pick<ServerOptions, 'maxPayload' | 'verifyClient'> {
  return {
    maxPayload: transport.bodyLimitBytes,
    verifyClient: limits
      ? (info, done) => {
          limits.wsConnection(clientAddress(info.req, transport.trustedProxies)).then(
            (release) => {
              (info.req as Released).closeloopRelease = release;
              done(true);
            },
            (e) => (e instanceof RateLimitedError ? done(false, 429, 'Too Many Requests', { 'Retry-After': String(e.retryAfter) }) : done(false, 500)),
          );
        }
      : undefined,
  };
}

/** Gives an open connection's place back when it closes; keeps clients' protocol faults out of the log. */
export function guardWebSockets(wss: WebSocketServer): void {
  wss.on('connection', (socket, req) => {
    const release = (req as Released).closeloopRelease;
    if (release) socket.once('close', release);
    // A client's protocol fault (WS_ERR_*: a message over maxPayload, bad framing) is closed by ws itself
    // (1009, 1002 …); graphql-ws would log it with a stack trace as an internal error on each occurrence.
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string | symbol, ...args: unknown[]) =>
      event === 'error' && /^WS_ERR_/.test(String((args[0] as { code?: unknown } | undefined)?.code)) ? false : emit(event, ...args)) as typeof socket.emit;
  });
}
