import { describe, expect, it } from 'vitest';
import { idempotencyKey, isTransient, retryPolicy } from './retry.ts';

describe('retry policy', () => {
  it('backs off exponentially up to the ceiling', () => {
    const p = retryPolicy({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map((a) => p.delay(a))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(p.retries).toBe(5);
  });

  it('spreads delays with jitter, never above the base', () => {
    const p = retryPolicy({ initialDelayMs: 1000, jitter: 0.5 });
    for (let i = 0; i < 50; i++) {
      const d = p.delay(1);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it('retries only what may not have been processed', () => {
    expect([undefined, 0, 408, 429, 500, 502, 503].every(isTransient)).toBe(true);
    expect([400, 401, 403, 404, 413].some(isTransient)).toBe(false);
  });

  it('makes keys the API accepts, different every time', () => {
    const a = idempotencyKey();
    // The API's rule for anonymous keys (packages/domain, isStrongIdempotencyKey): 22+ base64url characters.
    expect(a).toMatch(/^cl_[A-Za-z0-9_-]{22}$/);
    expect(idempotencyKey()).not.toBe(a);
  });
});
