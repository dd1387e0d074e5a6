// Replaying the progress of feedback merged into another ticket since. An event keeps the ticket it was
// written on, but who may read it follows its feedback's ticket now (the TimelineEvent rule): the
// streams must decide the same way, or an event a stream accepts is refused while its result is
// executed (FORBIDDEN) and one the caller may read is never sent. Real WebSocket, PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { departments, feedback, tickets } from '@closeloop/db';
import { bearer, setup, SUBMIT, TRANSITION, type TestEnv } from './helpers.ts';
import { ADD_NOTE, collect, waitFor, wsClient } from './realtime-helpers.ts';

let env: TestEnv;
let wsUrl: string;
let supervisor: string;

// The fields a widget selects, the nested feedback included (its rule is checked per event too).
const PROGRESS = /* GraphQL */ `
  subscription Progress($code: String!, $key: String, $after: String) {
    feedbackProgress(trackingCode: $code, accessKey: $key, after: $after) { cursor type visibility toStatus body feedback { trackingCode } }
  }
`;
const QUEUE = 'subscription($after: String) { ticketEvents(after: $after) { sequence type visibility body feedback { trackingCode } } }';
const TICKET_ID = 'query($c: String!) { trackFeedback(trackingCode: $c) { id ticket { id } } }';
const MERGE = 'mutation($i: MergeFeedbackInput!) { mergeFeedback(input: $i) { __typename } }';

type Submitted = { code: string; key: string | null; id: string; ticketId: string };
let owned: Submitted; // a signed-in customer's, merged into the incident
let anonymous: Submitted; // an anonymous submitter's (access key), merged too
let incident: Submitted; // another customer's, on the ticket that handles the incident (moved to RISK)
let ownerToken: string;

async function submit(content: string, token?: string): Promise<Submitted> {
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content } }, { 'x-closeloop-channel': env.channel.publishableKey, ...(token ? bearer(token) : {}) });
  expect(r.data.submitFeedback.__typename).toBe('SubmitFeedbackPayload');
  const code = r.data.submitFeedback.trackingCode as string;
  const f = (await env.gql(TICKET_ID, { c: code }, bearer(supervisor))).data.trackFeedback;
  return { code, key: r.data.submitFeedback.accessKey, id: f.id, ticketId: f.ticket.id };
}

async function transition(ticketId: string, status: string) {
  expect((await env.gql(TRANSITION, { input: { ticketId, status } }, bearer(supervisor))).data.transitionTicket.__typename).toBe('TicketPayload');
}

async function note(ticketId: string, body: string, visibility: 'PUBLIC' | 'INTERNAL') {
  expect((await env.gql(ADD_NOTE, { input: { ticketId, body, visibility } }, bearer(supervisor))).data.addTicketNote.__typename).toBe('TicketPayload');
}

async function merge(ticketId: string, feedbackId: string) {
  expect((await env.gql(MERGE, { i: { ticketId, feedbackIds: [feedbackId] } }, bearer(supervisor))).data.mergeFeedback.__typename).toBe('TicketPayload');
}

beforeAll(async () => {
  env = await setup({ realtime: { recheckMs: 200, pollMs: 500 } });
  const port = await env.app.listen(0, '127.0.0.1');
  wsUrl = `ws://127.0.0.1:${port}/graphql`;
  supervisor = (await env.staffToken('SUPERVISOR')).token;
  ownerToken = await env.customerToken('merge-owner');
  owned = await submit('The ATM on Renmin Road swallowed my card.', ownerToken);
  anonymous = await submit('The ATM on Renmin Road gave me no cash but debited my account.');
  incident = await submit('The ATM on Renmin Road is out of order.', await env.customerToken('merge-other'));
  // The incident is handled by another department than the one the merged feedback started in.
  const db = env.handle.db;
  const [risk] = await db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'RISK'));
  const [row] = await db.select({ ticketId: feedback.ticketId }).from(feedback).where(eq(feedback.trackingCode, incident.code));
  await db.update(tickets).set({ departmentId: risk!.id }).where(eq(tickets.id, row!.ticketId));
  // Before the merge: public and internal events on the customers' own tickets, and on the incident's.
  await transition(owned.ticketId, 'ACKNOWLEDGED');
  await note(owned.ticketId, 'Internal: card retained by the machine.', 'INTERNAL');
  await note(owned.ticketId, 'We are retrieving your card.', 'PUBLIC');
  await transition(anonymous.ticketId, 'ACKNOWLEDGED');
  await note(incident.ticketId, 'Only for the incident reporter.', 'PUBLIC');
  await merge(incident.ticketId, owned.id);
  await merge(incident.ticketId, anonymous.id);
});
afterAll(() => env?.close());

let sentinels = 0;

/**
 * Subscribes each follower, commits `live`, then a PUBLIC sentinel note on each of `sentinelTickets`;
 * once every follower has a sentinel, everything committed before it has arrived (commit order).
 */
async function follow(followers: Array<{ params: Record<string, unknown>; query: string; variables: Record<string, unknown>; field: string }>, sentinelTickets: string[], live: () => Promise<void>) {
  const subs = followers.map((f) => {
    const client = wsClient(wsUrl, f.params);
    return { client, sub: collect(client, f.query, f.variables, f.field) };
  });
  try {
    // The replay goes first (up to what was committed when the stream registered), then live events.
    await waitFor(() => env.app.realtime.size === subs.length, 10_000, 'the subscriptions registered');
    await live();
    const sentinel = `sentinel ${++sentinels}`;
    for (const ticketId of sentinelTickets) await note(ticketId, sentinel, 'PUBLIC');
    for (const { sub } of subs) await waitFor(() => sub.received.events.some((e) => e.body === sentinel) || sub.received.completed, 10_000, 'the sentinel');
    return subs.map(({ sub }) => ({ ...sub.received, sentinel }));
  } finally {
    for (const { sub, client } of subs) {
      sub.dispose();
      await client.dispose();
    }
    await waitFor(() => env.app.realtime.size === 0, 5000, 'the subscriptions released');
  }
}

