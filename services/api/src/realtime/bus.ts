// The doorbell between API processes: "timeline events up to id N are committed". Subscribers never get
// their data from the bus; the hub (hub.ts) reads committed rows from the database when the bell rings.
// So the bus may lose, repeat or reorder rings without losing, repeating or reordering events.
import { randomUUID } from 'node:crypto';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';

/** A ring: the largest timeline event id a committed change produced. */
export interface Ring {
  seq: number;
}

/**
 * What a listener hears: a ring; `resync` (re-read from the database, rings may have been missed);
 * `recheck` (staff sessions or API keys were revoked: re-check the viewers of open subscriptions now).
 */
export type BusSignal = Ring | 'resync' | 'recheck';

export interface EventBus {
  readonly kind: 'memory' | 'redis';
  /** Rings every process, this one included (this one at once, without a round trip). */
  publish(ring: Ring): void;
  /** Tells every process, this one included, that credentials were revoked (at most once; the periodic re-check covers a loss). */
  publishRecheck(): void;
  subscribe(listener: (signal: BusSignal) => void): () => void;
  close(): Promise<void>;
}

/** One process: rings go straight to the listeners. */
export function createMemoryBus(): EventBus {
  const listeners = new Set<(signal: BusSignal) => void>();
  return {
    kind: 'memory',
    publish(ring) {
      for (const l of listeners) l(ring);
    },
    publishRecheck() {
      for (const l of listeners) l('recheck');
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}

export const REDIS_TOPIC = 'closeloop:timeline';

/**
 * Several processes: rings travel through Redis pub/sub (`@graphql-yoga/redis-event-target` over two
 * ioredis connections, one of them in subscriber mode). The local process is rung directly; its own
 * ring coming back from Redis is ignored. Pub/sub is at-most-once, so after a reconnect listeners are
 * told to resync, and the hub also polls (see hub.ts).
 */
export function createRedisBus(url: string, options: { topic?: string } = {}): EventBus {
  const topic = options.topic ?? REDIS_TOPIC;
  const origin = randomUUID();
  const redisOptions = { lazyConnect: false, maxRetriesPerRequest: null, enableOfflineQueue: true, connectionName: 'closeloop-realtime' };
  const publishClient = new Redis(url, redisOptions);
  const subscribeClient = new Redis(url, redisOptions);
  for (const c of [publishClient, subscribeClient]) {
    // ioredis reconnects by itself; without a listener an 'error' event would crash the process.
    c.on('error', (e: Error) => console.error(`closeloop: redis ${e.message}`));
  }
  type RingEvent = CustomEvent<{ seq: number; origin: string; recheck?: boolean }>;
  const target = createRedisEventTarget<RingEvent>({ publishClient, subscribeClient });
  const listeners = new Set<(signal: BusSignal) => void>();
  const notify = (r: BusSignal) => {
    for (const l of listeners) l(r);
  };
  target.addEventListener(topic, (event) => {
    const detail = event.detail;
    if (!detail || detail.origin === origin) return;
    if (detail.recheck === true) notify('recheck');
    else if (Number.isFinite(detail.seq)) notify({ seq: detail.seq });
  });
  let readyOnce = false;
  subscribeClient.on('ready', () => {
    // The first 'ready' is the initial connection; later ones follow an outage in which rings were lost.
    if (readyOnce) notify('resync');
    readyOnce = true;
  });
  return {
    kind: 'redis',
    publish(ring) {
      notify(ring);
      target.dispatchEvent(new CustomEvent(topic, { detail: { seq: ring.seq, origin } }) as RingEvent);
    },
    publishRecheck() {
      notify('recheck');
      target.dispatchEvent(new CustomEvent(topic, { detail: { seq: 0, origin, recheck: true } }) as RingEvent);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
