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
  const active = new Set<{ onOpen: () => void; onDrop?: () => void }>();
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
        for (const s of active) s.onOpen();
      },
      // graphql-ws reconnects by itself after a normal (1000) close while subscriptions are active;
      // tell them, so the page can show that it is reconnecting.
      closed: () => {
        open = false;
        for (const s of active) s.onDrop?.();
      },
    },
  });
  return {
    name: 'ws',
    client,
    subscribe(request, sink, onOpen, onDrop) {
      const entry = { onOpen, onDrop };
      active.add(entry);
      const done = () => active.delete(entry);
      const stop = client.subscribe(request as never, {
        next: (v) => sink.next(v as never),
        error: (e) => (done(), sink.error(e)),
        complete: () => (done(), sink.complete()),
      });
      if (open) queueMicrotask(onOpen);
      return () => {
        done();
        stop();
      };
    },
  };
}
