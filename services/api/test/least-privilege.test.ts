// Least privilege: partner scopes open only what they name; customers' phone and e-mail are masked
// for readers without pii:read, and every unmasked read by staff or a partner is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, tickets } from '@closeloop/db';
import { verifyAuditChain } from '../src/services/audit.ts';
import { buildWorld, gid, type Principal, type World } from './world.ts';

let w: World;
const by = (name: string): Principal => w.principals.find((p) => p.name === name)!;

beforeAll(async () => {
  w = await buildWorld();
}, 120_000);
afterAll(() => w?.env.close());

describe('partner scopes', () => {
  it('a feedback:write key submits, and reads nothing else: no staff, routing rules, SLA policies, calendars, customers or tickets', async () => {
    const p = by('partner feedback:write');
    for (const doc of [
      '{ staffMembers { email role } }', '{ routingRules { name } }', '{ slaPolicies { kind } }', '{ businessCalendars { code } }',
      '{ departments { code } }', '{ customers(first: 5) { edges { node { phone } } } }', '{ tickets(first: 5) { edges { node { id } } } }',
      '{ feedbacks(first: 5) { edges { node { content } } } }',
    ]) {
      const r = await w.env.gql(doc, {}, p.headers);
      expect(r.data, doc).toBeNull();
      expect(r.errors?.[0]?.extensions?.code, doc).toBe('FORBIDDEN');
    }
    const submitted = await w.env.gql(
      `mutation($i: SubmitFeedbackInput!) { submitFeedback(input: $i) { ... on SubmitFeedbackPayload { trackingCode feedback { content ticket { id } } } } }`,
      { i: { kind: 'INQUIRY', content: 'Relayed from the SMS gateway', channel: 'PARTNER' } },
      p.headers,
    );
    expect(submitted.data.submitFeedback.trackingCode).toMatch(/^FB-/);
    expect(submitted.data.submitFeedback.feedback).toEqual({ content: 'Relayed from the SMS gateway', ticket: null });
  });

  it('each read scope opens what it names', async () => {
    const ok = async (name: string, doc: string) => {
      const r = await w.env.gql(doc, {}, by(name).headers);
      expect(r.errors, `${name}: ${doc}`).toBeUndefined();
    };
    await ok('partner staff:read', '{ staffMembers { email role department { code } } }');
    await ok('partner workflow:read', '{ routingRules { name department { code } } slaPolicies { kind } businessCalendars { code } }');
    await ok('partner customers:read', '{ customers(first: 5) { edges { node { externalId phone } } } }');
    await ok('partner tickets:read', '{ tickets(first: 5) { edges { node { id timeline { visibility } feedback { content } } } } }');
    await ok('partner feedback:read', '{ feedbacks(first: 5) { edges { node { content timeline { visibility } } } } }');
    const f = await w.env.gql('{ feedbacks(first: 50) { edges { node { timeline { visibility } } } } }', {}, by('partner feedback:read').headers);
    expect(JSON.stringify(f.data)).not.toContain('INTERNAL');
  });
});

describe('customer contact details', () => {
  const customers = `{ customers(first: 10) { edges { node { externalId phone email } } } }`;
  const aliceOf = (r: any) => r.data.customers.edges.map((e: any) => e.node).find((c: any) => c.externalId === 'alice');
  const piiRows = async () => (await w.env.handle.db.select().from(auditLog).where(eq(auditLog.action, 'pii.read')));

  it('are masked for an AGENT, who cannot find a customer by phone either', async () => {
    const agent = by('AGENT of another department');
    const before = (await piiRows()).length;
    expect(aliceOf(await w.env.gql(customers, {}, agent.headers))).toEqual({ externalId: 'alice', phone: '138****8000', email: 'a***@bank.com' });
    const found = await w.env.gql(`{ customers(first: 5, search: "13800138000") { edges { node { id } } } }`, {}, agent.headers);
    expect(found.data.customers.edges).toEqual([]);
    const contact = await w.env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { contact { phone email } } }`, { c: w.feedback.A.trackingCode }, by('AGENT of the department').headers);
    expect(contact.data.trackFeedback.contact).toEqual({ phone: '138****8000', email: 'a***@bank.com' });
    expect((await piiRows()).length).toBe(before);
  });

  it('are masked for a partner without pii:read', async () => {
    expect(aliceOf(await w.env.gql(customers, {}, by('partner customers:read').headers)).phone).toBe('138****8000');
  });

  it('are unmasked for a SUPERVISOR, and the read is written to the audit trail', async () => {
    const before = (await piiRows()).length;
    expect(aliceOf(await w.env.gql(customers, {}, by('SUPERVISOR').headers))).toEqual({ externalId: 'alice', phone: '13800138000', email: 'alice@bank.com' });
    const rows = await piiRows();
    expect(rows.length).toBe(before + 1);
    const last = rows.at(-1)!;
    expect(last.actorId).toBe(by('SUPERVISOR').staff!.id);
    expect(JSON.stringify(last.data)).toContain('phone');
    const chain = await w.env.handle.db.query.auditLog.findMany({ orderBy: { id: 'asc' } });
    expect(verifyAuditChain(chain)).toBe(-1);
  });

  it('are unmasked for the AGENT a ticket of the customer is assigned to', async () => {
    const agent = by('AGENT of another department');
    await w.env.handle.db.update(tickets).set({ assigneeId: agent.staff!.id }).where(eq(tickets.id, w.feedback.C.ticketId));
    try {
      expect(aliceOf(await w.env.gql(customers, {}, agent.headers)).phone).toBe('13800138000');
      // Bob's ticket is not theirs: still masked.
      const bob = (await w.env.gql(customers, {}, agent.headers)).data.customers.edges.map((e: any) => e.node).find((c: any) => c.externalId === 'bob');
      expect(bob.phone).toBe('139****9000');
    } finally {
      await w.env.handle.db.update(tickets).set({ assigneeId: null }).where(eq(tickets.id, w.feedback.C.ticketId));
    }
  });

  it('are the customer\'s own to read, and the anonymous submitter\'s with the access key', async () => {
    const me = await w.env.gql(`{ viewer { customer { phone email } } }`, {}, by('customer A').headers);
    expect(me.data.viewer.customer).toEqual({ phone: '13800138000', email: 'alice@bank.com' });
    const anon = await w.env.gql(`query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { contact { phone email } } }`,
      { c: w.feedback.N.trackingCode, k: w.feedback.N.accessKey }, by('anonymous').headers);
    expect(anon.data.trackFeedback.contact).toEqual({ phone: '13700137000', email: 'anon@mail.com' });
  });

  it('an AGENT of another department cannot read the ticket by node(id)', async () => {
    const r = await w.env.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: gid('Ticket', w.feedback.A.ticketId) }, by('AGENT of another department').headers);
    expect(r.data?.node ?? null).toBeNull();
  });
});
