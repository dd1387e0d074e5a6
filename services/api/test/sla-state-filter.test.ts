// The queue's SLA-state filter (TicketFilter.slaState): the database's reading of the stored due and
// warn times must agree with Ticket.slaState (computeSla) for every state, and keep department scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessCalendars } from '@closeloop/db';
import { computeSla } from '@closeloop/domain';
import { toBusinessCalendar } from '../src/services/sla.ts';
import { bearer, FIXED_DATES, setup, SUBMIT, TRANSITION, type TestEnv } from './helpers.ts';

let env: TestEnv;
let supervisor: string;
const codes: Record<string, string> = {};

async function submit(content: string, receivedAt: Date, kind = 'COMPLAINT') {
  const r = await env.gql(SUBMIT, { input: { channel: 'PHONE', kind, content, receivedAt: receivedAt.toISOString() } }, bearer(supervisor));
  expect(r.data?.submitFeedback.__typename, JSON.stringify(r)).toBe('SubmitFeedbackPayload');
  const code = r.data.submitFeedback.trackingCode as string;
  const t = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: code }, bearer(supervisor));
  return { code, id: t.data.trackFeedback.ticket.id as string };
}

async function move(id: string, ...to: string[]) {
  for (const status of to) {
    const r = await env.gql(TRANSITION, { input: { ticketId: id, status } }, bearer(supervisor));
    expect(r.data?.transitionTicket.ticket?.status, JSON.stringify(r)).toBe(status);
  }
}

const LIST = `query($f: TicketFilter) { tickets(first: 100, filter: $f) { edges { node { id slaState department { code } feedback { trackingCode } } } } }`;
const list = async (f: Record<string, unknown>, token = supervisor) => {
  const r = await env.gql(LIST, { f }, bearer(token));
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data.tickets.edges.map((e: any) => e.node) as Array<{ id: string; slaState: string | null; department: { code: string } | null; feedback: Array<{ trackingCode: string }> }>;
};

