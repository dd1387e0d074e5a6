import { describe, expect, it } from 'vitest';
import { expiryOf, tokenSource } from './token.ts';

const jwt = (exp: number) => `e30.${btoa(JSON.stringify({ sub: 'c1', exp })).replace(/=+$/, '')}.sig`;

describe('tokenSource', () => {
  it('reads exp and refreshes shortly before it', async () => {
    let now = 1_000_000_000_000;
    let calls = 0;
    const src = tokenSource({ getToken: () => jwt(Math.floor(now / 1000) + 300 + 0 * ++calls), now: () => now });
    const first = await src.get();
    expect(expiryOf(first!)).toBe(1_000_000_300);
    expect(await src.get()).toBe(first);
    expect(calls).toBe(1);
    now += 280_000; // inside the 30 s skew
    await src.get();
    expect(calls).toBe(2);
  });

  it('shares one refresh between concurrent callers and refreshes after invalidate', async () => {
    let calls = 0;
    const src = tokenSource({ getToken: async () => (calls++, 'opaque-token') });
    await Promise.all([src.get(), src.get(), src.get()]);
    expect(calls).toBe(1);
    src.invalidate();
    await src.get();
    expect(calls).toBe(2);
  });

  it('is empty without getToken', async () => {
    expect(await tokenSource().get()).toBeNull();
  });
});
