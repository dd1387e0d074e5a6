// withdrawFeedback, requestReview and the supervisor's follow-up on poor ratings (issue 14).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { departments, tickets, timelineEvents } from '@closeloop/db';
import { bearer, setup, SUBMIT, TRANSITION, type TestEnv } from './helpers.ts';

const ACTION = (field: string, input: string) => /* GraphQL */ `
  mutation A($input: ${input}!) {
    ${field}(input: $input) {
      __typename
      ... on CustomerActionPayload { feedback { status outcome reviewableUntil timeline { type toStatus body } } }
      ... on NotAllowedError { reason }
      ... on Error { code message }
      ... on ValidationError { fieldErrors { path code } }
    }
  }
`;
const WITHDRAW = ACTION('withdrawFeedback', 'WithdrawFeedbackInput');
const REVIEW = ACTION('requestReview', 'RequestReviewInput');
const TICKET = /* GraphQL */ `
  query($c: String!) { trackFeedback(trackingCode: $c) { ticket { status outcome level followUpRequired reviewRequestedAt assignee { id } timeline { type visibility body } } } }
`;

let env: TestEnv;
let seniors: string[];
let supervisor: string;
const channel = () => ({ 'x-closeloop-channel': env.channel.publishableKey });
const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':').slice(1).join(':');

beforeAll(async () => {
  env = await setup();
  await env.staffToken('AGENT'); // an agent exists at L1, so the review must go past them
  supervisor = (await env.staffToken('SUPERVISOR')).token;
});
afterAll(() => env.close());

