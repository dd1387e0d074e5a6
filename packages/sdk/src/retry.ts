/** Backoff and retry policy shared by submissions and progress streams. */
export interface RetryOptions {
  /** Attempts after the first one; defaults to 5. */
  retries?: number;
  /** First delay in ms; defaults to 400. Doubles each attempt. */
  initialDelayMs?: number;
  /** Ceiling for one delay in ms; defaults to 8000. */
  maxDelayMs?: number;
  /** 0..1 share of random spread, so a fleet of widgets does not reconnect in lockstep; defaults to 0.3. */
  jitter?: number;
}

export interface RetryPolicy {
  readonly retries: number;
  delay(attempt: number): number;
}

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const retries = options.retries ?? 5;
  const initial = options.initialDelayMs ?? 400;
  const max = options.maxDelayMs ?? 8000;
  const jitter = options.jitter ?? 0.3;
  return {
    retries,
    delay(attempt) {
      const base = Math.min(max, initial * 2 ** Math.max(0, attempt - 1));
      return Math.round(base * (1 - jitter + Math.random() * jitter));
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Status codes worth retrying: the request may not have been processed, or the server is briefly away. */
export function isTransient(status: number | undefined): boolean {
  return status === undefined || status === 0 || status === 408 || status === 429 || status >= 500;
}

/** A random idempotency key: `cl_` + 22 characters of [A-Za-z0-9_-] (132 random bits, the API's minimum is 128). */
export function idempotencyKey(): string {
  const bytes = new Uint8Array(22);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[b & 63];
  return 'cl_' + s;
}
