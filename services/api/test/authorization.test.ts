import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { setup, bearer, SUBMIT, TRACK, TRANSITION, type TestEnv } from './helpers.ts';

let env: TestEnv;
let channelHeader: Record<string, string>;
let aliceToken: string;
let bobToken: string;
let alice: { trackingCode: string; id: string };
let anon: { trackingCode: string; accessKey: string; id: string };
let ticketId: string;
let supervisor: string;

beforeAll(async () => {
  env = await setup();
  channelHeader = { 'x-closeloop-channel': env.channel.publishableKey };
  aliceToken = await env.customerToken('alice', { name: 'Alice' });
  bobToken = await env.customerToken('bob', { name: 'Bob' });
  const a = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Alice: my card was charged twice' } }, { ...channelHeader, ...bearer(aliceToken) });
  alice = { trackingCode: a.data.submitFeedback.trackingCode, id: a.data.submitFeedback.feedback.id };
  expect(a.data.submitFeedback.accessKey).toBeNull();
  const n = await env.gql(SUBMIT, { input: { kind: 'INQUIRY', content: 'Anonymous: branch opening hours?' } }, channelHeader);
  anon = { ...n.data.submitFeedback, id: n.data.submitFeedback.feedback.id };
  supervisor = (await env.staffToken('SUPERVISOR')).token;
  const q = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: alice.trackingCode }, bearer(supervisor));
  ticketId = q.data.trackFeedback.ticket.id;
  await env.gql(`mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { __typename } }`,
    { i: { ticketId, body: 'INTERNAL: customer flagged as difficult', visibility: 'INTERNAL' } }, bearer(supervisor));
  await env.gql(`mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { __typename } }`,
    { i: { ticketId, body: 'We are checking the duplicate charge.', visibility: 'PUBLIC' } }, bearer(supervisor));
});
afterAll(() => env.close());

describe('customers', () => {
  it('see their own feedback with public events only', async () => {
    const r = await env.gql(TRACK, { code: alice.trackingCode }, { ...channelHeader, ...bearer(aliceToken) });
    const f = r.data.trackFeedback;
    expect(f.trackingCode).toBe(alice.trackingCode);
    expect(f.timeline.map((e: any) => e.type)).toEqual(['SUBMITTED', 'PUBLIC_REPLY']);
    expect(JSON.stringify(r)).not.toContain('INTERNAL');
  });

  it('cannot read another customer\'s feedback via trackFeedback, node or connections', async () => {
    const h = { ...channelHeader, ...bearer(bobToken) };
    expect((await env.gql(TRACK, { code: alice.trackingCode }, h)).data.trackFeedback).toBeNull();
    const node = await env.gql(`query($id: ID!) { node(id: $id) { id ... on Feedback { content } } }`, { id: alice.id }, h);
    expect(node.data?.node ?? null).toBeNull();
    expect(node.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const list = await env.gql(`{ feedbacks(first: 50) { edges { node { trackingCode } } } }`, {}, h);
    expect(list.data.feedbacks.edges).toEqual([]);
    const own = await env.gql(`{ feedbacks(first: 50) { edges { node { trackingCode } } } }`, {}, { ...channelHeader, ...bearer(aliceToken) });
    expect(own.data.feedbacks.edges.map((e: any) => e.node.trackingCode)).toEqual([alice.trackingCode]);
  });

  it('cannot reach tickets, staff or the handling side', async () => {
    const h = { ...channelHeader, ...bearer(aliceToken) };
    const t = await env.gql(`{ tickets(first: 5) { edges { node { id } } } }`, {}, h);
    expect(t.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const tn = await env.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: ticketId }, h);
    expect(tn.data?.node ?? null).toBeNull();
    const viaFeedback = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: alice.trackingCode }, h);
    expect(viaFeedback.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const r = await env.gql(TRANSITION, { input: { ticketId, status: 'RESOLVED' } }, h);
    expect(r.data.transitionTicket.__typename).toBe('ForbiddenError');
  });

  it('are created or updated from the token claims', async () => {
    const token = await env.customerToken('carol', { name: 'Carol', tier: 'VIP', email: 'carol@example.com' });
    const r = await env.gql(`{ viewer { kind customer { externalId name email tier { code } } } }`, {}, { ...channelHeader, ...bearer(token) });
    expect(r.data.viewer).toEqual({ kind: 'CUSTOMER', customer: { externalId: 'carol', name: 'Carol', email: 'carol@example.com', tier: { code: 'VIP' } } });
  });
});

