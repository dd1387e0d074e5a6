// trackFeedback answers most selections with one hand-written statement (src/schema/fast-track.ts).
// It must answer exactly what the drizzle path answers (node(id:) goes through drizzle), keep
// INTERNAL events from customers, and fall back for selections it does not take.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, bearer, SUBMIT, type TestEnv } from './helpers.ts';

let env: TestEnv;
let supervisor: string;
let anon: { trackingCode: string; accessKey: string; id: string };

const FIELDS = `id trackingCode kind channel status content category tags receivedAt expectedResolutionAt contact { name phone email }
  timeline { id position cursor sequence type visibility fromStatus toStatus body actorType actorName createdAt }`;

beforeAll(async () => {
  env = await setup();
  supervisor = (await env.staffToken('SUPERVISOR')).token;
  const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Fast path: the ATM kept my card', tags: ['atm', 'card'], contact: { name: 'Ann', email: 'ann@example.com' } } }, { 'x-closeloop-channel': env.channel.publishableKey });
  anon = { ...s.data.submitFeedback, id: s.data.submitFeedback.feedback.id };
  const t = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: anon.trackingCode }, bearer(supervisor));
  const ticketId = t.data.trackFeedback.ticket.id;
  for (const [body, visibility] of [['internal: check the ATM log', 'INTERNAL'], ['We are on it.', 'PUBLIC']] as const) {
    const r = await env.gql(`mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { __typename } }`, { i: { ticketId, body, visibility } }, bearer(supervisor));
    expect(r.data.addTicketNote.__typename).toBe('TicketPayload');
  }
});
afterAll(() => env.close());

describe('trackFeedback fast path', () => {
  it('answers as the drizzle path does, for staff (INTERNAL included)', async () => {
    const fast = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ${FIELDS} } }`, { c: anon.trackingCode }, bearer(supervisor));
    const slow = await env.gql(`query($id: ID!) { node(id: $id) { ... on Feedback { ${FIELDS} } } }`, { id: anon.id }, bearer(supervisor));
    expect(fast.errors).toBeUndefined();
    expect(fast.data.trackFeedback).toEqual(slow.data.node);
    expect(fast.data.trackFeedback.timeline.map((e: any) => e.visibility)).toEqual(['PUBLIC', 'INTERNAL', 'PUBLIC']);
    expect(fast.data.trackFeedback.tags).toEqual(['atm', 'card']);
  });

  it('gives anonymous submitters PUBLIC events only, in one statement', async () => {
    env.queries.length = 0;
    const r = await env.gql(`query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { ${FIELDS} } }`, { c: anon.trackingCode, k: anon.accessKey });
    expect(env.queries).toHaveLength(1);
    expect(env.queries[0]).toMatch(/^select json_build_object/);
    const f = r.data.trackFeedback;
    expect(f.timeline.map((e: any) => e.position)).toEqual([1, 3]);
    expect(JSON.stringify(f)).not.toContain('internal: check');
    expect(new Date(f.timeline[1].createdAt).getTime()).toBeGreaterThanOrEqual(new Date(f.receivedAt).getTime());
  });

  it('falls back to drizzle for selections it does not take, with the same answer', async () => {
    const q = `query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { trackingCode timeline { position feedback { trackingCode } } } }`;
    env.queries.length = 0;
    const r = await env.gql(q, { c: anon.trackingCode, k: anon.accessKey });
    expect(r.errors).toBeUndefined();
    expect(env.queries[0]).not.toMatch(/^select json_build_object/);
    expect(r.data.trackFeedback.timeline).toEqual([
      { position: 1, feedback: { trackingCode: anon.trackingCode } },
      { position: 3, feedback: { trackingCode: anon.trackingCode } },
    ]);
  });

  it('returns null for unknown codes and wrong keys', async () => {
    const q = `query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { id } }`;
    expect((await env.gql(q, { c: 'FB-0000-0000', k: anon.accessKey })).data.trackFeedback).toBeNull();
    expect((await env.gql(q, { c: anon.trackingCode, k: 'A'.repeat(26) })).data.trackFeedback).toBeNull();
  });
});
