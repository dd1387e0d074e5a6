// Merging feedback into one incident ticket, unlinking, and the SLA figures of each customer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { customers, tiers } from '@closeloop/db';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';
import { FIXED_DATES } from './helpers.ts';

let env: TestEnv;
let supervisor: string;
const iso = (s: string) => new Date(s).toISOString();

const FEEDBACK = /* GraphQL */ `
  query($c: String!) {
    trackFeedback(trackingCode: $c) {
      id receivedAt expectedResolutionAt status
      sla { resolutionDueAt targets { resolutionMinutes } }
      timeline { type visibility body }
      ticket { id status receivedAt resolutionDueAt feedback { trackingCode } mergedInto { id } sla { targets { firstResponseMinutes resolutionMinutes } } }
    }
  }
`;
const MERGE = 'mutation($i: MergeFeedbackInput!) { mergeFeedback(input: $i) { __typename ... on TicketPayload { ticket { id feedback { trackingCode } } events { type visibility } } ... on ValidationError { fieldErrors { path code } } } }';
const UNLINK = 'mutation($i: UnlinkFeedbackInput!) { unlinkFeedback(input: $i) { __typename ... on TicketPayload { ticket { id status feedback { trackingCode } resolutionDueAt } } ... on ValidationError { fieldErrors { path code } } } }';

beforeAll(async () => {
  env = await setup(FIXED_DATES);
  supervisor = (await env.staffToken('SUPERVISOR')).token;
  const [vip] = await env.handle.db.select().from(tiers).where(eq(tiers.code, 'VIP'));
  await env.handle.db.insert(customers).values({ externalId: 'atm-vip', tierId: vip!.id });
});
afterAll(() => env.close());

async function submit(receivedAt: string, customer: string) {
  const r = await env.gql(SUBMIT, {
    input: { kind: 'COMPLAINT', channel: 'PHONE', content: 'The ATM at Renmin Road is out of order', receivedAt: iso(receivedAt), customerExternalId: customer },
  }, bearer(supervisor));
  return r.data.submitFeedback.trackingCode as string;
}
const get = async (code: string) => (await env.gql(FEEDBACK, { c: code }, bearer(supervisor))).data.trackFeedback;

