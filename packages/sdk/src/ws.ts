import { createClient, type Client } from 'graphql-ws';
import type { Transport } from './stream.ts';

export interface WsOptions {
  url: string;
  /** `{ authorization, channelKey }`, read again on every (re)connect so a refreshed token is used. */
  connectionParams: () => Promise<Record<string, unknown>>;
  /** A WebSocket implementation for Node < 22 (e.g. the `ws` package); the global one otherwise. */
  webSocketImpl?: unknown;
}

/**
 * graphql-ws with its own retries switched off: `resumable` reconnects instead, because only it knows
 * the last cursor to resume from (graphql-ws would re-send the original variables).
 */
export function wsTransport(options: WsOptions): Transport & { client: Client } {
  let open = false;
  const waiting = new Set<() => void>();
  const client = createClient({
    url: options.url,
    lazy: true,
    lazyCloseTimeout: 3000,
    retryAttempts: 0,
    keepAlive: 20_000,
    connectionParams: options.connectionParams,
    webSocketImpl: options.webSocketImpl,
    on: {
      connected: () => {
        open = true;
        for (const f of waiting) f();
        waiting.clear();
      },
      closed: () => {
        open = false;
      },
    },
  });
  return {
    name: 'ws',
    client,
    subscribe(request, sink, onOpen) {
      const stop = client.subscribe(request as never, sink as never);
      if (open) queueMicrotask(onOpen);
      else waiting.add(onOpen);
      return () => {
        waiting.delete(onOpen);
        stop();
      };
    },
  };
}
