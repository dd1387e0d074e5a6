import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Viewer } from '../auth/identity.ts';
import { RateLimitedError } from '../schema/errors.ts';
import { LeakyBucket } from './leaky-bucket.ts';

/** `points` per `duration` seconds. */
export interface Rate {
  points: number;
  duration: number;
}

/** Every abuse limit (docs/security.md lists them with their environment variables). */
export interface AbuseLimitSettings {
  /** Failed staff sign-ins per account; then blocked, the block doubling each time. */
  loginAccount: Rate;
  /** Failed staff sign-ins per address; then blocked the same way. */
  loginAddress: Rate;
  /** First block after too many failed sign-ins, and the longest (seconds). */
  loginBlockSeconds: number;
  loginMaxBlockSeconds: number;
  /** Tracking-code / access-key checks (trackFeedback, feedbackProgress, rateFeedback, portal tickets) per address. */
  accessAddress: Rate;
  /** The same checks per tracking code (or portal ticket). */
  accessCode: Rate;
  /** Anonymous submitFeedback per address and per channel key; signed-in ones per customer. */
  submitAddress: Rate;
  submitChannel: Rate;
  submitCustomer: Rate;
  /** Partner API keys: a leaky bucket of `points` cost that drains completely in `duration` seconds. */
  partnerCost: Rate;
  /** New WebSocket connections per address (shared) and open ones per address (per process). */
  wsConnectAddress: Rate;
  wsOpenPerAddress: number;
  /** Subscriptions started per address (WebSocket and SSE). */
  subscribeAddress: Rate;
}

export const DEFAULT_ABUSE_LIMITS: AbuseLimitSettings = {
  loginAccount: { points: 5, duration: 900 },
  loginAddress: { points: 30, duration: 900 },
  loginBlockSeconds: 60,
  loginMaxBlockSeconds: 86_400,
  accessAddress: { points: 60, duration: 60 },
  accessCode: { points: 30, duration: 60 },
  submitAddress: { points: 20, duration: 3600 },
  submitChannel: { points: 1000, duration: 3600 },
  submitCustomer: { points: 30, duration: 3600 },
  partnerCost: { points: 100_000, duration: 60 },
  wsConnectAddress: { points: 60, duration: 60 },
  wsOpenPerAddress: 50,
  subscribeAddress: { points: 120, duration: 60 },
};

export interface AbuseLimitOptions extends Partial<AbuseLimitSettings> {
  /** Shared counters for every API process (REDIS_URL); in memory (this process only) without. */
  redis?: Redis;
  /** Key prefix in Redis (tests use a unique one). */
  prefix?: string;
}

/** What a partner's request left of its cost budget, for the RateLimit headers. */
export interface Budget {
  limit: number;
  remaining: number;
  /** Seconds until the bucket is empty again (the full budget is back). */
  reset: number;
  window: number;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Abuse limits, on rate-limiter-flexible: fixed windows counted in Redis when it is configured (so
 * every API process shares them), in memory otherwise. Callers consume before doing the work, so a
 * refused request has changed nothing, and each aliased attempt inside one document counts on its own.
 */
export class AbuseLimits {
  readonly settings: AbuseLimitSettings;
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly open = new Map<string, number>();
  private bucket: LeakyBucket | null = null;

