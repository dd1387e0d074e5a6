// SLA warnings, breaches and escalation by the sweeper, and manual escalation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { createDatabase, feedback, tickets, timelineEvents } from '@closeloop/db';
import { SlaSweeper } from '../src/services/escalation.ts';
import type { TimelineRow } from '../src/services/events.ts';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';
import { FIXED_DATES } from './helpers.ts';

let env: TestEnv;
let supervisor: string;
let seniors: string[];
const iso = (s: string) => new Date(s).toISOString();

beforeAll(async () => {
  env = await setup(FIXED_DATES);
  supervisor = (await env.staffToken('SUPERVISOR')).token;
  await env.staffToken('AGENT');
  seniors = [(await env.staffToken('SENIOR')).id, (await env.staffToken('SENIOR')).id];
});
afterAll(() => env.close());

async function submit(receivedAt: string, content = 'the queue at the branch was far too long') {
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', channel: 'BRANCH', content, receivedAt: iso(receivedAt) } }, bearer(supervisor));
  const code = r.data.submitFeedback.trackingCode as string;
  const [f] = await env.handle.db.select().from(feedback).where(eq(feedback.trackingCode, code));
  return f!.ticketId;
}

const eventsOf = (ticketId: string) =>
  env.handle.db.select().from(timelineEvents).where(eq(timelineEvents.ticketId, ticketId)).orderBy(timelineEvents.id);

describe('sweeper', () => {
  it('warns at 80 %, breaches after the due time and escalates one level with reassignment', async () => {
    // Monday 09:00: first response due 18:00, warn at 16:24 (384 = 180 + 204 business minutes)
    const id = await submit('2026-03-09T09:00+08:00');
    const [t0] = await env.handle.db.select().from(tickets).where(eq(tickets.id, id));
    expect(t0).toMatchObject({ level: 'L1', slaNextCheckAt: new Date('2026-03-09T16:24+08:00') });
    const published: TimelineRow[] = [];
    const sweeper = new SlaSweeper(env.handle.db, (events) => published.push(...events));

    expect(await sweeper.sweepOnce(new Date('2026-03-09T16:23+08:00'))).toMatchObject({ tickets: 0 });
    expect(await sweeper.sweepOnce(new Date('2026-03-09T16:30+08:00'))).toMatchObject({ tickets: 1, warnings: 1, breaches: 0 });
    expect(await sweeper.sweepOnce(new Date('2026-03-09T17:00+08:00'))).toMatchObject({ tickets: 0 }); // warned once only
    expect(await sweeper.sweepOnce(new Date('2026-03-09T18:00+08:00'))).toMatchObject({ tickets: 0 }); // due exactly: still MET if answered now
    expect(await sweeper.sweepOnce(new Date('2026-03-09T18:00:01+08:00'))).toMatchObject({ tickets: 1, breaches: 1, escalations: 1 });

    const [t1] = await env.handle.db.select().from(tickets).where(eq(tickets.id, id));
    expect(t1!.level).toBe('L2');
    expect(seniors).toContain(t1!.assigneeId);
    expect(t1!.firstResponseBreachedAt).not.toBeNull();
    const types = (await eventsOf(id)).map((e) => `${e.type}:${e.visibility}`);
    expect(types).toEqual(['SUBMITTED:PUBLIC', 'SLA_WARNING:INTERNAL', 'SLA_BREACHED:INTERNAL', 'ESCALATED:INTERNAL']);
    expect(published.map((e) => e.type)).toEqual(['SLA_WARNING', 'SLA_BREACHED', 'ESCALATED']);
    // next: the resolution warning (1152 business minutes: Mar 11 13:11)
    expect(t1!.slaNextCheckAt).toEqual(new Date('2026-03-11T13:12+08:00'));

    // customers never see SLA internals
    const code = (await env.handle.db.select().from(feedback).where(eq(feedback.ticketId, id)))[0]!.trackingCode;
    const track = await env.gql('query($c: String!) { trackFeedback(trackingCode: $c) { timeline { type } } }', { c: code }, bearer(await env.customerToken('nobody')));
    expect(track.data?.trackFeedback ?? null).toBeNull();
  });

  it('a ticket breached while no sweeper ran gets the breach only, escalated once for both clocks', async () => {
    const id = await submit('2026-03-02T09:00+08:00');
    const sweeper = new SlaSweeper(env.handle.db, () => {});
    const r = await sweeper.sweepOnce(new Date('2026-04-01T00:00Z'));
    expect(r).toMatchObject({ warnings: 0 });
    const evs = (await eventsOf(id)).map((e) => e.type);
    expect(evs.filter((t) => t === 'SLA_BREACHED')).toHaveLength(2);
    expect(evs.filter((t) => t === 'ESCALATED')).toHaveLength(1);
    const [t] = await env.handle.db.select().from(tickets).where(eq(tickets.id, id));
    expect(t!.slaNextCheckAt).toBeNull();
  });

  it('two sweepers on separate connections at the same moment escalate each breached ticket exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await submit('2026-03-02T09:00+08:00'));
    // A second, independent handle: on PostgreSQL its own connection pool; PGlite has one connection per process.
    const other = env.handle.url ? await createDatabase({ url: env.handle.url, max: 4 }) : null;
    try {
      const a = new SlaSweeper(env.handle.db, () => {});
      const b = new SlaSweeper(other?.db ?? env.handle.db, () => {});
      const now = new Date('2026-04-01T00:00Z');
      const results = await Promise.all([a.sweepOnce(now), b.sweepOnce(now), a.sweepOnce(now), b.sweepOnce(now)]);
      expect(results.reduce((n, r) => n + r.escalations, 0)).toBe(ids.length);
      expect(results.reduce((n, r) => n + r.tickets, 0)).toBe(ids.length);
    } finally {
      await other?.close();
    }
    const escalated = await env.handle.db.select().from(timelineEvents).where(and(inArray(timelineEvents.ticketId, ids), eq(timelineEvents.type, 'ESCALATED')));
    expect(escalated).toHaveLength(ids.length);
    expect(new Set(escalated.map((e) => e.ticketId)).size).toBe(ids.length);
    const breached = await env.handle.db.select().from(timelineEvents).where(and(inArray(timelineEvents.ticketId, ids), eq(timelineEvents.type, 'SLA_BREACHED')));
    expect(breached).toHaveLength(2 * ids.length);
    const rows = await env.handle.db.select().from(tickets).where(inArray(tickets.id, ids));
    expect(rows.every((t) => t.level === 'L2')).toBe(true);
  });

  it("the app's sweeper publishes through the same path as every ticket change (ticketEvents)", async () => {
    const id = await submit('2026-03-03T09:00+08:00');
    const seen: TimelineRow[] = [];
    const off = env.app.onEvents((events: TimelineRow[]) => { seen.push(...events); });
    try {
      await env.app.services.sweeper.sweepOnce(new Date('2026-04-01T00:00Z'));
    } finally {
      off();
    }
    expect(seen.filter((e) => e.ticketId === id).map((e) => e.type)).toEqual(['SLA_BREACHED', 'SLA_BREACHED', 'ESCALATED']);
  });

  it('runSlaSweep is for admins and supervisors', async () => {
    const q = 'mutation { runSlaSweep { __typename ... on SlaSweepResult { tickets } } }';
    expect((await env.gql(q, {}, bearer(supervisor))).data.runSlaSweep.__typename).toBe('SlaSweepResult');
    expect((await env.gql(q, {}, bearer((await env.staffToken('AGENT')).token))).data.runSlaSweep.__typename).toBe('ForbiddenError');
  });
});

