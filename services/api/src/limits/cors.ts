import { eq } from 'drizzle-orm';
import { channelApps, type Database } from '@closeloop/db';

/** Headers a cross-origin page may read: a partner's budget and when to retry. */
export const EXPOSED_HEADERS = ['RateLimit', 'RateLimit-Policy', 'Retry-After'];

/**
 * Which web origins may call /graphql from a browser: every active channel's registered origins
 * (`create-channel --origin`, updateChannel; re-read every 30 s, and at most once a second when an
 * unknown origin asks), the configured list (CLOSELOOP_CORS_ORIGINS) and the
 * API's own origin. Any other origin gets no CORS headers at all: never a reflected origin.
 */
export class CorsPolicy {
  private origins: Set<string> | null = null;
  private loadedAt = 0;
  private loading: Promise<Set<string>> | null = null;

  constructor(
    private readonly db: Database,
    private readonly configured: string[] = [],
    /** Channel changes take effect within this time on every process (ms). */
    private readonly ttlMs = 30_000,
    /** An unknown origin re-reads the list at most this often (a newly registered origin works at once). */
    private readonly missReloadMs = 1_000,
  ) {}

  /** Forget the cached list (after a channel's origins changed in this process). */
  invalidate(): void {
    this.origins = null;
  }

  private async load(maxAgeMs = this.ttlMs): Promise<Set<string>> {
    if (this.origins && Date.now() - this.loadedAt < maxAgeMs) return this.origins;
    this.loading ??= (async () => {
      try {
        const rows = await this.db.select({ o: channelApps.allowedOrigins }).from(channelApps).where(eq(channelApps.active, true));
        const set = new Set([...this.configured, ...rows.flatMap((r) => r.o)].map(normalizeOrigin).filter((o): o is string => o !== null));
        this.origins = set;
        this.loadedAt = Date.now();
        return set;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  async allows(origin: string | null | undefined, host: string | null | undefined): Promise<boolean> {
    if (!origin) return false;
    const o = normalizeOrigin(origin);
    if (!o) return false;
    if (host && (o === `http://${host.toLowerCase()}` || o === `https://${host.toLowerCase()}`)) return true;
    return (await this.load()).has(o) || (await this.load(this.missReloadMs)).has(o);
  }

  /**
   * Yoga's `cors` option: the caller's origin when allowed (with credentials), else no CORS headers.
   * The fast path (http/graphql.ts) turns the same answer into headers with Yoga's own builder.
   */
  yoga = async (request: { headers: { get(name: string): string | null } }) => {
    const origin = request.headers.get('origin');
    if (!(await this.allows(origin, request.headers.get('host')))) return false as const;
    return { origin: [origin!], credentials: true, exposedHeaders: EXPOSED_HEADERS, maxAge: 600 };
  };
}

/** `scheme://host[:port]` in lower case, or null for anything that is not an http(s) origin. */
export function normalizeOrigin(raw: string): string | null {
  try {
    const u = new URL(raw.trim());
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.pathname.length > 1 || u.search || u.username) return null;
    return u.origin.toLowerCase();
  } catch {
    return null;
  }
}
