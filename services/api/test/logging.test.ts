// The log of a full customer loop, at the most verbose level, holds no credential and no contact data.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureLogger, createLogger, redact } from '../src/log.ts';
import { createStaff } from '../src/admin.ts';
import { setup, bearer, SUBMIT, TRANSITION, TRACK, type TestEnv } from './helpers.ts';
import { wsClient, collect, PROGRESS, TICKET_OF, waitFor } from './realtime-helpers.ts';

let lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

let env: TestEnv;
let base: string;
beforeAll(async () => {
  configureLogger({ level: 'trace', production: true, destination: sink });
  env = await setup();
  base = `127.0.0.1:${await env.app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await env.close();
  configureLogger({ level: 'silent' });
});

async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`http://${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-closeloop-channel': env.channel.publishableKey, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { body: (await res.json()) as any, requestId: res.headers.get('x-request-id') };
}

describe('logs', () => {
  it('of a full customer loop carry request ids and never a secret or contact detail', async () => {
    lines = [];
    const email = 'wei.chen@example-mail.test';
    const phone = '+886912345678';
    const password = 'correct-horse-battery-staple';
    const customerToken = await env.customerToken('cust-log-1', { name: 'Wei Chen', email, phone });
    await createStaff(env.handle.db, env.app.identity, { email: 'agent.log@bank.test', role: 'AGENT', department: 'CUSTOMER_SERVICE', password });
    const apiKey = await env.apiKey(['feedback:read', 'tickets:read']);

    // 1. an anonymous submission with contact details, 2. a signed-in customer's, 3. tracking with the access key
    const anon = await post(SUBMIT, { input: { kind: 'COMPLAINT', content: 'The card reader at the branch ate my card', contact: { email, phone, name: 'Wei Chen' } } });
    expect(anon.body.data.submitFeedback.__typename).toBe('SubmitFeedbackPayload');
    expect(anon.requestId).toMatch(/^[\w-]{8,}$/);
    const { trackingCode, accessKey } = anon.body.data.submitFeedback;
    await post(SUBMIT, { input: { kind: 'INQUIRY', content: 'What are the opening hours on Sunday?' } }, bearer(customerToken));
    await post(TRACK, { code: trackingCode, key: accessKey });

    // 4. staff log in with a password, 5. follow progress over a WebSocket, 6. move the ticket
    const login = await post(`mutation L($input: LoginInput!) { login(input: $input) { __typename ... on LoginPayload { token } } }`, { input: { email: 'agent.log@bank.test', password } });
    const staffToken: string = login.body.data.login.token;
    expect(staffToken).toBeTruthy();
    const client = wsClient(`ws://${base}/graphql`, { channelKey: env.channel.publishableKey });
    // after: '1' (SUBMITTED): nothing is missed between subscribing and the change.
    const live = collect(client, PROGRESS, { code: trackingCode, key: accessKey, after: '1' }, 'feedbackProgress');
    const ticket = (await post(TICKET_OF, { code: trackingCode }, bearer(staffToken))).body.data.trackFeedback.ticket.id;
    const moved = await post(TRANSITION, { input: { ticketId: ticket, status: 'ACKNOWLEDGED' } }, bearer(staffToken));
    expect(moved.body.data?.transitionTicket, JSON.stringify(moved.body)).toMatchObject({ __typename: 'TicketPayload' });
    await waitFor(() => live.received.events.some((e) => e.toStatus === 'ACKNOWLEDGED'), 20_000, `the live event (${JSON.stringify(live.received)})`);
    live.dispose();
    await client.dispose();
    // 7. a partner reads with its API key, 8. the customer rates
    await post(`{ viewer { __typename } }`, {}, { authorization: `Bearer ${apiKey}` });
    await post(`mutation R($input: RateFeedbackInput!) { rateFeedback(input: $input) { __typename } }`, { input: { trackingCode, accessKey, rating: 4 } });

    const log = lines.join('\n');
    // The log is real: one line per request and operation, each with a request id.
    const ops = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'graphql operation');
    expect(ops.length).toBeGreaterThanOrEqual(8);
    expect(ops.every((l) => typeof l.reqId === 'string')).toBe(true);
    expect(ops.some((l) => l.subscription !== undefined && l.kind === 'subscribe')).toBe(true);
    expect(log).toContain(anon.requestId);
    expect(log).toContain('[redacted]');
    for (const [what, value] of Object.entries({
      email, phone, password, accessKey, customerToken, staffToken, apiKey,
      signingSecret: env.channel.signingSecret, secretKey: env.secretKey.toString('hex'), name: 'Wei Chen',
    })) {
      expect(log.includes(value), `${what} appears in the log`).toBe(false);
    }
  }, 60_000);

  it('redact() hides sensitive keys at any depth and leaves the rest', () => {
    expect(redact({ input: { contact: { email: 'a@b.c' }, content: 'x', list: [{ accessKey: 'k' }] }, token: 't' }))
      .toEqual({ input: { contact: '[redacted]', content: 'x', list: [{ accessKey: '[redacted]' }] }, token: '[redacted]' });
  });

  it('redacts headers and error parameters through the logger itself', () => {
    const out: string[] = [];
    const l = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, d) => (out.push(String(c)), d()) }) });
    l.info({ req: { headers: { authorization: 'Bearer abc.def' } } }, 'x');
    l.error({ err: new Error('Failed query: insert into feedback ... params: wei@example.test,+886900') }, 'failed');
    expect(out.join('')).not.toMatch(/abc\.def|wei@example|886900/);
  });
});
