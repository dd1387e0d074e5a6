// A customer's WebSocket ends when the customer's token does: 4401 TOKEN_EXPIRED, which the SDK
// answers by asking for a fresh token and resuming (packages/sdk, stream.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, bearer, SUBMIT, type TestEnv } from './helpers.ts';
import { PROGRESS, closeOf, collect, sleep, waitFor, wsClient } from './realtime-helpers.ts';

let env: TestEnv;
let wsUrl: string;

beforeAll(async () => {
  env = await setup();
  wsUrl = `ws://127.0.0.1:${await env.app.listen(0, '127.0.0.1')}/graphql`;
});
afterAll(() => env?.close());

describe('customer token expiry on a live WebSocket', () => {
  it('closes the socket with 4401 TOKEN_EXPIRED when the token expires, not before', async () => {
    const token = await env.customerToken('cust-expiring', {}, '3s');
    const channelKey = env.channel.publishableKey;
    const r = await env.gql(SUBMIT, { input: { kind: 'INQUIRY', content: 'When will my new card arrive?' } }, { ...bearer(token), 'x-closeloop-channel': channelKey });
    const code = r.data.submitFeedback.trackingCode as string;
    const client = wsClient(wsUrl, { authorization: `Bearer ${token}`, channelKey });
    const sub = collect(client, PROGRESS, { code }, 'feedbackProgress');
    await waitFor(() => env.app.realtime.size > 0, 5000, 'subscription registered');
    await sleep(1000);
    expect(sub.received.errors).toEqual([]);
    await waitFor(() => sub.received.errors.length > 0, 8000, 'the socket to close');
    const closed = sub.received.errors[0] as { code: number; reason: string };
    expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4401, reason: 'TOKEN_EXPIRED: The token has expired' });
    await client.dispose();
  });

  it('refuses an already expired token at connect', async () => {
    const expired = await env.customerToken('cust-expired', {}, Math.floor(Date.now() / 1000) - 120);
    const refused = await closeOf(wsUrl, { authorization: `Bearer ${expired}`, channelKey: env.channel.publishableKey });
    expect(refused.code).toBe(4401);
    expect(refused.reason).toMatch(/^TOKEN_EXPIRED/);
  });
});
