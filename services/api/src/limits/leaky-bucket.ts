import type { Redis } from 'ioredis';

/** What a bucket holds after a request; `ok` false: the request did not fit and added nothing. */
export interface BucketState {
  ok: boolean;
  /** Cost in the bucket now. */
  level: number;
}

// Level and last-update time in one hash; Redis's own clock, so every API process agrees.
const SCRIPT = `
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HMGET', KEYS[1], 'l', 't')
local level = tonumber(v[1]) or 0
local last = tonumber(v[2]) or now
level = math.max(0, level - (now - last) * rate)
local ok = 0
if level + cost <= cap then
  level = level + cost
  ok = 1
end
redis.call('HSET', KEYS[1], 'l', tostring(level), 't', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(level / rate) + 1000)
return {ok, tostring(level)}
`;

/**
 * A leaky bucket (as GitHub's and Shopify's GraphQL APIs meter cost): each request pours its cost in,
 * the bucket drains at capacity per `windowSeconds`, and a request that would overflow it is refused
 * without adding anything. In Redis (one Lua script, atomic) when given, else in this process's memory;
 * if Redis fails, this process falls back to its own bucket.
 */
export class LeakyBucket {
  private readonly local = new Map<string, { level: number; at: number }>();
  /** Drain per millisecond. */
  readonly rate: number;

  constructor(readonly capacity: number, readonly windowSeconds: number, private readonly redis?: Redis, private readonly prefix = 'closeloop:rl:bucket') {
    this.rate = capacity / (windowSeconds * 1000);
  }

  async pour(key: string, cost: number): Promise<BucketState> {
    if (this.redis) {
      try {
        const [ok, level] = (await this.redis.eval(SCRIPT, 1, `${this.prefix}:${key}`, this.capacity, this.rate, cost)) as [number, string];
        return { ok: ok === 1, level: Number(level) };
      } catch {
        // Redis unreachable: count here until it is back.
      }
    }
    const now = Date.now();
    const b = this.local.get(key) ?? { level: 0, at: now };
    const level = Math.max(0, b.level - (now - b.at) * this.rate);
    const ok = level + cost <= this.capacity;
    const next = ok ? level + cost : level;
    if (next === 0) this.local.delete(key);
    else this.local.set(key, { level: next, at: now });
    return { ok, level: next };
  }

  /** Seconds until `cost` more would fit. */
  secondsUntilFits(level: number, cost: number): number {
    return Math.max(1, Math.ceil((level + cost - this.capacity) / this.rate / 1000));
  }

  /** Seconds until the bucket is empty again. */
  secondsUntilEmpty(level: number): number {
    return Math.ceil(level / this.rate / 1000);
  }
}