beforeAll(async () => {
  env = await setup(FIXED_DATES);
  supervisor = (await env.staffToken('SUPERVISOR')).token;
  const now = new Date();
  codes.ON_TRACK = (await submit('ATM swallowed my card today', now)).code;
  codes.BREACHED = (await submit('No answer for a month about my card', new Date(now.getTime() - 40 * 86_400_000))).code;
  const met = await submit('Wrong fee on my statement', now);
  await move(met.id, 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED');
  codes.MET = met.code;
  const paused = await submit('Please call me back about my loan', now);
  await move(paused.id, 'ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER');
  codes.PAUSED = paused.code;
  // AT_RISK: a receipt time far enough back that 80 % (not 100 %) of the first-response target has
  // elapsed on the default calendar now, found with the domain's own arithmetic.
  const [row] = await env.handle.db.select().from(businessCalendars);
  const calendar = toBusinessCalendar(row!);
  const probe = await submit('Card limit lowered without notice', now);
  const p = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { sla { targets { firstResponseMinutes resolutionMinutes } } } } }`, { c: probe.code }, bearer(supervisor));
  const targets = p.data.trackFeedback.ticket.sla.targets as { firstResponseMinutes: number; resolutionMinutes: number };
  let at: Date | null = null;
  for (let back = 15; back < 60 * 24 * 20 && !at; back += 15) {
    const receivedAt = new Date(now.getTime() - back * 60_000);
    const s = computeSla({ calendar, targets, receivedAt, now, pauses: [], firstRespondedAt: null, resolvedAt: null });
    if (s.state === 'AT_RISK' && s.firstResponseDueAt.getTime() - now.getTime() > 30 * 60_000) at = receivedAt;
  }
  expect(at).not.toBeNull();
  codes.AT_RISK = (await submit('Card limit lowered without notice', at!)).code;
});
afterAll(() => env.close());

describe('TicketFilter.slaState', () => {
  it('returns exactly the tickets whose slaState is one of the states asked for', async () => {
    const all = await list({});
    const stateOf = new Map(all.map((t) => [t.feedback[0]!.trackingCode, t.slaState]));
    // The fixtures are in the states they were built for (the computed field agrees).
    for (const [state, code] of Object.entries(codes)) expect(stateOf.get(code), state).toBe(state);
    for (const state of ['ON_TRACK', 'AT_RISK', 'BREACHED', 'MET', 'PAUSED']) {
      const got = await list({ slaState: [state] });
      expect(got.map((t) => t.feedback[0]!.trackingCode), state).toContain(codes[state]);
      // Differential: the database's reading equals the computed field for every ticket listed.
      expect(got.map((t) => t.slaState).filter((s) => s !== state), state).toEqual([]);
      expect(got.length, state).toBe(all.filter((t) => t.slaState === state).length);
    }
    const two = await list({ slaState: ['AT_RISK', 'BREACHED'] });
    expect(new Set(two.map((t) => t.slaState))).toEqual(new Set(['AT_RISK', 'BREACHED']));
  });

  it('combines with the other filters and with the DUE_SOONEST order, and an empty list filters nothing', async () => {
    const open = await list({ slaState: ['BREACHED'], status: ['SUBMITTED'] });
    expect(open.map((t) => t.feedback[0]!.trackingCode)).toEqual([codes.BREACHED]);
    expect(await list({ slaState: ['MET'], status: ['SUBMITTED'] })).toEqual([]);
    expect((await list({ slaState: [] })).length).toBe((await list({})).length);
    const r = await env.gql(`{ tickets(first: 100, orderBy: DUE_SOONEST, filter: { slaState: [ON_TRACK, PAUSED] }) { edges { node { slaState } } } }`, {}, bearer(supervisor));
    expect(r.errors).toBeUndefined();
    expect(new Set(r.data.tickets.edges.map((e: any) => e.node.slaState))).toEqual(new Set(['ON_TRACK', 'PAUSED']));
  });

  it('keeps an agent to their department, in the queue and in search', async () => {
    const other = (await env.staffToken('AGENT', 'CREDIT')).token;
    const every = ['BREACHED', 'ON_TRACK', 'AT_RISK', 'MET', 'PAUSED'];
    const theirs = await list({ slaState: every }, other);
    expect(theirs.map((t) => t.department?.code)).toEqual(theirs.map(() => 'CREDIT'));
    expect(theirs.length).toBeLessThan((await list({ slaState: every })).length);
    const s = await env.gql(`query($f: TicketFilter) { searchTickets(query: "card", first: 10, filter: $f) { edges { node { id } } } }`, { f: { slaState: ['BREACHED'] } }, bearer(other));
    expect(s.data.searchTickets.edges).toEqual([]);
    const mine = await env.gql(`query($f: TicketFilter) { searchTickets(query: "card", first: 10, filter: $f) { edges { node { feedback { trackingCode } } } } }`, { f: { slaState: ['BREACHED'] } }, bearer(supervisor));
    expect(mine.data.searchTickets.edges.map((e: any) => e.node.feedback[0].trackingCode)).toEqual([codes.BREACHED]);
  });

  it('refuses an unknown state with a GraphQL validation error and saves the filter with a view', async () => {
    const bad = await env.gql(`{ tickets(first: 5, filter: { slaState: [LATE] }) { edges { node { id } } } }`, {}, bearer(supervisor));
    expect(bad.errors?.[0]?.message).toMatch(/LATE/);
    const saved = await env.gql(`mutation($i: SaveQueueViewInput!) { saveQueueView(input: $i) { __typename ... on SavedView { count filter { slaState } } } }`,
      { i: { name: 'Due soon', filter: { slaState: ['AT_RISK'] }, orderBy: 'DUE_SOONEST' } }, bearer(supervisor));
    expect(saved.data.saveQueueView).toMatchObject({ __typename: 'SavedView', filter: { slaState: ['AT_RISK'] } });
    expect(saved.data.saveQueueView.count).toBe((await list({ slaState: ['AT_RISK'] })).length);
  });
});
