import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TICKET_STATUSES, allowedTransitions, type TicketStatus } from '@closeloop/domain';
import { setup, SUBMIT, TRANSITION, type TestEnv } from './helpers.ts';

let env: TestEnv;
let staff: Record<string, string>;

beforeAll(async () => {
  env = await setup();
  staff = { authorization: `Bearer ${(await env.staffToken('SUPERVISOR')).token}` };
});
afterAll(() => env.close());

async function newTicket(): Promise<{ ticketId: string; trackingCode: string; accessKey: string }> {
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Mobile banking login fails' } }, { 'x-closeloop-channel': env.channel.publishableKey });
  const s = r.data.submitFeedback;
  const t = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: s.trackingCode }, staff);
  return { ticketId: t.data.trackFeedback.ticket.id, trackingCode: s.trackingCode, accessKey: s.accessKey };
}

/** Shortest path of valid transitions from SUBMITTED to `target`. */
function pathTo(target: TicketStatus): TicketStatus[] {
  const queue: TicketStatus[][] = [['SUBMITTED']];
  while (queue.length) {
    const p = queue.shift()!;
    if (p.at(-1) === target) return p.slice(1);
    for (const n of allowedTransitions(p.at(-1)!)) if (!p.includes(n)) queue.push([...p, n]);
  }
  throw new Error(`unreachable ${target}`);
}

const STATE = `query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { status timeline { position } } }`;

describe('status machine through the API', () => {
  it('walks the happy path and shows each public step to the customer', async () => {
    const t = await newTicket();
    for (const to of ['ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER', 'IN_PROGRESS', 'RESOLVED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED'] as const) {
      const r = await env.gql(TRANSITION, { input: { ticketId: t.ticketId, status: to } }, staff);
      expect(r.data.transitionTicket.ticket.status).toBe(to);
    }
    const track = await env.gql(`query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { status timeline { position type toStatus } } }`, { c: t.trackingCode, k: t.accessKey });
    expect(track.data.trackFeedback.status).toBe('CLOSED');
    expect(track.data.trackFeedback.timeline.map((e: any) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses every invalid transition with a typed error and changes nothing', async () => {
    for (const from of TICKET_STATUSES) {
      const t = await newTicket();
      for (const step of pathTo(from)) await env.gql(TRANSITION, { input: { ticketId: t.ticketId, status: step } }, staff);
      const before = await env.gql(STATE, { c: t.trackingCode, k: t.accessKey });
      expect(before.data.trackFeedback.status).toBe(from);
      for (const to of TICKET_STATUSES.filter((s) => !allowedTransitions(from).includes(s))) {
        const r = await env.gql(TRANSITION, { input: { ticketId: t.ticketId, status: to } }, staff);
        expect(r.data.transitionTicket).toMatchObject({ __typename: 'InvalidTransitionError', code: 'INVALID_TRANSITION', from, to });
        expect(r.data.transitionTicket.allowed).toEqual([...allowedTransitions(from)]);
      }
      expect(await env.gql(STATE, { c: t.trackingCode, k: t.accessKey })).toEqual(before);
    }
  });

  it('reports unknown and malformed ticket ids as typed errors', async () => {
    const missing = Buffer.from('Ticket:00000000-0000-4000-8000-000000000000').toString('base64');
    const r1 = await env.gql(TRANSITION, { input: { ticketId: missing, status: 'ACKNOWLEDGED' } }, staff);
    expect(r1.data.transitionTicket.__typename).toBe('NotFoundError');
    for (const bad of ['nope', Buffer.from('Feedback:00000000-0000-4000-8000-000000000000').toString('base64'), Buffer.from('Ticket:1').toString('base64')]) {
      const r = await env.gql(TRANSITION, { input: { ticketId: bad, status: 'ACKNOWLEDGED' } }, staff);
      expect(r.data.transitionTicket).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'ticketId'], code: 'MALFORMED_ID' }] });
    }
  });
});

