// Due times through the API, hand-computed on the default calendar (Asia/Shanghai, 09:00–12:00 and
// 13:00–18:00 on working days, mainland China 2026 holidays and make-up days).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { customers, tiers } from '@closeloop/db';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';
import { FIXED_DATES } from './helpers.ts';

let env: TestEnv;
let supervisor: string;

const iso = (s: string) => new Date(s).toISOString();

const TICKET = /* GraphQL */ `
  query T($code: String!) {
    trackFeedback(trackingCode: $code) {
      expectedResolutionAt
      ticket {
        id level priority status firstResponseDueAt resolutionDueAt firstResponseWarnAt resolutionWarnAt slaState businessMinutesRemaining
        department { code } assignee { email }
        slaPauses { from to }
        sla { state firstResponseState resolutionState targets { firstResponseMinutes resolutionMinutes } paused }
      }
    }
  }
`;

beforeAll(async () => {
  env = await setup(FIXED_DATES);
  supervisor = (await env.staffToken('SUPERVISOR')).token;
  const [vip] = await env.handle.db.select().from(tiers).where((await import('drizzle-orm')).eq(tiers.code, 'VIP'));
  await env.handle.db.insert(customers).values({ externalId: 'vip-1', name: 'VIP One', tierId: vip!.id });
});
afterAll(() => env.close());
afterEach(() => { vi.useRealTimers(); });

async function submit(input: Record<string, unknown>, token = supervisor) {
  const r = await env.gql(SUBMIT, { input: { channel: 'PHONE', ...input } }, bearer(token));
  expect(r.data?.submitFeedback.__typename, JSON.stringify(r)).toBe('SubmitFeedbackPayload');
  return r.data.submitFeedback.trackingCode as string;
}

async function ticketOf(code: string, token = supervisor) {
  const r = await env.gql(TICKET, { code }, bearer(token));
  expect(r.errors).toBeUndefined();
  return r.data.trackFeedback;
}

