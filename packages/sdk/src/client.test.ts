import { describe, expect, it } from 'vitest';
import { createCloseloop } from './client.ts';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('createCloseloop', () => {
  it('retries a submission lost on the network with the same idempotency key', async () => {
    const keys: string[] = [];
    let calls = 0;
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      keys.push(body.variables.input.idempotencyKey);
      calls++;
      // The first request reaches the server but the answer is lost: the SDK must not send a new key.
      if (calls === 1) throw new TypeError('fetch failed');
      if (calls === 2) return json({ errors: [{ message: 'bad gateway' }] }, 502);
      return json({ data: { submitFeedback: { __typename: 'SubmitFeedbackPayload', trackingCode: 'FB-AAAA-BBBB', accessKey: 'k', replayed: true, feedback: { id: '1', status: 'SUBMITTED' } } } });
    }) as typeof fetch;
    const cl = createCloseloop({ url: 'http://api.test/graphql', channelKey: 'pk_x', fetch: fakeFetch, transport: 'sse', submitRetry: { initialDelayMs: 1, jitter: 0 } });
    const retries: number[] = [];
    const r = await cl.submitFeedback({ kind: 'COMPLAINT', content: 'lost answer' }, { onRetry: (a) => retries.push(a) });
    expect(r).toMatchObject({ __typename: 'SubmitFeedbackPayload', replayed: true });
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(retries).toEqual([1, 2]);
  });

  it('does not retry a refusal, and refreshes an expired token once', async () => {
    let tokens = 0;
    const seen: string[] = [];
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      const auth = new Headers(init.headers).get('authorization')!;
      seen.push(auth);
      if (auth === 'Bearer t1') return json({ errors: [{ message: 'The token has expired', extensions: { code: 'TOKEN_EXPIRED' } }] }, 401);
      return json({ errors: [{ message: 'nope', extensions: { code: 'BAD_USER_INPUT' } }] }, 400);
    }) as typeof fetch;
    const cl = createCloseloop({ url: 'http://api.test/graphql', fetch: fakeFetch, getToken: () => `t${++tokens}`, transport: 'sse' });
    await expect(cl.submitFeedback({ kind: 'PRAISE', content: 'great service' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(seen).toEqual(['Bearer t1', 'Bearer t2']);
  });
});
