// A client that stops reading (a phone put away, a stuck tab) is dropped as a slow consumer, and when it
// reads again, even much later, it finds the reason: a last result with SLOW_CONSUMER, then (WebSocket)
// the close 1013. Deterministic: the client pauses, events are driven until the server drops it, then
// it resumes.
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sql } from 'drizzle-orm';
import { setup, bearer, SUBMIT, type TestEnv } from './helpers.ts';
import { ADD_NOTE, TICKET_EVENTS, sleep, waitFor } from './realtime-helpers.ts';

let env: TestEnv;
let port = 0;
let supervisor = '';
let ticketId = '';

beforeAll(async () => {
  // Small thresholds so that a few notes fill them; the socket gets 10 s to take its close frame.
  env = await setup({ realtime: { maxBufferedBytes: 64 * 1024, maxQueue: 64, closeTimeoutMs: 10_000 } });
  port = await env.app.listen(0, '127.0.0.1');
  supervisor = (await env.staffToken('SUPERVISOR', null)).token;
  const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Mobile banking is down for everyone.' } }, { 'x-closeloop-channel': env.channel.publishableKey });
  const code = s.data.submitFeedback.trackingCode as string;
  ticketId = (await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: code }, bearer(supervisor))).data.trackFeedback.ticket.id;
  // An incident with 200 linked feedback: each public note is one 15 KB event per feedback.
  await env.handle.db.execute(sql`
    insert into feedback (tracking_code, kind, channel, ticket_id, content, received_at)
    select 'FB-SLOW-' || g, f.kind, f.channel, f.ticket_id, f.content, f.received_at
    from feedback f, generate_series(1, 199) g where f.tracking_code = ${code}`);
}, 60_000);

afterAll(() => env?.close());

const bigNote = () => env.gql(ADD_NOTE, { input: { ticketId, body: '网'.repeat(5000), visibility: 'PUBLIC' } }, bearer(supervisor));

/** Adds large notes until the server has dropped every subscription (the slow-consumer trigger). */
async function driveUntilDropped() {
  for (let i = 0; env.app.realtime.size > 0; i++) {
    if (i === 40) throw new Error('the paused client was never dropped');
    expect((await bigNote()).data.addTicketNote.__typename).toBe('TicketPayload');
  }
}

describe('slow consumers are told why', () => {
  it('WebSocket: a client that resumes reading long after being dropped gets SLOW_CONSUMER, then 1013', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    const messages: any[] = [];
    const closed = new Promise<{ code: number; reason: string }>((r) => socket.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${supervisor}` } })));
    socket.on('message', (m) => {
      const msg = JSON.parse(m.toString());
      messages.push(msg);
      if (msg.type === 'connection_ack') socket.send(JSON.stringify({ id: 'q', type: 'subscribe', payload: { query: TICKET_EVENTS, variables: {} } }));
    });
    await waitFor(() => env.app.realtime.size === 1, 10_000, 'the subscription');
    // Live: a small note arrives.
    await env.gql(ADD_NOTE, { input: { ticketId, body: 'sentinel', visibility: 'INTERNAL' } }, bearer(supervisor));
    await waitFor(() => messages.some((m) => m.payload?.data?.ticketEvents?.body === 'sentinel'), 10_000, 'the sentinel');

    socket.pause();
    await driveUntilDropped();
    // Longer than the 5 s after which the server used to cut such a socket, shorter than its close timeout.
    await sleep(6000);
    socket.resume();
    const close = await closed;
    const last = messages.at(-1);
    expect(last).toMatchObject({ id: 'q', type: 'next' });
    expect(last.payload.errors[0].extensions.code).toBe('SLOW_CONSUMER');
    expect(close.code).toBe(1013);
    expect(close.reason).toMatch(/slow consumer/);
  }, 90_000);

  it('SSE: a client that resumes reading gets SLOW_CONSUMER as its last event', async () => {
    let text = '';
    let response: IncomingMessage | null = null;
    const ended = new Promise<void>((resolve, reject) => {
      const headers = { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${supervisor}` };
      const req = request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers }, (res) => {
        response = res;
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query: TICKET_EVENTS, variables: {} }));
    });
    await waitFor(() => env.app.realtime.size === 1 && response !== null, 10_000, 'the SSE subscription');
    response!.pause();
    await driveUntilDropped();
    response!.resume();
    await ended;
    const events = text.split('\n\n').filter((b) => b.startsWith('event: next'));
    expect(events.at(-1)).toContain('"code":"SLOW_CONSUMER"');
  }, 90_000);
});
