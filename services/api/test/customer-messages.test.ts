// replyToFeedback (issue 14): customer messages, SLA resume, reopening, idempotency, typed errors, display names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { staff as staffTable, tickets, timelineEvents } from '@closeloop/db';
import { defaultDisplayName } from '@closeloop/domain';
import { bearer, setup, SUBMIT, TRANSITION, type TestEnv } from './helpers.ts';
import { ADD_NOTE, collect, TICKET_EVENTS, wsClient } from './realtime-helpers.ts';

export const REPLY = /* GraphQL */ `
  mutation Reply($input: ReplyToFeedbackInput!) {
    replyToFeedback(input: $input) {
      __typename
      ... on ReplyToFeedbackPayload { trackingCode accessKey replayed event { type visibility body actorType actorName } feedback { status canReply } }
      ... on NotAllowedError { reason }
      ... on Error { code message }
      ... on ValidationError { fieldErrors { path code } }
    }
  }
`;

const TRACK = /* GraphQL */ `
  query Track($code: String!, $key: String) {
    trackFeedback(trackingCode: $code, accessKey: $key) {
      status canReply
      timeline { type visibility toStatus body actorType actorName actorDisplayName }
    }
  }
`;

let env: TestEnv;
let agent: { token: string; id: string };
const channel = () => ({ 'x-closeloop-channel': env.channel.publishableKey });

beforeAll(async () => {
  env = await setup();
  agent = await env.staffToken('AGENT');
});
afterAll(() => env.close());