  constructor(private readonly options: AbuseLimitOptions = {}) {
    const { redis: _r, prefix: _p, ...rest } = options;
    this.settings = { ...DEFAULT_ABUSE_LIMITS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
  }

  private limiter(name: string, rate: Rate): RateLimiterAbstract {
    let l = this.limiters.get(name);
    if (!l) {
      const opts = { points: rate.points, duration: rate.duration, keyPrefix: `${this.options.prefix ?? 'closeloop:rl'}:${name}` };
      // Redis down: each process goes on counting for itself rather than letting everything through.
      l = this.options.redis
        ? new RateLimiterRedis({ ...opts, storeClient: this.options.redis, insuranceLimiter: new RateLimiterMemory(opts) })
        : new RateLimiterMemory(opts);
      this.limiters.set(name, l);
    }
    return l;
  }

  /** Consumes from each limiter in turn; a refusal gives back what the earlier ones took. */
  private async consume(steps: Array<[name: string, rate: Rate, key: string, points?: number]>): Promise<RateLimiterRes[]> {
    const done: Array<[RateLimiterAbstract, string, number]> = [];
    const results: RateLimiterRes[] = [];
    for (const [name, rate, key, points = 1] of steps) {
      const l = this.limiter(name, rate);
      try {
        results.push(await l.consume(key, points));
        done.push([l, key, points]);
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        await Promise.all(done.map(([d, k, p]) => d.reward(k, p).catch(() => {})));
        throw new RateLimitedError(seconds(e.msBeforeNext), e);
      }
    }
    return results;
  }

  /**
   * Staff sign-in: an attempt is counted before the password is checked (parallel guesses cannot slip
   * through), forgiven when it succeeds; each time an account or address runs out it is blocked, for
   * loginBlockSeconds, then twice as long, up to loginMaxBlockSeconds.
   */
  async loginAttempt(address: string, email: string): Promise<{ succeeded(): Promise<void>; failed(): Promise<void> }> {
    const s = this.settings;
    const steps: Array<[string, Rate, string]> = [
      ['login-account', s.loginAccount, email],
      ['login-address', s.loginAddress, address],
    ];
    const results = await this.consume(steps);
    return {
      succeeded: async () => {
        await this.limiter('login-account', s.loginAccount).delete(email);
        await this.limiter('login-address', s.loginAddress).reward(address, 1);
      },
      failed: async () => {
        for (const [i, [name, rate, key]] of steps.entries()) {
          if (results[i]!.consumedPoints < rate.points) continue;
          // The last allowed attempt failed: block, longer each time within a day.
          const strikes = await this.limiter(`${name}-strikes`, { points: 1_000_000, duration: 86_400 }).consume(key);
          const block = Math.min(s.loginMaxBlockSeconds, s.loginBlockSeconds * 2 ** Math.min(30, strikes.consumedPoints - 1));
          await this.limiter(name, rate).block(key, block);
        }
      },
    };
  }

  /** A tracking-code or access-key check by a customer or anonymous caller, per address and per code. */
  async accessCheck(viewer: Viewer, address: string, code: string): Promise<void> {
    if (viewer.kind === 'STAFF' || viewer.kind === 'PARTNER') return;
    await this.consume([
      ['access-address', this.settings.accessAddress, address],
      ['access-code', this.settings.accessCode, code.toUpperCase().slice(0, 64)],
    ]);
  }

  /** submitFeedback: anonymous per address and channel key, signed-in per customer. */
  async submission(viewer: Viewer, address: string): Promise<void> {
    const s = this.settings;
    if (viewer.kind === 'CUSTOMER') await this.consume([['submit-customer', s.submitCustomer, viewer.customer.id]]);
    else if (viewer.kind === 'ANONYMOUS') {
      await this.consume([
        ['submit-address', s.submitAddress, address],
        ['submit-channel', s.submitChannel, viewer.channel?.id ?? 'none'],
      ]);
    }
  }

  /** A partner key pours the document's cost into its leaky bucket; refused (adding nothing) when it would overflow. */
  async partnerCost(keyId: string, cost: number): Promise<Budget> {
    const rate = this.settings.partnerCost;
    this.bucket ??= new LeakyBucket(rate.points, rate.duration, this.options.redis, `${this.options.prefix ?? 'closeloop:rl'}:partner-cost`);
    const b = this.bucket;
    const points = Math.max(1, Math.ceil(cost));
    const { ok, level } = await b.pour(keyId, points);
    const budget: Budget = { limit: rate.points, remaining: Math.max(0, Math.floor(rate.points - level)), reset: b.secondsUntilEmpty(level), window: rate.duration };
    if (!ok) throw new RateLimitedError(b.secondsUntilFits(level, points), undefined, budget);
    return budget;
  }

  async subscription(viewer: Viewer, address: string): Promise<void> {
    if (viewer.kind === 'STAFF' || viewer.kind === 'PARTNER') return;
    await this.consume([['subscribe-address', this.settings.subscribeAddress, address]]);
  }

  /**
   * A new WebSocket from `address`: refused past the open-connection cap of this process or the shared
   * connection rate. Returns the release to call when the socket closes.
   */
  async wsConnection(address: string): Promise<() => void> {
    const openNow = this.open.get(address) ?? 0;
    if (openNow >= this.settings.wsOpenPerAddress) throw new RateLimitedError(this.settings.wsConnectAddress.duration);
    await this.consume([['ws-connect', this.settings.wsConnectAddress, address]]);
    this.open.set(address, (this.open.get(address) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.open.get(address) ?? 1) - 1;
      if (n <= 0) this.open.delete(address);
      else this.open.set(address, n);
    };
  }
}
