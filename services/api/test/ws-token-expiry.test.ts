// A customer's live stream ends when the customer's token does (with the 30 s clock tolerance the API
// allows at sign-in): over WebSocket the socket closes with 4401 TOKEN_EXPIRED, over SSE the stream
// ends with a TOKEN_EXPIRED error. The SDK answers both by asking for a fresh token and resuming.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, bearer, SUBMIT, type TestEnv } from './helpers.ts';
import { PROGRESS, closeOf, collect, sleep, sse, waitFor, wsClient } from './realtime-helpers.ts';

let env: TestEnv;
let base: string;

beforeAll(async () => {
  env = await setup({ realtime: { recheckMs: 200 } });
  base = `127.0.0.1:${await env.app.listen(0, '127.0.0.1')}/graphql`;
});
afterAll(() => env?.close());

/** A token whose `exp` passed 27 s ago: accepted (30 s tolerance) for about 3 more seconds. */
const almostExpired = (sub: string) => env.customerToken(sub, {}, Math.floor(Date.now() / 1000) - 27);

async function ownFeedback(token: string) {
  const r = await env.gql(SUBMIT, { input: { kind: 'INQUIRY', content: 'When will my new card arrive?' } }, { ...bearer(token), 'x-closeloop-channel': env.channel.publishableKey });
  return r.data.submitFeedback.trackingCode as string;
}

describe('customer token expiry on live streams', () => {
  it('closes the WebSocket with 4401 TOKEN_EXPIRED when the token expires, not before', async () => {
    const token = await almostExpired('cust-expiring-ws');
    const code = await ownFeedback(token);
    const client = wsClient(`ws://${base}`, { authorization: `Bearer ${token}`, channelKey: env.channel.publishableKey });
    const sub = collect(client, PROGRESS, { code }, 'feedbackProgress');
    await waitFor(() => env.app.realtime.size > 0, 5000, 'subscription registered');
    await sleep(800);
    expect(sub.received.errors).toEqual([]);
    await waitFor(() => sub.received.errors.length > 0, 8000, 'the socket to close');
    const closed = sub.received.errors[0] as { code: number; reason: string };
    expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4401, reason: 'TOKEN_EXPIRED: The token has expired' });
    await client.dispose();
  });

  it('ends an SSE stream with a TOKEN_EXPIRED error when the token expires', async () => {
    const token = await almostExpired('cust-expiring-sse');
    const code = await ownFeedback(token);
    const stream = sse(`http://${base}`, PROGRESS, { code }, { ...bearer(token), 'x-closeloop-channel': env.channel.publishableKey }, 'feedbackProgress');
    await waitFor(() => stream.status() === 200, 5000, 'the stream to open');
    await sleep(800);
    expect(stream.received.errors).toEqual([]);
    await waitFor(() => stream.received.errors.length > 0, 8000, 'the stream to end');
    expect(stream.received.errors[0].extensions.code).toBe('TOKEN_EXPIRED');
    stream.close();
  });

  it('refuses a token past the tolerance at connect', async () => {
    const expired = await env.customerToken('cust-expired', {}, Math.floor(Date.now() / 1000) - 120);
    const refused = await closeOf(`ws://${base}`, { authorization: `Bearer ${expired}`, channelKey: env.channel.publishableKey });
    expect(refused.code).toBe(4401);
    expect(refused.reason).toMatch(/^TOKEN_EXPIRED/);
  });
});