async function submitAnonymous() {
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'The loan fee was wrong' } }, channel());
  const p = r.data.submitFeedback;
  const t = await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { id } } }`, { c: p.trackingCode }, bearer(supervisor));
  return { code: p.trackingCode as string, key: p.accessKey as string, ticketId: t.data.trackFeedback.ticket.id as string };
}

describe('withdrawFeedback', () => {
  it('closes open feedback with outcome WITHDRAWN and the reason staff see; a second withdrawal is NOT_ALLOWED', async () => {
    const f = await submitAnonymous();
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'ACKNOWLEDGED' } }, bearer(supervisor));
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'AWAITING_CUSTOMER', note: 'Which loan?' } }, bearer(supervisor));
    const r = await env.gql(WITHDRAW, { input: { trackingCode: f.code, accessKey: f.key, reason: 'Sorted it out at the branch' } });
    expect(r.data.withdrawFeedback.feedback).toMatchObject({ status: 'CLOSED', outcome: 'WITHDRAWN', reviewableUntil: null });
    expect(r.data.withdrawFeedback.feedback.timeline.at(-1)).toEqual({ type: 'WITHDRAWN', toStatus: 'CLOSED', body: 'Sorted it out at the branch' });
    const staff = await env.gql(TICKET, { c: f.code }, bearer(supervisor));
    expect(staff.data.trackFeedback.ticket).toMatchObject({ status: 'CLOSED', outcome: 'WITHDRAWN' });
    const [row] = await env.handle.db.select().from(tickets).where(eq(tickets.id, rawId(f.ticketId)));
    expect(row!.slaNextCheckAt).toBeNull();
    expect(row!.slaPauses.every((p) => p.to !== null)).toBe(true);
    const again = await env.gql(WITHDRAW, { input: { trackingCode: f.code, accessKey: f.key } });
    expect(again.data.withdrawFeedback).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED', reason: 'FEEDBACK_CLOSED' });
  });

  it('is refused for someone who does not own the feedback and for a too long reason', async () => {
    const f = await submitAnonymous();
    const stranger = await env.gql(WITHDRAW, { input: { trackingCode: f.code, accessKey: 'A'.repeat(26) } });
    expect(stranger.data.withdrawFeedback.__typename).toBe('NotFoundError');
    const long = await env.gql(WITHDRAW, { input: { trackingCode: f.code, accessKey: f.key, reason: '字'.repeat(1001) } });
    expect(long.data.withdrawFeedback).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'reason'], code: 'TOO_LONG' }] });
  });
});

describe('requestReview', () => {
  it('is NOT_RESOLVED before resolution; after it reopens one level up with another handler, once', async () => {
    const f = await submitAnonymous();
    const early = await env.gql(REVIEW, { input: { trackingCode: f.code, accessKey: f.key } });
    expect(early.data.requestReview).toMatchObject({ __typename: 'NotAllowedError', reason: 'NOT_RESOLVED' });
    // Two seniors in the ticket's department: the review goes to one of them, never back to the resolver.
    const dept = (await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { department { code } } } }`, { c: f.code }, bearer(supervisor))).data.trackFeedback.ticket.department.code;
    seniors = [];
    for (let i = 0; i < 2; i++) seniors.push((await env.staffToken('SENIOR', dept)).id);
    await env.handle.db.update(tickets).set({ assigneeId: seniors[0] }).where(eq(tickets.id, rawId(f.ticketId)));
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED', note: 'Fee refunded' } }, bearer(supervisor));
    const track = await env.gql(`query($c:String!,$k:String){ trackFeedback(trackingCode:$c, accessKey:$k){ reviewableUntil } }`, { c: f.code, k: f.key });
    expect(new Date(track.data.trackFeedback.reviewableUntil).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const r = await env.gql(REVIEW, { input: { trackingCode: f.code, accessKey: f.key, reason: 'Only half was refunded' } });
    expect(r.data.requestReview.feedback).toMatchObject({ status: 'IN_PROGRESS', reviewableUntil: null });
    expect(r.data.requestReview.feedback.timeline.at(-1)).toEqual({ type: 'REVIEW_REQUESTED', toStatus: 'IN_PROGRESS', body: 'Only half was refunded' });
    const staff = await env.gql(TICKET, { c: f.code }, bearer(supervisor));
    const ticket = staff.data.trackFeedback.ticket;
    expect(ticket).toMatchObject({ status: 'IN_PROGRESS', level: 'L2' });
    expect(ticket.reviewRequestedAt).not.toBeNull();
    expect(rawId(ticket.assignee.id)).toBe(seniors[1]);

    const twice = await env.gql(REVIEW, { input: { trackingCode: f.code, accessKey: f.key } });
    expect(twice.data.requestReview).toMatchObject({ __typename: 'NotAllowedError', reason: 'ALREADY_REQUESTED' });
  });

  // A department of its own per case, so the staff of other tests do not take part.
  async function resolvedIn(staffRoles: string[]) {
    const code = `REVIEW_${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    await env.handle.db.insert(departments).values({ code, name: code });
    const ids: string[] = [];
    for (const role of staffRoles) ids.push((await env.staffToken(role, code)).id);
    const [dept] = await env.handle.db.select().from(departments).where(eq(departments.code, code));
    const f = await submitAnonymous();
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED' } }, bearer(supervisor));
    // Resolved at L1 by the first member listed.
    await env.handle.db.update(tickets).set({ departmentId: dept!.id, assigneeId: ids[0], level: 'L1' }).where(eq(tickets.id, rawId(f.ticketId)));
    return { ...f, ids };
  }
  const reviewed = async (f: { code: string; key: string; ticketId: string }) => {
    const r = await env.gql(REVIEW, { input: { trackingCode: f.code, accessKey: f.key } });
    expect(r.data.requestReview.feedback.status).toBe('IN_PROGRESS');
    const t = (await env.gql(TICKET, { c: f.code }, bearer(supervisor))).data.trackFeedback.ticket;
    const assigned = await env.handle.db.select().from(timelineEvents)
      .where(and(eq(timelineEvents.ticketId, rawId(f.ticketId)), eq(timelineEvents.type, 'ASSIGNED')));
    return { level: t.level as string, assignee: t.assignee ? rawId(t.assignee.id) : null, via: (assigned.at(-1)!.data as { via: string }).via };
  };

  it('with nobody at the next level: another handler at the highest level staffed, never the previous one', async () => {
    const f = await resolvedIn(['AGENT', 'AGENT']);
    expect(await reviewed(f)).toEqual({ level: 'L2', assignee: f.ids[1], via: 'HIGHEST_LEVEL' });
  });

  it('with no other handler: the department\'s supervisor', async () => {
    const f = await resolvedIn(['AGENT', 'SUPERVISOR']);
    expect(await reviewed(f)).toEqual({ level: 'L2', assignee: f.ids[1], via: 'SUPERVISOR' });
  });

  it('with nobody else at all: the queue (unassigned), not the previous handler', async () => {
    const f = await resolvedIn(['AGENT']);
    expect(await reviewed(f)).toEqual({ level: 'L2', assignee: null, via: 'NONE' });
  });

  it('is refused for someone who does not own the feedback, and for withdrawn (closed) feedback', async () => {
    const alice = await env.customerToken('alice-review');
    const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'The card fee was wrong' } }, { ...channel(), ...bearer(alice) });
    const code = s.data.submitFeedback.trackingCode as string;
    const t = await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { id } } }`, { c: code }, bearer(supervisor));
    await env.gql(TRANSITION, { input: { ticketId: t.data.trackFeedback.ticket.id, status: 'RESOLVED' } }, bearer(supervisor));
    const bob = await env.customerToken('bob-review');
    const asBob = await env.gql(REVIEW, { input: { trackingCode: code } }, { ...channel(), ...bearer(bob) });
    expect(asBob.data.requestReview.__typename).toBe('NotFoundError');
    const guessed = await env.gql(REVIEW, { input: { trackingCode: code, accessKey: 'A'.repeat(26) } }, channel());
    expect(guessed.data.requestReview.__typename).toBe('NotFoundError');
    const after = await env.gql(TICKET, { c: code }, bearer(supervisor));
    expect(after.data.trackFeedback.ticket).toMatchObject({ status: 'RESOLVED', reviewRequestedAt: null });

    const w = await submitAnonymous();
    await env.gql(WITHDRAW, { input: { trackingCode: w.code, accessKey: w.key } });
    const r = await env.gql(REVIEW, { input: { trackingCode: w.code, accessKey: w.key } });
    expect(r.data.requestReview).toMatchObject({ __typename: 'NotAllowedError', reason: 'NOT_RESOLVED' });
  });

  it('is WINDOW_PASSED after the review window', async () => {
    const f = await submitAnonymous();
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED' } }, bearer(supervisor));
    await env.handle.db.update(tickets).set({ resolvedAt: new Date(Date.now() - 31 * 86_400_000) }).where(eq(tickets.id, rawId(f.ticketId)));
    const r = await env.gql(REVIEW, { input: { trackingCode: f.code, accessKey: f.key } });
    expect(r.data.requestReview).toMatchObject({ __typename: 'NotAllowedError', reason: 'WINDOW_PASSED' });
  });
});

