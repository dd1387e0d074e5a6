// Bad scalars and pagination: a typed error with a path, never an internal error, and nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { feedback } from '@closeloop/db';
import { idempotencyKey } from '@closeloop/sdk';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';

let env: TestEnv;
let staff: Record<string, string>;
let channel: Record<string, string>;
const total = async () => (await env.handle.db.select({ n: count() }).from(feedback))[0]!.n;

beforeAll(async () => {
  env = await setup();
  staff = bearer((await env.staffToken('SUPERVISOR')).token);
  channel = { 'x-closeloop-channel': env.channel.publishableKey };
  for (let i = 0; i < 3; i++) await env.gql(SUBMIT, { input: { kind: 'PRAISE', content: `Friendly staff, visit ${i}` } }, channel);
});
afterAll(() => env.close());

function noInternal(r: { status: number; errors?: any[] }) {
  expect(r.status).toBeLessThan(500);
  for (const e of r.errors ?? []) {
    expect(e.extensions?.code, JSON.stringify(e)).not.toBe('INTERNAL_SERVER_ERROR');
    expect(e.message).not.toBe('Unexpected error.');
  }
}

describe('DateTime', () => {
  const submit = (receivedAt: unknown) =>
    env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Phoned in: card declined', channel: 'PHONE', receivedAt } }, staff);

  it.each([
    ['no offset', '2026-05-01T09:30:00'],
    ['an impossible date', '2026-02-30T10:00:00Z'],
    ['an impossible time', '2026-05-01T25:61:00Z'],
    ['not a date', 'yesterday'],
    ['a number', 1767225600000],
    ['year 0', '0000-01-01T00:00:00Z'],
  ])('refuses %s as a variable error naming the variable, and writes nothing', async (_name, value) => {
    const before = await total();
    const r = await submit(value);
    noInternal(r);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/\$input.*receivedAt/);
    expect(await total()).toBe(before);
  });

  it('accepts an offset and keeps the instant', async () => {
    const r = await submit('2026-05-01T09:30:00+08:00');
    expect(r.data.submitFeedback.__typename).toBe('SubmitFeedbackPayload');
  });

  it('refuses an impossible literal in the document with a located error', async () => {
    const r = await env.gql(`{ businessCalendars { addBusinessMinutes(from: "2026-02-30T10:00:00Z", minutes: 5) } }`, {}, staff);
    noInternal(r);
    expect(r.errors?.[0]?.locations).toBeTruthy();
  });
});