describe('notes and assignment', () => {
  it('INTERNAL notes stay internal, PUBLIC replies reach the customer', async () => {
    const t = await newTicket();
    const note = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { __typename ... on TicketPayload { events { type visibility } } ... on ValidationError { fieldErrors { path code } } } }`;
    await env.gql(note, { i: { ticketId: t.ticketId, body: 'secret internal remark', visibility: 'INTERNAL' } }, staff);
    await env.gql(note, { i: { ticketId: t.ticketId, body: 'Thanks, we are on it', visibility: 'PUBLIC' } }, staff);
    const empty = await env.gql(note, { i: { ticketId: t.ticketId, body: '   ', visibility: 'PUBLIC' } }, staff);
    expect(empty.data.addTicketNote.fieldErrors).toEqual([{ path: ['input', 'body'], code: 'REQUIRED' }]);
    const track = await env.gql(`query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { timeline { type body visibility } } }`, { c: t.trackingCode, k: t.accessKey });
    expect(track.data.trackFeedback.timeline).toEqual([
      { type: 'SUBMITTED', body: null, visibility: 'PUBLIC' },
      { type: 'PUBLIC_REPLY', body: 'Thanks, we are on it', visibility: 'PUBLIC' },
    ]);
    const staffView = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { timeline { type } ticket { firstRespondedAt } } }`, { c: t.trackingCode }, staff);
    expect(staffView.data.trackFeedback.timeline.map((e: any) => e.type)).toEqual(['SUBMITTED', 'INTERNAL_NOTE', 'PUBLIC_REPLY']);
    expect(staffView.data.trackFeedback.ticket.firstRespondedAt).not.toBeNull();
  });

  it('assigns to staff and refuses unknown assignees', async () => {
    const t = await newTicket();
    const agent = await env.staffToken('AGENT');
    const agentId = Buffer.from(`Staff:${agent.id}`).toString('base64');
    const assign = `mutation($i: AssignTicketInput!) { assignTicket(input: $i) { __typename ... on TicketPayload { ticket { assignee { id } } } ... on ValidationError { fieldErrors { path code } } } }`;
    const ok = await env.gql(assign, { i: { ticketId: t.ticketId, assigneeId: agentId } }, staff);
    expect(ok.data.assignTicket.ticket.assignee.id).toBe(agentId);
    const ghost = Buffer.from('Staff:00000000-0000-4000-8000-000000000000').toString('base64');
    const bad = await env.gql(assign, { i: { ticketId: t.ticketId, assigneeId: ghost } }, staff);
    expect(bad.data.assignTicket.fieldErrors).toEqual([{ path: ['input', 'assigneeId'], code: 'NOT_FOUND' }]);
    const mine = await env.gql(`query($a: ID!) { tickets(first: 10, filter: { assigneeId: $a }) { edges { node { id } } } }`, { a: agentId }, staff);
    expect(mine.data.tickets.edges.map((e: any) => e.node.id)).toEqual([t.ticketId]);
  });
});

describe('audit trail', () => {
  it('chains every staff action and detects tampering', async () => {
    const { auditLog } = await import('@closeloop/db');
    const { verifyAuditChain } = await import('../src/services/audit.ts');
    const rows = await env.handle.db.select().from(auditLog).orderBy(auditLog.id);
    expect(rows.length).toBeGreaterThan(5);
    expect(verifyAuditChain(rows)).toBe(-1);
    const tampered = rows.map((r, i) => (i === 3 ? { ...r, data: { ...(r.data as object), to: 'CLOSED' } } : r));
    expect(verifyAuditChain(tampered)).toBe(3);
  });
});

describe('the queue', () => {
  it('orders by resolution due time and pages through it without gaps', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await newTicket()).ticketId);
    const q = `query($after: String) { tickets(first: 2, after: $after, orderBy: DUE_SOONEST) { edges { node { id resolutionDueAt } } pageInfo { hasNextPage endCursor } } }`;
    const seen: Array<{ id: string; resolutionDueAt: string | null }> = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await env.gql(q, { after }, staff);
      expect(r.errors).toBeUndefined();
      seen.push(...r.data.tickets.edges.map((e: any) => e.node));
      if (!r.data.tickets.pageInfo.hasNextPage) break;
      after = r.data.tickets.pageInfo.endCursor;
    }
    expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
    for (const id of ids) expect(seen.map((s) => s.id)).toContain(id);
    const due = seen.map((s) => (s.resolutionDueAt ? Date.parse(s.resolutionDueAt) : Infinity));
    expect([...due].sort((a, b) => a - b)).toEqual(due);
    const clean = await env.gql(`{ tickets(first: 100, filter: { slaBreached: false }) { edges { node { id } } } }`, {}, staff);
    expect(clean.data.tickets.edges.length).toBe(seen.length);
    expect((await env.gql(`{ tickets(first: 100, filter: { slaBreached: true }) { edges { node { id } } } }`, {}, staff)).data.tickets.edges).toEqual([]);
    const { tickets } = await import('@closeloop/db');
    const { eq } = await import('drizzle-orm');
    const rawId = Buffer.from(ids[2]!, 'base64').toString().split(':')[1]!;
    await env.handle.db.update(tickets).set({ resolutionBreachedAt: new Date() }).where(eq(tickets.id, rawId));
    const breached = await env.gql(`{ tickets(first: 100, filter: { slaBreached: true }) { edges { node { id } } } }`, {}, staff);
    expect(breached.data.tickets.edges).toEqual([{ node: { id: ids[2] } }]);
  });
});