describe('feedbackProgress and ticketEvents replay after a merge', () => {
  it("replays the customer's own events from before and after the merge, then continues live: nothing else, no error", async () => {
    const customer = { authorization: `Bearer ${ownerToken}`, channelKey: env.channel.publishableKey };
    const [owner, holder, resumed] = await follow([
      { params: customer, query: PROGRESS, variables: { code: owned.code, after: '0' }, field: 'feedbackProgress' },
      { params: { channelKey: env.channel.publishableKey }, query: PROGRESS, variables: { code: anonymous.code, key: anonymous.key, after: '0' }, field: 'feedbackProgress' },
      // Resuming from the cursor of the first event: what came after it, before and after the merge.
      { params: customer, query: PROGRESS, variables: { code: owned.code, after: '1' }, field: 'feedbackProgress' },
    ], [incident.ticketId], () => transition(incident.ticketId, 'IN_PROGRESS'));
    for (const r of [owner!, holder!, resumed!]) expect(r.errors).toEqual([]);
    const merged = expect.stringContaining('handled together');
    expect(owner!.events.map((e) => [e.cursor, e.type, e.toStatus, e.body])).toEqual([
      ['1', 'SUBMITTED', 'SUBMITTED', null],
      ['2', 'STATUS_CHANGED', 'ACKNOWLEDGED', null],
      ['4', 'PUBLIC_REPLY', null, 'We are retrieving your card.'], // 3 is the internal note
      ['5', 'MERGED', null, merged],
      ['6', 'MERGED', null, merged], // the anonymous submitter's feedback joining the incident
      ['7', 'STATUS_CHANGED', 'IN_PROGRESS', null],
      ['8', 'PUBLIC_REPLY', null, owner!.sentinel],
    ]);
    expect(resumed!.events.map((e) => e.cursor)).toEqual(['2', '4', '5', '6', '7', '8']);
    expect(holder!.events.map((e) => [e.cursor, e.type, e.toStatus])).toEqual([
      ['1', 'SUBMITTED', 'SUBMITTED'], ['2', 'STATUS_CHANGED', 'ACKNOWLEDGED'], ['3', 'MERGED', null], ['4', 'STATUS_CHANGED', 'IN_PROGRESS'], ['5', 'PUBLIC_REPLY', null],
    ]);
    // Every event is of the follower's own feedback: never the incident reporter's reply.
    expect(owner!.events.every((e) => e.visibility === 'PUBLIC' && e.feedback.trackingCode === owned.code)).toBe(true);
    expect(holder!.events.every((e) => e.visibility === 'PUBLIC' && e.feedback.trackingCode === anonymous.code)).toBe(true);
  });

  it("gives staff of the incident's department the merged feedback's earlier events, and the old department none of them, without FORBIDDEN", async () => {
    const incidentAgent = (await env.staffToken('AGENT', 'RISK')).token;
    const formerAgent = (await env.staffToken('AGENT', 'CUSTOMER_SERVICE')).token;
    // A ticket still in the old department, for the former agent's sentinel.
    const stays = await submit('My card was declined at a shop.');
    const [progress, incidentQueue, formerQueue] = await follow([
      { params: { authorization: `Bearer ${incidentAgent}` }, query: PROGRESS, variables: { code: owned.code, after: '0' }, field: 'feedbackProgress' },
      { params: { authorization: `Bearer ${incidentAgent}` }, query: QUEUE, variables: { after: '0' }, field: 'ticketEvents' },
      { params: { authorization: `Bearer ${formerAgent}` }, query: QUEUE, variables: { after: '0' }, field: 'ticketEvents' },
    ], [incident.ticketId, stays.ticketId], async () => {});
    for (const r of [progress!, incidentQueue!, formerQueue!]) expect(r.errors).toEqual([]);
    // The agent follows the feedback as trackFeedback shows it to them: its whole public timeline.
    const shown = await env.gql('query($c: String!) { trackFeedback(trackingCode: $c) { timeline { cursor visibility } } }', { c: owned.code }, bearer(incidentAgent));
    const publicCursors = shown.data.trackFeedback.timeline.filter((e: any) => e.visibility === 'PUBLIC').map((e: any) => e.cursor);
    expect(publicCursors.slice(0, 5)).toEqual(['1', '2', '4', '5', '6']);
    expect(progress!.events.map((e) => e.cursor)).toEqual(publicCursors);
    const byFeedback = (events: any[], code: string) => events.filter((e) => e.feedback.trackingCode === code).map((e) => (/NOTE|REPLY/.test(e.type) ? e.body : e.type));
    // The incident's department: every event of the merged feedback, the internal note included.
    expect(byFeedback(incidentQueue!.events, owned.code).slice(0, 6)).toEqual(['SUBMITTED', 'STATUS_CHANGED', 'Internal: card retained by the machine.', 'We are retrieving your card.', 'MERGED', 'MERGED']);
    expect(byFeedback(incidentQueue!.events, stays.code)).toEqual([]);
    // The old department: its own ticket, nothing of the feedback that left it.
    expect(byFeedback(formerQueue!.events, stays.code)).toEqual(['SUBMITTED', formerQueue!.sentinel]);
    expect(formerQueue!.events.filter((e) => e.feedback.trackingCode !== stays.code)).toEqual([]);
  });
});