describe('NUL bytes', () => {
  it('in a variable are a BAD_USER_INPUT error with the variable path, and nothing is written', async () => {
    const before = await total();
    const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'bad \u0000 byte in here' } }, channel);
    noInternal(r);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.extensions?.path ?? r.errors?.[0]?.message).toEqual(expect.anything());
    expect(JSON.stringify(r.errors)).toMatch(/input.*content/);
    expect(await total()).toBe(before);
  });

  it('in a document literal or a query argument are refused too', async () => {
    const lit = await env.gql(`{ trackFeedback(trackingCode: "FB-\\u0000") { id } }`, {}, channel);
    noInternal(lit);
    expect(lit.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const search = await env.gql(`query($s: String) { customers(first: 5, search: $s) { edges { node { id } } } }`, { s: 'a\u0000b' }, staff);
    noInternal(search);
    expect(search.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('pagination', () => {
  it.each([
    ['first: 2147483647', `{ feedbacks(first: 2147483647) { edges { node { id } } } }`],
    ['first: -1', `{ feedbacks(first: -1) { edges { node { id } } } }`],
    ['last: 2147483647', `{ tickets(last: 2147483647) { edges { node { id } } } }`],
    ['first: 500', `{ tickets(first: 500) { edges { node { id } } } }`],
    ['a nested first past the bound', `{ customers(first: 1) { edges { node { feedback(first: 2147483647) { totalCount } } } } }`],
    ['an out-of-range Int', `{ feedbacks(first: 99999999999) { edges { node { id } } } }`],
    ['a garbage cursor', `{ feedbacks(first: 2, after: "not-a-cursor") { edges { node { id } } } }`],
    ['a cursor of another shape', `{ tickets(first: 2, after: "${Buffer.from('DC:{"x":1}').toString('base64')}") { edges { node { id } } } }`],
    ['a cursor whose id is no UUID', `{ tickets(first: 2, after: "${Buffer.from('DC:T:["D:1700000000000","S:not-a-uuid"]').toString('base64')}") { edges { node { id } } } }`],
    ['a cursor with a date out of range', `{ feedbacks(first: 2, after: "${Buffer.from('DC:T:["D:99999999999999999","S:00000000-0000-0000-0000-000000000000"]').toString('base64')}") { edges { node { id } } } }`],
    ['a cursor with a number for its instant', `{ customers(first: 2, after: "${Buffer.from('DC:N:5').toString('base64')}") { edges { node { id } } } }`],
    ['a due-order cursor with no instant', `{ tickets(first: 2, orderBy: DUE_SOONEST, after: "${Buffer.from('DC:T:["S:soon","S:00000000-0000-0000-0000-000000000000"]').toString('base64')}") { edges { node { id } } } }`],
    ['a search cursor whose id is no UUID', `{ searchTickets(query: "card", first: 2, after: "${Buffer.from('DC:T:["D:1","S:x"]').toString('base64')}") { edges { node { id } } } }`],
    ['a nested cursor whose id is no UUID', `{ customers(first: 5) { edges { node { feedback(first: 2, after: "${Buffer.from('DC:T:["D:1700000000000","S:not-a-uuid"]').toString('base64')}") { edges { node { id } } } } } } }`],
    ['first and last together', `{ tickets(first: 2, last: 2) { edges { node { id } } } }`],
  ])('%s is a field error with a path, never an internal one', async (_name, doc) => {
    const r = await env.gql(doc, {}, staff);
    noInternal(r);
    expect(r.errors?.length).toBeGreaterThan(0);
    // A field error with its path, or the document refused up front by the cost limit.
    expect(r.errors![0].path ?? r.errors![0].locations ?? r.errors![0].message.match(/cost limit/i)).toBeTruthy();
  });

  it('node(id:) of nothing is null, and an ID of no object is BAD_USER_INPUT, never an internal error', async () => {
    const g = (t: string, id: string) => Buffer.from(`${t}:${id}`).toString('base64');
    const missing = await env.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: g('Ticket', '00000000-0000-4000-8000-000000000000') }, staff);
    expect(missing).toMatchObject({ data: { node: null } });
    expect(missing.errors).toBeUndefined();
    for (const id of [g('Ticket', 'nope'), g('Feedback', '42'), g('TimelineEvent', 'x'), g('Nope', 'x'), 'garbage']) {
      const r = await env.gql(`query($id: ID!) { node(id: $id) { id } }`, { id }, staff);
      noInternal(r);
      expect(r.errors?.[0]?.extensions?.code, `${id}: ${JSON.stringify(r)}`).toBe('BAD_USER_INPUT');
      expect(r.data).toEqual({ node: null });
    }
  });

  it('a page past the end is empty, not an error', async () => {
    const first = await env.gql(`{ feedbacks(first: 100) { edges { cursor } pageInfo { hasNextPage endCursor } } }`, {}, staff);
    const r = await env.gql(`query($a: String) { feedbacks(first: 5, after: $a) { edges { cursor } pageInfo { hasNextPage } } }`, { a: first.data.feedbacks.pageInfo.endCursor }, staff);
    noInternal(r);
    expect(r.data.feedbacks.edges).toEqual([]);
  });
});

describe('an accepted write never loses its answer', () => {
  it('an anonymous submission that also selects fields it may not read still returns its tracking code and access key', async () => {
    const before = await total();
    const r = await env.gql(
      `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { __typename ... on SubmitFeedbackPayload {
        trackingCode accessKey feedback { id ticket { id assignee { email } } customer { phone } sla { state } } } } }`,
      { input: { kind: 'INQUIRY', content: 'Which documents do I need for a loan?', idempotencyKey: idempotencyKey() } },
      channel,
    );
    noInternal(r);
    expect(r.data.submitFeedback.trackingCode).toMatch(/^FB-/);
    expect(r.data.submitFeedback.accessKey).toBeTruthy();
    expect(r.data.submitFeedback.feedback.ticket).toBeNull();
    expect(r.errors?.every((e: any) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    expect(await total()).toBe(before + 1);
  });
});
