/** Where the customer token comes from: the host's own backend signs it, the page hands it over. */
export type GetToken = () => Promise<string | null | undefined> | string | null | undefined;

export interface TokenSourceOptions {
  getToken?: GetToken;
  /** Refresh this many seconds before `exp`; defaults to 30. */
  skewSeconds?: number;
  now?: () => number;
}

export interface TokenSource {
  /** The current token, asking `getToken` again when none is cached or it is about to expire. */
  get(): Promise<string | null>;
  /** Forget the cached token (the server said it expired). */
  invalidate(): void;
}

/** Reads `exp` (seconds) from a JWT without verifying it; the server verifies. */
export function expiryOf(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = JSON.parse(json).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

export function tokenSource(options: TokenSourceOptions = {}): TokenSource {
  const skew = (options.skewSeconds ?? 30) * 1000;
  const now = options.now ?? Date.now;
  let cached: string | null = null;
  let expiresAt = Infinity;
  let pending: Promise<string | null> | null = null;
  return {
    get() {
      if (!options.getToken) return Promise.resolve(null);
      if (cached && now() < expiresAt - skew) return Promise.resolve(cached);
      // Concurrent callers share one refresh instead of each calling the host's backend.
      pending ??= Promise.resolve(options.getToken())
        .then((t) => {
          cached = t || null;
          const exp = cached ? expiryOf(cached) : undefined;
          expiresAt = exp === undefined ? Infinity : exp * 1000;
          return cached;
        })
        .finally(() => {
          pending = null;
        });
      return pending;
    },
    invalidate() {
      cached = null;
    },
  };
}