describe('customer tokens', () => {
  const viewer = `{ viewer { kind } }`;
  it('refuses expired, forged, unsigned and exp-less tokens', async () => {
    const expired = await env.customerToken('alice', {}, Math.floor(Date.now() / 1000) - 120);
    const r1 = await env.gql(viewer, {}, { ...channelHeader, ...bearer(expired) });
    expect(r1.status).toBe(401);
    expect(r1.errors?.[0]?.extensions?.code).toBe('TOKEN_EXPIRED');
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('5m').sign(new TextEncoder().encode('not-the-secret-not-the-secret-xx'));
    expect((await env.gql(viewer, {}, { ...channelHeader, ...bearer(forged) })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    expect((await env.gql(viewer, {}, { ...channelHeader, ...bearer(`${header}.${body}.`) })).status).toBe(401);
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(new TextEncoder().encode(env.channel.signingSecret));
    expect((await env.gql(viewer, {}, { ...channelHeader, ...bearer(noExp) })).status).toBe(401);
  });

  it('refuses an unknown channel key', async () => {
    const r = await env.gql(viewer, {}, { 'x-closeloop-channel': 'pk_web_nope' });
    expect(r.status).toBe(401);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNKNOWN_CHANNEL');
  });
});

describe('anonymous submitters', () => {
  it('track only with the tracking code and the access key', async () => {
    expect((await env.gql(TRACK, { code: anon.trackingCode })).data.trackFeedback).toBeNull();
    expect((await env.gql(TRACK, { code: anon.trackingCode, key: 'A'.repeat(26) })).data.trackFeedback).toBeNull();
    const ok = await env.gql(TRACK, { code: anon.trackingCode.toLowerCase(), key: anon.accessKey });
    expect(ok.data.trackFeedback.status).toBe('SUBMITTED');
    // The access key of one feedback opens no other.
    expect((await env.gql(TRACK, { code: alice.trackingCode, key: anon.accessKey })).data.trackFeedback).toBeNull();
  });

  it('cannot submit without a channel key', async () => {
    const r = await env.gql(SUBMIT, { input: { kind: 'PRAISE', content: 'Great service today' } });
    expect(r.data.submitFeedback.__typename).toBe('ForbiddenError');
  });

  it('cannot read anything by node id', async () => {
    const r = await env.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: anon.id }, channelHeader);
    expect(r.data?.node ?? null).toBeNull();
  });
});

