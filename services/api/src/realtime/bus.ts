// The doorbell between API processes: "timeline events up to id N are committed". Subscribers never get
// their data from the bus; the hub (hub.ts) reads committed rows from the database when the bell rings.
// So the bus may lose, repeat or reorder rings without losing, repeating or reordering events.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { log } from '../log.ts';

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
  /** Redis only: whether it is reachable, and the counters of the current (or last) outage. */
  health?(): BusHealth;
  close(): Promise<void>;
}

export interface BusHealth {
  status: 'ok' | 'unreachable';
  /** Outages since the process started. */
  outages: number;
  /** Connection errors and rings not sent during the current outage (or the last one, once it is over). */
  errors: number;
  ringsNotSent: number;
}

/**
 * Redis outages are logged with back-off: one line when Redis goes (either connection fails), one when
 * both connections are back; the errors in between are only counted (health()), however long it lasts.
 */
class RedisWatch {
  readonly stats: BusHealth = { status: 'ok', outages: 0, errors: 0, ringsNotSent: 0 };
  private downSince = 0;
  private readonly ready = new Set<Redis>();

  constructor(private readonly where: string) {}

  watch(client: Redis): void {
    client.on('error', (e: Error) => this.failed(e));
    client.on('close', () => this.ready.delete(client));
    client.on('ready', () => {
      this.ready.add(client);
      if (this.stats.status === 'unreachable' && this.ready.size === 2) {
        const s = this.stats;
        log.info({ redis: this.where, downForS: Number(((Date.now() - this.downSince) / 1000).toFixed(1)), errors: s.errors, ringsNotSent: s.ringsNotSent }, 'redis is reachable again');
        s.status = 'ok';
      }
    });
  }

  private failed(e: Error): void {
    const s = this.stats;
    if (s.status === 'unreachable') {
      s.errors++;
      return;
    }
    s.status = 'unreachable';
    s.outages++;
    s.errors = 1;
    s.ringsNotSent = 0;
    this.downSince = Date.now();
    log.warn({ redis: this.where, err: e }, 'redis is unreachable; retrying with back-off. Live events between processes arrive by polling the database until it is back');
  }
}

function redisLocation(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'REDIS_URL';
  }
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
 * Several processes: rings travel through Redis pub/sub over two ioredis connections, one of them in
 * subscriber mode. The local process is rung directly; its own ring coming back from Redis is ignored.
 * Pub/sub is at-most-once, so after a reconnect listeners are told to resync, and the hub also polls
 * (see hub.ts).
 */
export function createRedisBus(url: string, options: { topic?: string } = {}): EventBus {
  const topic = options.topic ?? REDIS_TOPIC;
  const origin = randomUUID();
  // Reconnect back-off: 100 ms, 200 ms, … up to 2 s between attempts while Redis is away.
  const redisOptions = {
    lazyConnect: false, maxRetriesPerRequest: null, enableOfflineQueue: true, connectionName: 'closeloop-realtime',
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
  };
  const publishClient = new Redis(url, redisOptions);
  const subscribeClient = new Redis(url, redisOptions);
  // Also the 'error' listener ioredis needs: without one an error event would crash the process.
  const watch = new RedisWatch(redisLocation(url));
  watch.watch(publishClient);
  watch.watch(subscribeClient);
  // SUBSCRIBE waits in ioredis's offline queue until the first connection is up, and is rejected when
  // the bus closes before that (a short-lived `closeloop sweep --once`, a start and stop with Redis
  // down). Caught here: uncaught, that rejection ended the process (the Yoga Redis event target used
  // before left exactly this promise uncaught). ioredis subscribes again by itself after a reconnect.
  subscribeClient.subscribe(topic).catch(() => {});
  const listeners = new Set<(signal: BusSignal) => void>();
  const notify = (r: BusSignal) => {
    for (const l of listeners) l(r);
  };
  subscribeClient.on('message', (channel: string, message: string) => {
    if (channel !== topic) return;
    let detail: { seq?: unknown; origin?: unknown; recheck?: unknown } | null;
    try {
      detail = JSON.parse(message);
    } catch {
      return; // a ring is only a hint: one that cannot be read is dropped (the hub polls anyway)
    }
    if (!detail || detail.origin === origin) return;
    if (detail.recheck === true) notify('recheck');
    else if (typeof detail.seq === 'number' && Number.isFinite(detail.seq)) notify({ seq: detail.seq });
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
      // While Redis is away a ring is dropped, not queued: the other processes poll and resync when it is back.
      if (publishClient.status !== 'ready') {
        watch.stats.ringsNotSent++;
        return;
      }
      publishClient.publish(topic, JSON.stringify({ seq: ring.seq, origin })).catch(() => watch.stats.ringsNotSent++);
    },
    publishRecheck() {
      notify('recheck');
      // Not queued while Redis is away either: every process re-checks credentials periodically.
      if (publishClient.status !== 'ready') return;
      publishClient.publish(topic, JSON.stringify({ seq: 0, origin, recheck: true })).catch(() => {});
    },
    health: () => ({ ...watch.stats }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      // QUIT waits for a reply that an unreachable Redis never sends: then the connection is just dropped.
      // Whatever is still queued then (the first SUBSCRIBE) is rejected by the drop, and caught above.
      await Promise.allSettled(
        [publishClient, subscribeClient].map(async (c) => {
          if (c.status === 'ready') await Promise.race([c.quit().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())]);
          c.disconnect();
        }),
      );
    },
  };
}
