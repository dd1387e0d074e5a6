import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { satisfactionRatings } from '@closeloop/db';
import { bearer, setup, SUBMIT, TRACK, TRANSITION, type TestEnv } from './helpers.ts';

const RATE = /* GraphQL */ `
  mutation Rate($input: RateFeedbackInput!) {
    rateFeedback(input: $input) {
      __typename
      ... on RateFeedbackPayload { rating { rating comment } feedback { status rating { rating } } }
      ... on Error { code message }
      ... on ValidationError { fieldErrors { path code } }
    }
  }
`;

let env: TestEnv;
let staff: string;
beforeAll(async () => {
  env = await setup();
  staff = (await env.staffToken('AGENT')).token;
});
afterAll(() => env.close());

async function submitAnonymous() {
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'The ATM kept my card' } }, { 'x-closeloop-channel': env.channel.publishableKey });
  const p = r.data.submitFeedback;
  const ticketId = (await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { id } } }`, { c: p.trackingCode }, bearer(staff))).data.trackFeedback.ticket.id;
  return { code: p.trackingCode as string, key: p.accessKey as string, feedbackId: p.feedback.id as string, ticketId: ticketId as string };
}

describe('rateFeedback', () => {
  it('refuses a rating before resolution, then stores one and closes the ticket', async () => {
    const f = await submitAnonymous();
    const early = await env.gql(RATE, { input: { trackingCode: f.code, accessKey: f.key, rating: 5 } });
    expect(early.data.rateFeedback).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });

    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED', note: 'Card returned' } }, bearer(staff));
    const r = await env.gql(RATE, { input: { trackingCode: f.code, accessKey: f.key, rating: 4, comment: '  quick <b>thanks</b> ' } });
    expect(r.data.rateFeedback).toEqual({
      __typename: 'RateFeedbackPayload',
      rating: { rating: 4, comment: 'quick <b>thanks</b>' },
      feedback: { status: 'CLOSED', rating: { rating: 4 } },
    });
    const rows = await env.handle.db.select().from(satisfactionRatings).where(eq(satisfactionRatings.ticketId, Buffer.from(f.ticketId, 'base64').toString().split(':')[1]!));
    expect(rows).toHaveLength(1);

    const track = await env.gql(TRACK, { code: f.code, key: f.key });
    const tail = track.data.trackFeedback.timeline.slice(-2);
    expect(tail).toMatchObject([{ type: 'RATED', visibility: 'PUBLIC' }, { type: 'STATUS_CHANGED', toStatus: 'CLOSED', visibility: 'PUBLIC' }]);

    const again = await env.gql(RATE, { input: { trackingCode: f.code, accessKey: f.key, rating: 1 } });
    expect(again.data.rateFeedback.__typename).toBe('ConflictError');
  });

  it('validates the rating and comment with field paths', async () => {
    const f = await submitAnonymous();
    const r = await env.gql(RATE, { input: { trackingCode: f.code, accessKey: f.key, rating: 6, comment: 'x'.repeat(1001) } });
    expect(r.data.rateFeedback.__typename).toBe('ValidationError');
    expect(r.data.rateFeedback.fieldErrors.map((e: { path: string[] }) => e.path.join('.'))).toEqual(['input.rating', 'input.comment']);
  });

  it('answers NotFound for a wrong key and Forbidden for staff', async () => {
    const f = await submitAnonymous();
    await env.gql(TRANSITION, { input: { ticketId: f.ticketId, status: 'RESOLVED' } }, bearer(staff));
    const wrong = await env.gql(RATE, { input: { trackingCode: f.code, accessKey: 'A'.repeat(26), rating: 5 } });
    expect(wrong.data.rateFeedback.__typename).toBe('NotFoundError');
    const unknown = await env.gql(RATE, { input: { trackingCode: 'FB-0000-0000', accessKey: f.key, rating: 5 } });
    expect(unknown.data.rateFeedback.__typename).toBe('NotFoundError');
    const byStaff = await env.gql(RATE, { input: { trackingCode: f.code, accessKey: f.key, rating: 5 } }, bearer(staff));
    expect(byStaff.data.rateFeedback.__typename).toBe('ForbiddenError');
  });

  it('lets the signed-in owner rate without an access key, and only them', async () => {
    const token = await env.customerToken('cust-rate-1');
    const headers = { ...bearer(token), 'x-closeloop-channel': env.channel.publishableKey };
    const s = await env.gql(SUBMIT, { input: { kind: 'INQUIRY', content: 'How do I close my account?' } }, headers);
    const code = s.data.submitFeedback.trackingCode;
    const ticketId = (await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { id } } }`, { c: code }, bearer(staff))).data.trackFeedback.ticket.id;
    await env.gql(TRANSITION, { input: { ticketId, status: 'RESOLVED' } }, bearer(staff));
    const other = await env.customerToken('cust-rate-2');
    const stranger = await env.gql(RATE, { input: { trackingCode: code, rating: 2 } }, { ...bearer(other), 'x-closeloop-channel': env.channel.publishableKey });
    expect(stranger.data.rateFeedback.__typename).toBe('NotFoundError');
    const r = await env.gql(RATE, { input: { trackingCode: code, rating: 5 } }, headers);
    expect(r.data.rateFeedback.__typename).toBe('RateFeedbackPayload');
  });
});