async function submitAnonymous(content = 'The ATM kept my card') {
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content } }, channel());
  const p = r.data.submitFeedback;
  const t = await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { id } } }`, { c: p.trackingCode }, bearer(agent.token));
  return { code: p.trackingCode as string, key: p.accessKey as string, ticketId: t.data.trackFeedback.ticket.id as string };
}

const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':').slice(1).join(':');

describe('replyToFeedback', () => {
  it('answers the staff question: AWAITING_CUSTOMER → IN_PROGRESS and the SLA pause ends at the reply', async () => {
    const f = await submitAnonymous();
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'ACKNOWLEDGED' } }, bearer(agent.token));
    const asked = await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'AWAITING_CUSTOMER', note: 'Which branch was it?' } }, bearer(agent.token));
    expect(asked.data.transitionTicket.ticket.status).toBe('AWAITING_CUSTOMER');
    const [paused] = await env.handle.db.select().from(tickets).where(eq(tickets.id, rawId(f.ticketId)));
    expect(paused!.slaPauses.at(-1)!.to).toBeNull();

    const before = Date.now();
    const r = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: '  The one on Nanjing Road  ', idempotencyKey: 'msg-0001-abc' } }, channel());
    expect(r.data.replyToFeedback).toMatchObject({
      __typename: 'ReplyToFeedbackPayload', replayed: false,
      event: { type: 'CUSTOMER_MESSAGE', visibility: 'PUBLIC', body: 'The one on Nanjing Road', actorType: 'ANONYMOUS', actorName: null },
      feedback: { status: 'IN_PROGRESS', canReply: true },
    });
    const [resumed] = await env.handle.db.select().from(tickets).where(eq(tickets.id, rawId(f.ticketId)));
    expect(resumed!.status).toBe('IN_PROGRESS');
    const pause = resumed!.slaPauses.at(-1)!;
    expect(pause.to).not.toBeNull();
    expect(new Date(pause.to!).getTime()).toBeGreaterThanOrEqual(before - 1000);

    // Staff see the customer's message as its own type, and the status change it caused.
    const staffView = await env.gql(
      `query($c:String!){ trackFeedback(trackingCode:$c){ ticket { timeline { type actorType body } } } }`, { c: f.code }, bearer(agent.token),
    );
    const types = staffView.data.trackFeedback.ticket.timeline.map((e: { type: string }) => e.type);
    expect(types.slice(-2)).toEqual(['CUSTOMER_MESSAGE', 'STATUS_CHANGED']);

    // A retry with the same key is the same message; with other content, a conflict.
    const again = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'The one on Nanjing Road', idempotencyKey: 'msg-0001-abc' } }, channel());
    expect(again.data.replyToFeedback).toMatchObject({ replayed: true, event: { body: 'The one on Nanjing Road' } });
    const other = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'Something else', idempotencyKey: 'msg-0001-abc' } }, channel());
    expect(other.data.replyToFeedback.__typename).toBe('ConflictError');
    const stored = await env.handle.db.select().from(timelineEvents).where(eq(timelineEvents.type, 'CUSTOMER_MESSAGE'));
    expect(stored.filter((e) => e.body === 'The one on Nanjing Road')).toHaveLength(1);
  });

  it('refuses empty, too long, unknown and wrong-key messages with typed errors, changing nothing', async () => {
    const f = await submitAnonymous();
    const empty = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: '   ' } }, channel());
    expect(empty.data.replyToFeedback).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'body'], code: 'REQUIRED' }] });
    // 5000 emoji are 5000 code points (allowed); one more is too long.
    const ok = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: '😀'.repeat(5000) } }, channel());
    expect(ok.data.replyToFeedback.__typename).toBe('ReplyToFeedbackPayload');
    const long = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: '😀'.repeat(5001) } }, channel());
    expect(long.data.replyToFeedback).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'body'], code: 'TOO_LONG' }] });
    const wrongKey = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: 'x'.repeat(26), body: 'hello there' } }, channel());
    expect(wrongKey.data.replyToFeedback.__typename).toBe('NotFoundError');
    const byStaff = await env.gql(REPLY, { input: { trackingCode: f.code, body: 'hello there' } }, bearer(agent.token));
    expect(byStaff.data.replyToFeedback.__typename).toBe('ForbiddenError');
  });

  it('a signed-in customer replies without an access key; another customer cannot', async () => {
    const alice = await env.customerToken('alice-1');
    const s = await env.gql(SUBMIT, { input: { kind: 'INQUIRY', content: 'What is my card limit?' } }, { ...channel(), ...bearer(alice) });
    const code = s.data.submitFeedback.trackingCode;
    const mine = await env.gql(REPLY, { input: { trackingCode: code, body: 'Also the daily limit' } }, { ...channel(), ...bearer(alice) });
    expect(mine.data.replyToFeedback.event).toMatchObject({ type: 'CUSTOMER_MESSAGE', actorType: 'CUSTOMER', actorName: null });
    const bob = await env.customerToken('bob-1');
    const theirs = await env.gql(REPLY, { input: { trackingCode: code, body: 'Not mine' } }, { ...channel(), ...bearer(bob) });
    expect(theirs.data.replyToFeedback.__typename).toBe('NotFoundError');
  });

  it('after RESOLVED reopens once; the next message opens a new linked feedback; CLOSED refuses', async () => {
    const f = await submitAnonymous();
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED', note: 'Card returned' } }, bearer(agent.token));
    const first = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'It was not returned' } }, channel());
    expect(first.data.replyToFeedback).toMatchObject({ trackingCode: f.code, feedback: { status: 'IN_PROGRESS' } });
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED', note: 'Now it is' } }, bearer(agent.token));
    const second = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'Still missing, sorry' } }, channel());
    const p = second.data.replyToFeedback;
    expect(p.__typename).toBe('ReplyToFeedbackPayload');
    expect(p.trackingCode).not.toBe(f.code);
    expect(p.accessKey).toEqual(expect.any(String));
    expect(p.feedback.status).toBe('SUBMITTED');
    // The old one stays resolved.
    const old = await env.gql(TRACK, { code: f.code, key: f.key });
    expect(old.data.trackFeedback.status).toBe('RESOLVED');
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'CLOSED' } }, bearer(agent.token));
    const closed = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'Hello again' } }, channel());
    expect(closed.data.replyToFeedback).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED', reason: 'FEEDBACK_CLOSED' });
    const track = await env.gql(TRACK, { code: f.code, key: f.key });
    expect(track.data.trackFeedback.canReply).toBe(false);
  });

  it('after the reopen window a message is refused with WINDOW_PASSED', async () => {
    const f = await submitAnonymous();
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED' } }, bearer(agent.token));
    await env.handle.db.update(tickets).set({ resolvedAt: new Date(Date.now() - 15 * 86_400_000) }).where(eq(tickets.id, rawId(f.ticketId)));
    const r = await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'Too late?' } }, channel());
    expect(r.data.replyToFeedback).toMatchObject({ __typename: 'NotAllowedError', reason: 'WINDOW_PASSED' });
  });

  it('customers see staff display names, never internal names; staff see both', async () => {
    const named = await env.staffToken('AGENT');
    await env.handle.db.update(staffTable).set({ name: '王芳 (internal)', displayName: null }).where(eq(staffTable.id, named.id));
    const f = await submitAnonymous();
    // A fresh token: the viewer is read per request, so the new name is used.
    await env.gql(ADD_NOTE, { input: { ticketId: f.ticketId, body: 'We are checking', visibility: 'PUBLIC' } }, bearer(named.token));
    await env.handle.db.update(staffTable).set({ displayName: '客服 8888' }).where(eq(staffTable.id, named.id));
    await env.gql(ADD_NOTE, { input: { ticketId: f.ticketId, body: 'Found it', visibility: 'PUBLIC' } }, bearer(named.token));
    const track = await env.gql(TRACK, { code: f.code, key: f.key });
    const replies = track.data.trackFeedback.timeline.filter((e: { type: string }) => e.type === 'PUBLIC_REPLY');
    expect(replies.map((e: { actorName: string }) => e.actorName)).toEqual([defaultDisplayName(named.id), '客服 8888']);
    expect(JSON.stringify(track.data)).not.toContain('王芳');
    const staffView = await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ timeline { type actorName actorDisplayName } } }`, { c: f.code }, bearer(agent.token));
    const staffReplies = staffView.data.trackFeedback.timeline.filter((e: { type: string }) => e.type === 'PUBLIC_REPLY');
    expect(staffReplies[1]).toEqual({ type: 'PUBLIC_REPLY', actorName: '王芳 (internal)', actorDisplayName: '客服 8888' });
  });

  it('staff receive customer messages in ticketEvents', async () => {
    const port = await env.app.listen(0, '127.0.0.1');
    const f = await submitAnonymous();
    const seq = await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ timeline { sequence } } }`, { c: f.code }, bearer(agent.token));
    const after = seq.data.trackFeedback.timeline[0].sequence;
    await env.gql(REPLY, { input: { trackingCode: f.code, accessKey: f.key, body: 'Message for the queue' } }, channel());
    const client = wsClient(`ws://127.0.0.1:${port}/graphql`, { authorization: `Bearer ${agent.token}` });
    // Replay from before the message, filtered to customer messages: it arrives, then the stream is live.
    const sub = collect(client, TICKET_EVENTS, { filter: { types: ['CUSTOMER_MESSAGE'] }, after }, 'ticketEvents');
    await expect.poll(() => sub.received.events.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(sub.received.events.find((e) => e.body === 'Message for the queue')).toMatchObject({ type: 'CUSTOMER_MESSAGE', visibility: 'PUBLIC' });
    expect(sub.received.events.every((e) => e.type === 'CUSTOMER_MESSAGE')).toBe(true);
    sub.dispose();
    await client.dispose();
  });
});