describe('staff', () => {
  it('agents see only their department; auditors read everything and change nothing', async () => {
    const credit = (await env.staffToken('AGENT', 'CREDIT')).token;
    const cs = (await env.staffToken('AGENT', 'CUSTOMER_SERVICE')).token;
    const list = `{ tickets(first: 50) { edges { node { id } } } }`;
    expect((await env.gql(list, {}, bearer(credit))).data.tickets.edges).toEqual([]);
    expect((await env.gql(list, {}, bearer(cs))).data.tickets.edges.length).toBe(2);
    const r = await env.gql(TRANSITION, { input: { ticketId, status: 'ACKNOWLEDGED' } }, bearer(credit));
    expect(r.data.transitionTicket.__typename).toBe('NotFoundError');

    const auditor = (await env.staffToken('AUDITOR', null)).token;
    expect((await env.gql(list, {}, bearer(auditor))).data.tickets.edges.length).toBe(2);
    const internal = await env.gql(`query($id: ID!) { node(id: $id) { ... on Ticket { timeline { type body } } } }`, { id: ticketId }, bearer(auditor));
    expect(internal.data.node.timeline.some((e: any) => e.type === 'INTERNAL_NOTE')).toBe(true);
    const before = env.queries.length;
    for (const [m, input] of [
      ['transitionTicket', `{ ticketId: "${ticketId}", status: RESOLVED }`],
      ['addTicketNote', `{ ticketId: "${ticketId}", body: "hello", visibility: PUBLIC }`],
      ['assignTicket', `{ ticketId: "${ticketId}" }`],
    ] as const) {
      const res = await env.gql(`mutation { ${m}(input: ${input}) { __typename } }`, {}, bearer(auditor));
      expect(res.data[m].__typename).toBe('ForbiddenError');
    }
    const sub = await env.gql(SUBMIT, { input: { kind: 'PRAISE', content: 'auditors cannot submit', channel: 'PHONE' } }, bearer(auditor));
    expect(sub.data.submitFeedback.__typename).toBe('ForbiddenError');
    const writes = env.queries.slice(before).filter((q) => /^\s*(insert|update|delete)/i.test(q));
    expect(writes).toEqual([]);
  });

  it('log in with email and password', async () => {
    const { createStaff } = await import('../src/admin.ts');
    await createStaff(env.handle.db, env.app.identity, { email: 'login@test.dev', role: 'SENIOR', department: 'CREDIT', password: 'correct horse battery' });
    const login = `mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { __typename ... on LoginPayload { token staff { role } } ... on Error { code } } }`;
    const bad = await env.gql(login, { e: 'login@test.dev', p: 'wrong' });
    expect(bad.data.login).toEqual({ __typename: 'AuthenticationError', code: 'UNAUTHENTICATED' });
    const unknown = await env.gql(login, { e: 'nobody@test.dev', p: 'whatever' });
    expect(unknown.data.login.__typename).toBe('AuthenticationError');
    const ok = await env.gql(login, { e: 'LOGIN@test.dev', p: 'correct horse battery' });
    expect(ok.data.login.staff.role).toBe('SENIOR');
    const me = await env.gql(`{ viewer { kind staff { email } } }`, {}, bearer(ok.data.login.token));
    expect(me.data.viewer).toEqual({ kind: 'STAFF', staff: { email: 'login@test.dev' } });
  });
});

describe('partners', () => {
  it('are limited to their scopes', async () => {
    const reader = await env.apiKey(['feedback:read']);
    const writer = await env.apiKey(['tickets:read', 'tickets:write']);
    expect((await env.gql(`{ feedbacks(first: 10) { edges { node { id } } } }`, {}, bearer(reader))).data.feedbacks.edges.length).toBeGreaterThan(0);
    const denied = await env.gql(TRANSITION, { input: { ticketId, status: 'ACKNOWLEDGED' } }, bearer(reader));
    expect(denied.data.transitionTicket.__typename).toBe('ForbiddenError');
    const ok = await env.gql(TRANSITION, { input: { ticketId, status: 'ACKNOWLEDGED' } }, bearer(writer));
    expect(ok.data.transitionTicket.ticket.status).toBe('ACKNOWLEDGED');
    const revoked = await env.gql(`{ viewer { kind } }`, {}, bearer('clk_AAAAAAAA_nope'));
    expect(revoked.status).toBe(401);
  });
});

describe('nested lists obey the same scopes', () => {
  it("an agent reading a customer's feedback sees only their department's items", async () => {
    const credit = (await env.staffToken('AGENT', 'CREDIT')).token;
    const q = `{ customers(first: 10, search: "alice") { edges { node { externalId feedback(first: 10) { edges { node { trackingCode } } } } } } }`;
    const r = await env.gql(q, {}, bearer(credit));
    expect(r.errors).toBeUndefined();
    expect(r.data.customers.edges[0].node.feedback.edges).toEqual([]);
    const sup = await env.gql(q, {}, bearer(supervisor));
    expect(sup.data.customers.edges[0].node.feedback.edges).toEqual([{ node: { trackingCode: alice.trackingCode } }]);
  });
});
