// Live progress over real sockets: graphql-ws (WebSocket) and Server-Sent Events, one API process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { staff } from '@closeloop/db';
import { eq } from 'drizzle-orm';
import { setup, bearer, SUBMIT, TRANSITION, type TestEnv } from './helpers.ts';
import { ADD_NOTE, PROGRESS, TICKET_EVENTS, TICKET_OF, closeOf, collect, sse, waitFor, wsClient } from './realtime-helpers.ts';
import { RealtimeHub, StreamEnd, type HubEvent } from '../src/realtime/hub.ts';
import { createMemoryBus } from '../src/realtime/bus.ts';

let env: TestEnv;
let port: number;
let wsUrl: string;
let httpUrl: string;
let supervisor: string;

beforeAll(async () => {
  env = await setup({ realtime: { recheckMs: 200, pollMs: 500, maxSubscriptionsPerConnection: 3, idleTimeoutMs: 60_000 } });
  port = await env.app.listen(0, '127.0.0.1');
  wsUrl = `ws://127.0.0.1:${port}/graphql`;
  httpUrl = `http://127.0.0.1:${port}/graphql`;
  supervisor = (await env.staffToken('SUPERVISOR')).token;
});
afterAll(() => env?.close());

const channelHeader = () => ({ 'x-closeloop-channel': env.channel.publishableKey });

async function submitAnonymous() {
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'The ATM kept my card this morning.' } }, channelHeader());
  const p = r.data.submitFeedback;
  expect(p.__typename).toBe('SubmitFeedbackPayload');
  return { code: p.trackingCode as string, key: p.accessKey as string };
}

async function submitAsCustomer(sub: string) {
  const token = await env.customerToken(sub);
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'My transfer has been pending for days.' } }, { ...bearer(token), ...channelHeader() });
  return { code: r.data.submitFeedback.trackingCode as string, token };
}

async function ticketOf(code: string): Promise<{ id: string; departmentId: string }> {
  const r = await env.gql(TICKET_OF, { code }, bearer(supervisor));
  return { id: r.data.trackFeedback.ticket.id, departmentId: r.data.trackFeedback.ticket.department.id };
}

async function transition(ticketId: string, status: string, token = supervisor) {
  const r = await env.gql(TRANSITION, { input: { ticketId, status } }, bearer(token));
  return r.data?.transitionTicket ?? r;
}

async function note(ticketId: string, body: string, visibility: 'PUBLIC' | 'INTERNAL', token = supervisor) {
  const r = await env.gql(ADD_NOTE, { input: { ticketId, body, visibility } }, bearer(token));
  expect(r.data.addTicketNote.__typename).toBe('TicketPayload');
}

/**
 * Commits a PUBLIC note as a sentinel and waits for it. Delivery follows commit order, so once the
 * sentinel is in, everything committed before it has arrived: returns the events before the sentinel.
 * (No fixed sleep followed by "nothing else arrived".)
 */
async function untilSentinel(received: { events: any[] }, ticketId: string): Promise<any[]> {
  await note(ticketId, 'sentinel', 'PUBLIC');
  await waitFor(() => received.events.some((e) => e.body === 'sentinel'), 10_000, 'the sentinel');
  const events = received.events.slice(0, received.events.findIndex((e) => e.body === 'sentinel'));
  expect(events.length).toBeGreaterThan(0);
  return events;
}

/** Staff change the status three times with an internal note in between. */
async function threeChanges(ticketId: string) {
  expect((await transition(ticketId, 'ACKNOWLEDGED')).__typename).toBe('TicketPayload');
  await note(ticketId, 'Internal: card is in the ATM safe, branch to confirm.', 'INTERNAL');
  expect((await transition(ticketId, 'IN_PROGRESS')).__typename).toBe('TicketPayload');
  expect((await transition(ticketId, 'RESOLVED')).__typename).toBe('TicketPayload');
}