describe('escalateTicket', () => {
  const ESCALATE = 'mutation($i: EscalateTicketInput!) { escalateTicket(input: $i) { __typename ... on TicketPayload { ticket { level assignee { id } } events { type } } ... on ValidationError { fieldErrors { path code } } } }';

  it('climbs L1 → L2 → L3 with a reason, then refuses with a typed error', async () => {
    const id = await submit('2026-11-02T09:00+08:00');
    const gid = Buffer.from(`Ticket:${id}`).toString('base64');
    const one = await env.gql(ESCALATE, { i: { ticketId: gid, reason: 'Customer called twice' } }, bearer(supervisor));
    expect(one.data.escalateTicket).toMatchObject({ __typename: 'TicketPayload', ticket: { level: 'L2' }, events: [{ type: 'ESCALATED' }] });
    expect(seniors).toContain(Buffer.from(one.data.escalateTicket.ticket.assignee.id, 'base64').toString().split(':')[1]);
    const two = await env.gql(ESCALATE, { i: { ticketId: gid, reason: 'Needs an expert' } }, bearer(supervisor));
    expect(two.data.escalateTicket.ticket.level).toBe('L3');
    const three = await env.gql(ESCALATE, { i: { ticketId: gid, reason: 'again' } }, bearer(supervisor));
    expect(three.data.escalateTicket).toEqual({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'ticketId'], code: 'AT_TOP_LEVEL' }] });
    const blank = await env.gql(ESCALATE, { i: { ticketId: gid, reason: '  ' } }, bearer(supervisor));
    expect(blank.data.escalateTicket.fieldErrors).toEqual([{ path: ['input', 'reason'], code: 'REQUIRED' }]);
    const auditor = await env.gql(ESCALATE, { i: { ticketId: gid, reason: 'x' } }, bearer((await env.staffToken('AUDITOR', null)).token));
    expect(auditor.data.escalateTicket.__typename).toBe('ForbiddenError');
  });
});