describe('poor ratings', () => {
  it('a rating of 1–2 flags the ticket for the supervisor with an INTERNAL event; 4 does not', async () => {
    const RATE = `mutation($input: RateFeedbackInput!){ rateFeedback(input:$input){ __typename } }`;
    const poor = await submitAnonymous();
    await env.gql(TRANSITION, { input: { ticketId: poor.ticketId, status: 'RESOLVED' } }, bearer(supervisor));
    await env.gql(RATE, { input: { trackingCode: poor.code, accessKey: poor.key, rating: 2, comment: 'Nobody called me' } });
    const good = await submitAnonymous();
    await env.gql(TRANSITION, { input: { ticketId: good.ticketId, status: 'RESOLVED' } }, bearer(supervisor));
    await env.gql(RATE, { input: { trackingCode: good.code, accessKey: good.key, rating: 4 } });

    const p = (await env.gql(TICKET, { c: poor.code }, bearer(supervisor))).data.trackFeedback.ticket;
    expect(p.followUpRequired).toBe(true);
    expect(p.timeline.find((e: { type: string }) => e.type === 'FOLLOW_UP_REQUESTED')).toEqual({ type: 'FOLLOW_UP_REQUESTED', visibility: 'INTERNAL', body: 'Nobody called me' });
    const g = (await env.gql(TICKET, { c: good.code }, bearer(supervisor))).data.trackFeedback.ticket;
    expect(g.followUpRequired).toBe(false);
    const queue = await env.gql(`{ tickets(filter: { followUpRequired: true }, first: 50) { edges { node { id } } } }`, {}, bearer(supervisor));
    const ids = queue.data.tickets.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toContain(poor.ticketId);
    expect(ids).not.toContain(good.ticketId);
  });
});