describe('mergeFeedback / unlinkFeedback', () => {
  it('links several feedback to one incident, keeps each receivedAt, runs the ticket on the strictest deadline', async () => {
    const a = await submit('2026-03-10T09:00+08:00', 'atm-std-1'); // standard: due Mar 12 18:00
    const b = await submit('2026-03-09T15:00+08:00', 'atm-vip'); // VIP 720: due Mar 11 10:00
    const c = await submit('2026-03-10T10:00+08:00', 'atm-std-2');
    const fa = await get(a);
    const r = await env.gql(MERGE, { i: { ticketId: fa.ticket.id, feedbackIds: [(await get(b)).id, (await get(c)).id] } }, bearer(supervisor));
    expect(r.data.mergeFeedback.__typename).toBe('TicketPayload');
    expect(r.data.mergeFeedback.events).toHaveLength(3); // one public notice per linked feedback
    expect(r.data.mergeFeedback.events.every((e: { type: string; visibility: string }) => e.type === 'MERGED' && e.visibility === 'PUBLIC')).toBe(true);

    const after = await get(a);
    expect(after.ticket.feedback.map((f: { trackingCode: string }) => f.trackingCode).sort()).toEqual([a, b, c].sort());
    expect(after.ticket.receivedAt).toBe(iso('2026-03-09T15:00+08:00')); // the earliest feedback starts the clock
    expect(after.ticket.sla.targets).toEqual({ firstResponseMinutes: 240, resolutionMinutes: 720 }); // strictest: the VIP's
    expect(after.ticket.resolutionDueAt).toBe(iso('2026-03-11T10:00+08:00'));
    // each feedback keeps its own receivedAt and its own SLA figures
    expect(after.receivedAt).toBe(iso('2026-03-10T09:00+08:00'));
    expect(after.sla).toEqual({ resolutionDueAt: iso('2026-03-12T18:00+08:00'), targets: { resolutionMinutes: 1440 } });
    expect((await get(b)).sla.resolutionDueAt).toBe(iso('2026-03-11T10:00+08:00'));
    // the customers see the ticket's (earlier) promise
    expect(after.expectedResolutionAt).toBe(iso('2026-03-11T10:00+08:00'));

    expect((await get(b)).ticket.id).toBe(fa.ticket.id);

    // resolving informs every linked customer
    const resolved = await env.gql('mutation($i: TransitionTicketInput!) { transitionTicket(input: $i) { ... on TicketPayload { events { type visibility toStatus } } } }',
      { i: { ticketId: fa.ticket.id, status: 'RESOLVED', note: 'The ATM is repaired.' } }, bearer(supervisor));
    expect(resolved.data.transitionTicket.events).toHaveLength(3);
    for (const code of [a, b, c]) {
      const f = await get(code);
      expect(f.status).toBe('RESOLVED');
      expect(f.timeline.at(-1)).toEqual({ type: 'STATUS_CHANGED', visibility: 'PUBLIC', body: 'The ATM is repaired.' });
      expect(f.timeline.some((e: { type: string }) => e.type === 'MERGED')).toBe(true);
    }

    // unlinking gives the feedback a ticket of its own, reopened for this customer
    const u = await env.gql(UNLINK, { i: { feedbackId: (await get(c)).id } }, bearer(supervisor));
    expect(u.data.unlinkFeedback).toMatchObject({ __typename: 'TicketPayload', ticket: { status: 'IN_PROGRESS', feedback: [{ trackingCode: c }] } });
    expect(u.data.unlinkFeedback.ticket.resolutionDueAt).toBe(iso('2026-03-13T10:00+08:00')); // its own clock again: 420 + 480 + 480 + 60
    expect(u.data.unlinkFeedback.ticket.id).not.toBe(fa.ticket.id);
    const fc = await get(c);
    expect(fc.timeline.at(-1)).toMatchObject({ type: 'UNMERGED', visibility: 'PUBLIC' });
    expect((await get(a)).ticket.feedback).toHaveLength(2);
  });

  it('emptied tickets are closed and point at the incident', async () => {
    const a = await submit('2026-03-16T09:00+08:00', 'atm-std-3');
    const b = await submit('2026-03-16T10:00+08:00', 'atm-std-4');
    const fb = await get(b);
    const fa = await get(a);
    await env.gql(MERGE, { i: { ticketId: fa.ticket.id, feedbackIds: [fb.id] } }, bearer(supervisor));
    const node = await env.gql('query($id: ID!) { node(id: $id) { ... on Ticket { status mergedInto { id } } } }', { id: fb.ticket.id }, bearer(supervisor));
    expect(node.data.node).toEqual({ status: 'CLOSED', mergedInto: { id: fa.ticket.id } });
  });

  it('reports typed errors', async () => {
    const a = await submit('2026-03-17T09:00+08:00', 'atm-std-5');
    const fa = await get(a);
    const same = await env.gql(MERGE, { i: { ticketId: fa.ticket.id, feedbackIds: [fa.id] } }, bearer(supervisor));
    expect(same.data.mergeFeedback.fieldErrors).toEqual([{ path: ['input', 'feedbackIds'], code: 'ALREADY_LINKED' }]);
    const bad = await env.gql(MERGE, { i: { ticketId: fa.ticket.id, feedbackIds: ['nope'] } }, bearer(supervisor));
    expect(bad.data.mergeFeedback.fieldErrors).toEqual([{ path: ['input', 'feedbackIds', '0'], code: 'MALFORMED_ID' }]);
    const only = await env.gql(UNLINK, { i: { feedbackId: fa.id } }, bearer(supervisor));
    expect(only.data.unlinkFeedback.fieldErrors).toEqual([{ path: ['input', 'feedbackId'], code: 'NOT_MERGED' }]);
    const agent = (await env.staffToken('AGENT', 'PRODUCT')).token;
    const hidden = await env.gql(UNLINK, { i: { feedbackId: fa.id } }, bearer(agent));
    expect(hidden.data.unlinkFeedback.__typename).toBe('NotFoundError');
  });
});
