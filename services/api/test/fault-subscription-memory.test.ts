// A tracker left open for days must not grow with the events it has delivered: one subscription
// receives 2,000 large events and the server's heap after a full collection stays within a small
// constant of its value after the first 100.
import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sql } from 'drizzle-orm';
import { setup, bearer, SUBMIT, type TestEnv } from './helpers.ts';
import { ADD_NOTE, TICKET_EVENTS, waitFor } from './realtime-helpers.ts';

// A full collection on demand without a command-line flag.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let env: TestEnv;
let port = 0;
let supervisor = '';
let ticketId = '';
const LINKED = 100;

beforeAll(async () => {
  env = await setup();
  port = await env.app.listen(0, '127.0.0.1');
  supervisor = (await env.staffToken('SUPERVISOR', null)).token;
  const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Card payments fail at every terminal.' } }, { 'x-closeloop-channel': env.channel.publishableKey });
  const code = s.data.submitFeedback.trackingCode as string;
  ticketId = (await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: code }, bearer(supervisor))).data.trackFeedback.ticket.id;
  // Each public note on this incident is one event per linked feedback: 100 events per mutation.
  await env.handle.db.execute(sql`
    insert into feedback (tracking_code, kind, channel, ticket_id, content, received_at)
    select 'FB-MEM-' || g, f.kind, f.channel, f.ticket_id, f.content, f.received_at
    from feedback f, generate_series(1, ${LINKED - 1}) g where f.tracking_code = ${code}`);
}, 60_000);

afterAll(() => env?.close());

function heapAfterGc(): number {
  env.queries.length = 0; // the test helper's SQL log, not the server's
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** A graphql-ws subscriber that counts `next` messages and keeps nothing. */
function countingSubscriber(query: string, variables: Record<string, unknown>, auth: Record<string, unknown>) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
  const state = { received: 0, errors: 0 };
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: auth })));
  socket.on('message', (m) => {
    const msg = JSON.parse(m.toString()) as { type: string; payload?: { errors?: unknown[] } };
    if (msg.type === 'connection_ack') socket.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query, variables } }));
    if (msg.type === 'next') {
      if (msg.payload?.errors) state.errors++;
      state.received++;
    }
  });
  return { state, close: () => socket.close() };
}

/** The same over Server-Sent Events: counts `next` events, keeps nothing. */
function countingSse(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const state = { received: 0, errors: 0 };
  let tail = '';
  const req = request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const text = tail + chunk;
      const blocks = text.split('\n\n');
      tail = blocks.pop() ?? '';
      for (const b of blocks) {
        if (!b.startsWith('event: next')) continue;
        state.received++;
        if (b.includes('"errors"')) state.errors++;
      }
    });
  });
  req.on('error', () => {});
  req.end(JSON.stringify({ query, variables }));
  return { state, close: () => req.destroy() };
}

const note = (i: number) => env.gql(ADD_NOTE, { input: { ticketId, body: `${i} ${'网'.repeat(2000)}`, visibility: 'PUBLIC' } }, bearer(supervisor));

describe('memory per subscription', () => {
  it('stays flat while subscriptions over WebSocket and SSE receive 2,000 events of 6 KB each', async () => {
    const staff = countingSubscriber(TICKET_EVENTS, {}, { authorization: `Bearer ${supervisor}` });
    const tracker = countingSse(TICKET_EVENTS, {}, { authorization: `Bearer ${supervisor}` });
    await waitFor(() => env.app.realtime.size === 2, 10_000, 'the subscriptions');
    let notes = 0;
    const deliver = async (events: number) => {
      const target = staff.state.received + events;
      for (let i = 0; i < events / LINKED; i++) expect((await note(++notes)).data.addTicketNote.__typename).toBe('TicketPayload');
      await waitFor(() => staff.state.received >= target, 60_000, `${target} events`);
      await waitFor(() => tracker.state.received >= target, 60_000, `${target} events over SSE`);
    };
    await deliver(100);
    const early = heapAfterGc();
    await deliver(2000);
    const late = heapAfterGc();
    expect(staff.state.errors).toBe(0);
    expect(tracker.state.errors).toBe(0);
    console.log(`heap after 100 events ${(early / 1e6).toFixed(1)} MB, after 2,100 ${(late / 1e6).toFixed(1)} MB`);
    // Kept per event, 2,000 events of 6 KB would be 12 MB.
    expect(late - early).toBeLessThan(3e6);
    staff.close();
    tracker.close();
  }, 180_000);
});