describe('feedbackProgress over WebSocket', () => {
  it('delivers exactly the three public status changes in order, never the internal note', async () => {
    const { code, key } = await submitAnonymous();
    const ticket = await ticketOf(code);
    const client = wsClient(wsUrl, { channelKey: env.channel.publishableKey });
    // after: "1" (the SUBMITTED event) so nothing is missed between subscribing and the first change.
    const sub = collect(client, PROGRESS, { code, key, after: '1' }, 'feedbackProgress');
    await threeChanges(ticket.id);
    const events = await untilSentinel(sub.received, ticket.id);
    expect(sub.received.errors).toEqual([]);
    expect(events.map((e) => e.toStatus)).toEqual(['ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED']);
    expect(events.every((e) => e.visibility === 'PUBLIC' && e.type === 'STATUS_CHANGED')).toBe(true);
    // Cursors are timeline positions: 2, then 4 (3 is the internal note), then 5.
    expect(events.map((e) => e.cursor)).toEqual(['2', '4', '5']);
    sub.dispose();
    await client.dispose();
    await waitFor(() => env.app.realtime.size === 0, 5000, 'subscription released');
  });

  it('lets the signed-in owner follow without an access key, live from the moment of subscribing', async () => {
    const { code, token } = await submitAsCustomer('cust-live-1');
    const ticket = await ticketOf(code);
    const client = wsClient(wsUrl, { authorization: `Bearer ${token}`, channelKey: env.channel.publishableKey });
    const sub = collect(client, PROGRESS, { code }, 'feedbackProgress');
    await waitFor(() => env.app.realtime.size > 0, 5000, 'subscription registered');
    await transition(ticket.id, 'ACKNOWLEDGED');
    await waitFor(() => sub.received.events.length === 1, 5000, 'one event');
    expect(sub.received.events[0].toStatus).toBe('ACKNOWLEDGED');
    sub.dispose();
    await client.dispose();
  });

  it("refuses another customer's tracking code, a guessed code and a wrong access key with one NOT_FOUND", async () => {
    const victim = await submitAsCustomer('cust-victim');
    const attacker = await env.customerToken('cust-attacker');
    const anonymous = await submitAnonymous();
    const client = wsClient(wsUrl, { authorization: `Bearer ${attacker}`, channelKey: env.channel.publishableKey });
    const cases = [
      { code: victim.code },
      { code: 'FB-ZZZZ-ZZZZ' },
      { code: anonymous.code, key: 'A'.repeat(26) },
      { code: anonymous.code },
    ];
    for (const variables of cases) {
      const sub = collect(client, PROGRESS, variables, 'feedbackProgress');
      await sub.done;
      expect(sub.received.events).toEqual([]);
      expect(sub.received.errors[0]?.extensions?.code ?? sub.received.errors[0]?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    await client.dispose();
  });

  it('resumes after a cursor: replays what was missed, then continues live, with no gap and no duplicate', async () => {
    const { code, key } = await submitAnonymous();
    const ticket = await ticketOf(code);
    await transition(ticket.id, 'ACKNOWLEDGED');
    await note(ticket.id, 'reply 1', 'PUBLIC');
    // Events keep committing while the resumed subscription replays.
    const writer = (async () => {
      for (let i = 2; i <= 15; i++) await note(ticket.id, `reply ${i}`, i % 3 === 0 ? 'INTERNAL' : 'PUBLIC');
    })();
    const client = wsClient(wsUrl, { channelKey: env.channel.publishableKey });
    const sub = collect(client, PROGRESS, { code, key, after: '2' }, 'feedbackProgress');
    await writer;
    const expected = (
      await env.handle.db.execute(sql`select position from timeline_events te join feedback f on f.id = te.feedback_id
        where f.tracking_code = ${code} and te.visibility = 'PUBLIC' and te.position > 2 order by position`)
    ) as unknown as { rows?: { position: number }[] } & { position: number }[];
    const positions = (expected.rows ?? expected).map((r) => String(r.position));
    expect(positions.length).toBeGreaterThan(8);
    expect((await untilSentinel(sub.received, ticket.id)).map((e) => e.cursor)).toEqual(positions);
    sub.dispose();
    await client.dispose();
  });

  it('emits nothing for a rolled-back change', async () => {
    const { code, key } = await submitAnonymous();
    const ticket = await ticketOf(code);
    const client = wsClient(wsUrl, { channelKey: env.channel.publishableKey });
    const sub = collect(client, PROGRESS, { code, key, after: '1' }, 'feedbackProgress');
    // The audit insert of this one transition fails after the timeline row was written: the whole
    // transaction rolls back, and the mutation reports an error.
    await env.handle.db.execute(sql.raw(`
      create or replace function fail_acknowledged() returns trigger language plpgsql as $$
      begin if new.action = 'ticket.transition' and new.data->>'to' = 'ACKNOWLEDGED' then raise exception 'forced rollback'; end if; return new; end $$`));
    await env.handle.db.execute(sql.raw('create trigger fail_acknowledged before insert on audit_log for each row execute function fail_acknowledged()'));
    try {
      const failed = await transition(ticket.id, 'ACKNOWLEDGED');
      expect(failed.__typename).not.toBe('TicketPayload');
    } finally {
      await env.handle.db.execute(sql.raw('drop trigger fail_acknowledged on audit_log'));
      await env.handle.db.execute(sql.raw('drop function fail_acknowledged()'));
    }
    expect((await transition(ticket.id, 'ACKNOWLEDGED')).__typename).toBe('TicketPayload');
    expect((await untilSentinel(sub.received, ticket.id)).map((e) => [e.cursor, e.toStatus])).toEqual([['2', 'ACKNOWLEDGED']]);
    sub.dispose();
    await client.dispose();
  });

  it('publishes a submission after commit: a staff stream sees SUBMITTED', async () => {
    const client = wsClient(wsUrl, { authorization: `Bearer ${supervisor}` });
    const floor = await env.app.realtime.maxId();
    const sub = collect(client, TICKET_EVENTS, { after: String(floor), filter: { types: ['SUBMITTED'] } }, 'ticketEvents');
    const { code } = await submitAnonymous();
    await waitFor(() => sub.received.events.length === 1, 5000, 'SUBMITTED');
    expect(sub.received.events[0]).toMatchObject({ type: 'SUBMITTED', cursor: '1' });
    expect(Number(sub.received.events[0].sequence)).toBeGreaterThan(floor);
    expect(code).toMatch(/^FB-/);
    sub.dispose();
    await client.dispose();
  });
});

describe('identity on the socket', () => {
  it('closes with 4401 and a reason for a forged or expired token, 4403 for an unknown channel', async () => {
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('10m')
      .sign(new TextEncoder().encode('not-the-channel-secret-at-all-32b'));
    const expired = await env.customerToken('cust-expired', {}, Math.floor(Date.now() / 1000) - 3600);
    const ch = env.channel.publishableKey;
    const a = await closeOf(wsUrl, { authorization: `Bearer ${forged}`, channelKey: ch });
    expect(a.code).toBe(4401);
    expect(a.reason).toMatch(/^UNAUTHENTICATED/);
    const b = await closeOf(wsUrl, { authorization: `Bearer ${expired}`, channelKey: ch });
    expect(b).toMatchObject({ code: 4401 });
    expect(b.reason).toMatch(/^TOKEN_EXPIRED/);
    const c = await closeOf(wsUrl, { authorization: 'Bearer clk_AAAAAAAA_forged', channelKey: ch });
    expect(c.code).toBe(4401);
    const d = await closeOf(wsUrl, { channelKey: 'pk_nope' });
    expect(d.code).toBe(4403);
  });
});

describe('feedbackProgress over Server-Sent Events', () => {
  it('delivers the same three public events in order, never the internal note', async () => {
    const { code, key } = await submitAnonymous();
    const ticket = await ticketOf(code);
    const stream = sse(httpUrl, PROGRESS, { code, key, after: '1' }, channelHeader(), 'feedbackProgress');
    await threeChanges(ticket.id);
    const events = await untilSentinel(stream.received, ticket.id);
    expect(stream.status()).toBe(200);
    expect(stream.received.errors).toEqual([]);
    expect(events.map((e) => e.toStatus)).toEqual(['ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED']);
    const before = env.app.realtime.size;
    stream.close();
    await stream.done;
    await waitFor(() => env.app.realtime.size === before - 1, 5000, `stream released (${env.app.realtime.size} open)`);
  });

  it('refuses an expired token over SSE with 401', async () => {
    const expired = await env.customerToken('cust-expired-2', {}, Math.floor(Date.now() / 1000) - 3600);
    const { code } = await submitAnonymous();
    const stream = sse(httpUrl, PROGRESS, { code }, { ...bearer(expired), ...channelHeader() }, 'feedbackProgress');
    await stream.done;
    expect(stream.status()).toBe(401);
    expect(stream.received.errors[0]?.extensions?.code).toBe('TOKEN_EXPIRED');
  });
});

describe('ticketEvents', () => {
  it('gives staff INTERNAL events, filters by kind and status, and refuses customers', async () => {
    const client = wsClient(wsUrl, { authorization: `Bearer ${supervisor}` });
    const { code } = await submitAnonymous();
    const ticket = await ticketOf(code);
    const floor = String(await env.app.realtime.maxId());
    const all = collect(client, TICKET_EVENTS, { after: floor }, 'ticketEvents');
    const onlyResolved = collect(client, TICKET_EVENTS, { after: floor, filter: { status: ['RESOLVED'], kind: ['COMPLAINT'] } }, 'ticketEvents');
    await threeChanges(ticket.id);
    await waitFor(() => all.received.events.length >= 4 && onlyResolved.received.events.length >= 1, 5000, 'staff events');
    expect(all.received.events.map((e) => e.type)).toEqual(['STATUS_CHANGED', 'INTERNAL_NOTE', 'STATUS_CHANGED', 'STATUS_CHANGED']);
    const seqs = all.received.events.map((e) => Number(e.sequence));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(onlyResolved.received.events.map((e) => e.toStatus)).toEqual(['RESOLVED']);
    all.dispose();
    onlyResolved.dispose();
    await client.dispose();

    const customer = await env.customerToken('cust-snoop');
    const c2 = wsClient(wsUrl, { authorization: `Bearer ${customer}`, channelKey: env.channel.publishableKey });
    const refused = collect(c2, TICKET_EVENTS, {}, 'ticketEvents');
    await refused.done;
    expect(JSON.stringify(refused.received.errors)).toContain('FORBIDDEN');
    await c2.dispose();
  });

  it('stops sending a department’s events to an agent moved out of it (re-checked per event)', async () => {
    const agent = await env.staffToken('AGENT', 'CUSTOMER_SERVICE');
    const { code } = await submitAnonymous();
    const ticket = await ticketOf(code);
    // Routing may assign the ticket, and an assignee reads it whatever the department: unassign it.
    await env.handle.db.execute(sql`update tickets set assignee_id = null where id = (select ticket_id from feedback where tracking_code = ${code})`);
    const client = wsClient(wsUrl, { authorization: `Bearer ${agent.token}` });
    const sub = collect(client, TICKET_EVENTS, { after: String(await env.app.realtime.maxId()) }, 'ticketEvents');
    await transition(ticket.id, 'ACKNOWLEDGED');
    await waitFor(() => sub.received.events.length === 1, 5000, 'first event');
    const [credit] = (await env.handle.db.execute(sql`select id from departments where code = 'CREDIT'`) as any).rows ??
      (await env.handle.db.execute(sql`select id from departments where code = 'CREDIT'`));
    await env.handle.db.update(staff).set({ departmentId: credit.id }).where(eq(staff.id, agent.id));
    // The re-read that the timer does every recheckMs, done now (no waiting on the clock).
    await env.app.realtime.recheck();
    await note(ticket.id, 'after the move', 'INTERNAL');
    await transition(ticket.id, 'IN_PROGRESS');
    // Sentinel: a ticket assigned to the agent (an assignee reads it whatever the department), changed
    // after those two. It arrives; they must not.
    const other = await submitAnonymous();
    await env.handle.db.execute(sql`update tickets set department_id = ${credit.id}, assignee_id = ${agent.id} where id = (select ticket_id from feedback where tracking_code = ${other.code})`);
    await note((await ticketOf(other.code)).id, 'sentinel', 'PUBLIC');
    await waitFor(() => sub.received.events.some((e) => e.body === 'sentinel'), 10_000, 'the sentinel from the ticket assigned to the agent');
    expect(sub.received.events.map((e) => e.body ?? e.toStatus)).toEqual(['ACKNOWLEDGED', 'sentinel']);
    // Revoking the session (deactivating the account) ends the stream with FORBIDDEN.
    await env.handle.db.update(staff).set({ active: false }).where(eq(staff.id, agent.id));
    await sub.done;
    expect(JSON.stringify(sub.received.errors)).toContain('FORBIDDEN');
    await client.dispose();
  });
});

describe('connection limits', () => {
  it('caps subscriptions per connection', async () => {
    const client = wsClient(wsUrl, { authorization: `Bearer ${supervisor}` });
    const subs = [1, 2, 3, 4].map(() => collect(client, TICKET_EVENTS, {}, 'ticketEvents'));
    await subs[3]!.done;
    expect(JSON.stringify(subs[3]!.received.errors)).toContain('TOO_MANY_SUBSCRIPTIONS');
    for (const s of subs) s.dispose();
    await client.dispose();
  });

  it('drops a slow consumer with a reason instead of buffering without bound', async () => {
    const hub = new RealtimeHub(env.handle.db, createMemoryBus(), { maxQueue: 3 });
    const reasons: string[] = [];
    const stream = hub.open({ feedbackId: 'f', viewer: { kind: 'ANONYMOUS', channel: null }, accept: () => true, onSlowConsumer: (r) => reasons.push(r) });
    const ev = (id: number) => ({ row: { id, feedbackId: 'f' } }) as unknown as HubEvent;
    // One read bringing more than the queue holds is not slowness: nothing has waited yet.
    for (let i = 1; i <= 5; i++) stream.offer(ev(i), 1);
    expect(reasons).toEqual([]);
    expect(await stream.next()).toMatchObject({ row: { id: 1 } });
    // Four events still wait when the next read comes: more than 3, so the stream is dropped.
    stream.offer(ev(6), 2);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/slow consumer/);
    const last = await stream.next();
    expect(last).toBeInstanceOf(StreamEnd);
    expect((last as StreamEnd).code).toBe('SLOW_CONSUMER');
    expect(hub.size).toBe(0);
    await hub.stop();
  });
});

describe('idle connections', () => {
  it('closes a WebSocket that holds no subscription for the idle timeout with 1000 "idle timeout"', async () => {
    const own = await setup({ realtime: { idleTimeoutMs: 300 } });
    const p = await own.app.listen(0, '127.0.0.1');
    const started = Date.now();
    const closed = await closeOf(`ws://127.0.0.1:${p}/graphql`, { channelKey: own.channel.publishableKey });
    expect(closed).toEqual({ code: 1000, reason: 'idle timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await own.close();
  });
});

describe('shutdown', () => {
  it('closes sockets with 1012 and ends SSE streams with SERVICE_RESTART', async () => {
    const own = await setup();
    const p = await own.app.listen(0, '127.0.0.1');
    const token = (await own.staffToken('SUPERVISOR')).token;
    const closed = new Promise<number>((resolve) => {
      const client = wsClient(`ws://127.0.0.1:${p}/graphql`, { authorization: `Bearer ${token}` }, {
        on: { closed: (e) => resolve((e as { code: number }).code) },
      });
      collect(client, TICKET_EVENTS, {}, 'ticketEvents');
    });
    const stream = sse(`http://127.0.0.1:${p}/graphql`, TICKET_EVENTS, {}, bearer(token), 'ticketEvents');
    await waitFor(() => own.app.realtime.size === 2, 5000, 'two subscriptions');
    await own.close();
    expect(await closed).toBe(1012);
    await stream.done;
    expect(JSON.stringify(stream.received.errors)).toContain('SERVICE_RESTART');
  });
});