describe('due times on submission (hand-computed)', () => {
  it.each([
    ['complaint at 17:59 on a Friday', 'COMPLAINT', 'the queue was too long', '2026-03-06T17:59+08:00', '2026-03-09T17:59+08:00', '2026-03-11T17:59+08:00'],
    ['complaint received on a National Day holiday: counts from Oct 8, make-up Saturday Oct 10 worked',
      'COMPLAINT', 'the queue was too long', '2026-10-03T11:00+08:00', '2026-10-08T18:00+08:00', '2026-10-10T18:00+08:00'],
    ['complaint before Spring Festival: make-up Saturday Feb 14 worked, Feb 15–23 off',
      'COMPLAINT', 'the queue was too long', '2026-02-13T17:00+08:00', '2026-02-14T17:00+08:00', '2026-02-25T17:00+08:00'],
    ['suggestion before National Day: 5 working days = Sep 30, Oct 8, 9, 10 (make-up), 12, 13',
      'SUGGESTION', 'please open earlier', '2026-09-30T10:00+08:00', '2026-10-08T10:00+08:00', '2026-10-13T10:00+08:00'],
    ['inquiry on Labour Day: 2 working days from May 6', 'INQUIRY', 'what are the opening hours', '2026-05-01T10:00+08:00', '2026-05-06T18:00+08:00', '2026-05-07T18:00+08:00'],
    ['New Year: Jan 1–3 off, Sunday Jan 4 worked', 'INQUIRY', 'what are the opening hours', '2025-12-31T17:00+08:00', '2026-01-04T17:00+08:00', '2026-01-05T17:00+08:00'],
  ])('%s', async (_name, kind, content, receivedAt, firstResponseDueAt, resolutionDueAt) => {
    const code = await submit({ kind, content, receivedAt: iso(receivedAt) });
    const f = await ticketOf(code);
    expect(f.ticket.firstResponseDueAt).toBe(iso(firstResponseDueAt));
    expect(f.ticket.resolutionDueAt).toBe(iso(resolutionDueAt));
    expect(f.expectedResolutionAt).toBe(iso(resolutionDueAt));
    // long past: both clocks breached, nothing answered
    expect(f.ticket.slaState).toBe('BREACHED');
  });

  it('a VIP complaint about a loan takes the fast lane to credit at L2', async () => {
    const code = await submit({ kind: 'COMPLAINT', content: 'My loan application has been stuck for weeks', customerExternalId: 'vip-1', receivedAt: iso('2026-09-30T10:00+08:00') });
    const f = await ticketOf(code);
    expect(f.ticket).toMatchObject({ level: 'L2', priority: 'HIGH', department: { code: 'CREDIT' } });
    expect(f.ticket.sla.targets).toEqual({ firstResponseMinutes: 240, resolutionMinutes: 720 });
    expect(f.ticket.firstResponseDueAt).toBe(iso('2026-09-30T15:00+08:00'));
    expect(f.ticket.resolutionDueAt).toBe(iso('2026-10-08T15:00+08:00')); // 420 on Sep 30, 300 on Oct 8
  });

  it('the customer sees the expected resolution date on the tracker', async () => {
    const token = await env.customerToken('cust-track');
    const r = await env.gql(SUBMIT, { input: { kind: 'INQUIRY', content: 'When does the branch open?' } }, { ...bearer(token), 'x-closeloop-channel': env.channel.publishableKey });
    const code = r.data.submitFeedback.trackingCode;
    const t = await env.gql('query($c: String!) { trackFeedback(trackingCode: $c) { expectedResolutionAt } }', { c: code }, { ...bearer(token), 'x-closeloop-channel': env.channel.publishableKey });
    expect(t.data.trackFeedback.expectedResolutionAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('the clock pauses while awaiting the customer', () => {
  it('a pause over a weekend (Fri 17:00 → Mon 10:00) moves the resolution due time by the 120 business minutes paused', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-12T09:00+08:00')); // Thursday
    const code = await submit({ kind: 'COMPLAINT', content: 'the queue was too long' });
    const { ticket } = await ticketOf(code);
    expect(ticket.resolutionDueAt).toBe(iso('2026-03-16T18:00+08:00')); // an interval end stays
    const move = async (status: string) => {
      const r = await env.gql('mutation($i: TransitionTicketInput!) { transitionTicket(input: $i) { __typename } }', { i: { ticketId: ticket.id, status } }, bearer(supervisor));
      expect(r.data.transitionTicket.__typename).toBe('TicketPayload');
    };
    vi.setSystemTime(new Date('2026-03-12T11:00+08:00'));
    await move('ACKNOWLEDGED');
    vi.setSystemTime(new Date('2026-03-13T17:00+08:00'));
    await move('AWAITING_CUSTOMER');
    vi.setSystemTime(new Date('2026-03-14T12:00+08:00'));
    let t = (await ticketOf(code)).ticket;
    expect(t.slaState).toBe('PAUSED');
    expect(t.sla).toMatchObject({ paused: true, firstResponseState: 'MET', resolutionState: 'PAUSED' });
    expect(t.businessMinutesRemaining).toBe(540);
    vi.setSystemTime(new Date('2026-03-16T10:00+08:00'));
    await move('IN_PROGRESS');
    t = (await ticketOf(code)).ticket;
    expect(t.resolutionDueAt).toBe(iso('2026-03-17T11:00+08:00')); // Mon 18:00 + 120
    expect(t.resolutionWarnAt).toBe(iso('2026-03-16T15:12+08:00'));
    expect(t.slaPauses).toEqual([{ from: iso('2026-03-13T17:00+08:00'), to: iso('2026-03-16T10:00+08:00') }]);
    expect(t.slaState).toBe('ON_TRACK');
    expect(t.businessMinutesRemaining).toBe(540);
  });

  it('the first response is never overwritten, and resolving meets the SLA', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T09:00+08:00'));
    const code = await submit({ kind: 'INQUIRY', content: 'what are the opening hours' });
    const { ticket } = await ticketOf(code);
    const note = 'mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { ... on TicketPayload { ticket { firstRespondedAt } } } }';
    vi.setSystemTime(new Date('2026-03-02T10:00+08:00'));
    const first = await env.gql(note, { i: { ticketId: ticket.id, body: 'We are on it', visibility: 'PUBLIC' } }, bearer(supervisor));
    vi.setSystemTime(new Date('2026-03-02T11:00+08:00'));
    const second = await env.gql(note, { i: { ticketId: ticket.id, body: 'Still on it', visibility: 'PUBLIC' } }, bearer(supervisor));
    expect(second.data.addTicketNote.ticket.firstRespondedAt).toBe(first.data.addTicketNote.ticket.firstRespondedAt);
    const r = await env.gql('mutation($i: TransitionTicketInput!) { transitionTicket(input: $i) { ... on TicketPayload { ticket { slaState sla { state businessMinutesRemaining } } } } }',
      { i: { ticketId: ticket.id, status: 'RESOLVED' } }, bearer(supervisor));
    expect(r.data.transitionTicket.ticket).toEqual({ slaState: 'MET', sla: { state: 'MET', businessMinutesRemaining: 960 - 120 } });
  });
});

describe('resolving and reopening', () => {
  it('resolving from AWAITING_CUSTOMER closes the pause; reopening restarts the resolution clock where it stopped', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T09:00+08:00')); // Monday
    const code = await submit({ kind: 'INQUIRY', content: 'what are the opening hours' }); // 960: due Tue 18:00
    const { ticket } = await ticketOf(code);
    const move = async (status: string, at: string) => {
      vi.setSystemTime(new Date(at));
      const r = await env.gql('mutation($i: TransitionTicketInput!) { transitionTicket(input: $i) { __typename } }', { i: { ticketId: ticket.id, status } }, bearer(supervisor));
      expect(r.data.transitionTicket.__typename).toBe('TicketPayload');
    };
    await move('ACKNOWLEDGED', '2026-03-02T10:00+08:00');
    await move('AWAITING_CUSTOMER', '2026-03-02T11:00+08:00');
    await move('RESOLVED', '2026-03-02T14:00+08:00');
    let t = (await ticketOf(code)).ticket;
    expect(t.slaPauses).toEqual([{ from: iso('2026-03-02T11:00+08:00'), to: iso('2026-03-02T14:00+08:00') }]);
    expect(t).toMatchObject({ slaState: 'MET', businessMinutesRemaining: 960 - 120 });
    await move('IN_PROGRESS', '2026-03-03T09:00+08:00'); // reopened the next morning
    t = (await ticketOf(code)).ticket;
    // The time between resolving and reopening counts (the case was not really resolved): Mon 09–11 (120)
    // and 14–18 (240) used, 600 left from Tue 09:00: all of Tuesday (480) and Wed 09:00–11:00.
    expect(t.resolutionDueAt).toBe(iso('2026-03-04T11:00+08:00'));
    expect(t.slaState).toBe('ON_TRACK');
  });
});

describe('reprioritising and re-tiering recompute the due times', () => {
  it('URGENT halves the targets; a VIP upgrade shortens an open ticket', async () => {
    const code = await submit({ kind: 'COMPLAINT', content: 'the queue was too long', customerExternalId: 'retier-1', receivedAt: iso('2026-03-09T09:00+08:00') });
    const { ticket } = await ticketOf(code);
    expect(ticket.resolutionDueAt).toBe(iso('2026-03-11T18:00+08:00'));
    const p = await env.gql('mutation($i: SetTicketPriorityInput!) { setTicketPriority(input: $i) { __typename ... on TicketPayload { ticket { resolutionDueAt sla { targets { resolutionMinutes } } } } } }',
      { i: { ticketId: ticket.id, priority: 'URGENT' } }, bearer(supervisor));
    expect(p.data.setTicketPriority.ticket).toEqual({ resolutionDueAt: iso('2026-03-10T14:00+08:00'), sla: { targets: { resolutionMinutes: 720 } } });
    await env.gql('mutation($i: SetTicketPriorityInput!) { setTicketPriority(input: $i) { __typename } }', { i: { ticketId: ticket.id, priority: 'NORMAL' } }, bearer(supervisor));

    const admin = (await env.staffToken('ADMIN', null)).token;
    const customerId = (await env.gql('{ customers(first: 5, search: "retier-1") { edges { node { id } } } }', {}, bearer(admin))).data.customers.edges[0].node.id;
    const r = await env.gql('mutation($i: SetCustomerTierInput!) { setCustomerTier(input: $i) { __typename ... on Customer { tier { code } } ... on Error { code message } } }',
      { i: { customerId, tierCode: 'PRIVATE_BANKING' } }, bearer(admin));
    expect(r.data.setCustomerTier).toEqual({ __typename: 'Customer', tier: { code: 'PRIVATE_BANKING' } });
    const after = (await ticketOf(code)).ticket;
    expect(after.sla.targets).toEqual({ firstResponseMinutes: 120, resolutionMinutes: 360 });
    expect(after.resolutionDueAt).toBe(iso('2026-03-09T16:00+08:00'));
    const denied = await env.gql('mutation($i: SetCustomerTierInput!) { setCustomerTier(input: $i) { __typename } }', { i: { customerId, tierCode: 'VIP' } }, bearer((await env.staffToken('AGENT')).token));
    expect(denied.data.setCustomerTier.__typename).toBe('ForbiddenError');
  });

  it("a tier change in the host's customer token re-tiers the customer's open tickets", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-09T09:00+08:00'));
    const headers = async (tier: string) => ({ ...bearer(await env.customerToken('token-tier', { tier })), 'x-closeloop-channel': env.channel.publishableKey });
    const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'the queue was too long' } }, await headers('STANDARD'));
    const code = r.data.submitFeedback.trackingCode;
    const expected = async (tier: string) =>
      (await env.gql('query($c: String!) { trackFeedback(trackingCode: $c) { expectedResolutionAt } }', { c: code }, await headers(tier))).data.trackFeedback.expectedResolutionAt;
    expect(await expected('STANDARD')).toBe(iso('2026-03-11T18:00+08:00'));
    expect(await expected('VIP')).toBe(iso('2026-03-10T14:00+08:00')); // 720 business minutes
  });
});
