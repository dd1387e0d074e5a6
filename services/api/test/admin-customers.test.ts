// Tiers, account managers and bulk customer upserts (CRM sync) through the API (issue 13).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';
import { auditLog } from '@closeloop/db';
import { verifyAuditChain } from '../src/services/audit.ts';
import { createChannel } from '../src/admin.ts';

let env: TestEnv;
let admin: string;
let supervisor: string;
let agent: string;
let crmKey: string;

const TIER = `__typename ... on Tier { id code name rank dedicatedManager } ... on ValidationError { fieldErrors { path code } } ... on Error { code }`;
const UPSERT = `mutation($i: UpsertCustomersInput!) { upsertCustomers(input: $i) { __typename
  ... on UpsertCustomersPayload { created updated failed results { index externalId status errors { path code }
    customer { id externalId realm name phone email birthday tier { code } accountManager { email } } } }
  ... on ValidationError { fieldErrors { path code } } ... on Error { code } } }`;

beforeAll(async () => {
  env = await setup();
  admin = (await env.staffToken('ADMIN', null)).token;
  supervisor = (await env.staffToken('SUPERVISOR')).token;
  agent = (await env.staffToken('AGENT')).token;
  // staff:read: the sync names account managers by e-mail and reads them back (docs/security.md, Who can see what).
  crmKey = await env.apiKey(['customers:read', 'customers:write', 'staff:read']);
  const { createStaff } = await import('../src/admin.ts');
  await createStaff(env.handle.db, env.app.identity, { email: 'manager@bank.test', role: 'SENIOR', department: 'CREDIT' });
});
afterAll(() => env.close());

describe('tiers', () => {
  it('are created and updated by admins and supervisors; codes are fixed', async () => {
    const made = await env.gql(`mutation { createTier(input: { code: "GOLD", name: "Gold", rank: 15, dedicatedManager: true }) { ${TIER} } }`, {}, bearer(supervisor));
    expect(made.data.createTier).toMatchObject({ code: 'GOLD', rank: 15, dedicatedManager: true });
    const id = made.data.createTier.id;
    const upd = await env.gql(`mutation($i: UpdateTierInput!) { updateTier(input: $i) { ${TIER} } }`, { i: { id, name: 'Gold+', rank: 16 } }, bearer(admin));
    expect(upd.data.updateTier).toMatchObject({ code: 'GOLD', name: 'Gold+', rank: 16 });
    const dup = await env.gql(`mutation { createTier(input: { code: "GOLD", name: "Again" }) { ${TIER} } }`, {}, bearer(admin));
    expect(dup.data.createTier.code).toBe('CONFLICT');
    const bad = await env.gql(`mutation { createTier(input: { code: "gold tier", name: "x", rank: 5000 }) { ${TIER} } }`, {}, bearer(admin));
    expect(bad.data.createTier.fieldErrors).toEqual([{ path: ['input', 'code'], code: 'INVALID' }, { path: ['input', 'rank'], code: 'OUT_OF_RANGE' }]);
    expect((await env.gql(`mutation { createTier(input: { code: "TIN", name: "Tin" }) { ${TIER} } }`, {}, bearer(agent))).data.createTier.code).toBe('FORBIDDEN');
  });
});

describe('customers', () => {
  it('upsertCustomers creates and updates a batch; each bad row fails alone with typed errors', async () => {
    const r = await env.gql(UPSERT, { i: { customers: [
      { externalId: 'crm-1', name: '张伟', phone: '+86 138 0000 0001', email: 'zw@example.com', tierCode: 'VIP', accountManagerEmail: 'manager@bank.test', birthday: '1980-05-17' },
      { externalId: 'crm-2', name: '李娜', tierCode: 'NO_SUCH_TIER', birthday: '1980-02-30' },
      { externalId: 'crm-3' },
      { externalId: 'crm-1', name: 'twice' },
    ] } }, bearer(crmKey));
    const p = r.data.upsertCustomers;
    expect(p).toMatchObject({ __typename: 'UpsertCustomersPayload', created: 2, updated: 0, failed: 2 });
    expect(p.results[0]).toMatchObject({ status: 'CREATED', customer: { realm: 'default', name: '张伟', tier: { code: 'VIP' }, accountManager: { email: 'manager@bank.test' }, birthday: '1980-05-17' } });
    expect(p.results[1]).toMatchObject({ status: 'FAILED', customer: null, errors: [
      { path: ['input', 'customers', '1', 'tierCode'], code: 'NOT_FOUND' }, { path: ['input', 'customers', '1', 'birthday'], code: 'INVALID_DATE' },
    ] });
    expect(p.results[3].errors).toEqual([{ path: ['input', 'customers', '3', 'externalId'], code: 'DUPLICATE' }]);

    // A second sync: changed rows update, unchanged ones stay, null clears.
    const again = (await env.gql(UPSERT, { i: { customers: [
      { externalId: 'crm-1', name: '张伟', phone: null },
      { externalId: 'crm-3' },
      { externalId: 'crm-2', name: '李娜' },
    ] } }, bearer(admin))).data.upsertCustomers;
    expect(again.results.map((x: any) => x.status)).toEqual(['UPDATED', 'UNCHANGED', 'CREATED']);
    expect(again.results[0].customer).toMatchObject({ phone: null, email: 'zw@example.com', tier: { code: 'VIP' } });
  });

  it('is bounded, realm-aware and refused without customers:write', async () => {
    const tooMany = await env.gql(UPSERT, { i: { customers: Array.from({ length: 501 }, (_, i) => ({ externalId: `x-${i}` })) } }, bearer(admin));
    expect(tooMany.data.upsertCustomers.fieldErrors).toEqual([{ path: ['input', 'customers'], code: 'OUT_OF_RANGE' }]);
    const unknownRealm = await env.gql(UPSERT, { i: { realm: 'partner:nope', customers: [{ externalId: 'a' }] } }, bearer(admin));
    expect(unknownRealm.data.upsertCustomers.fieldErrors).toEqual([{ path: ['input', 'realm'], code: 'NOT_FOUND' }]);

    const partner = await createChannel(env.handle.db, env.app.identity, { name: 'Partner app', kind: 'PARTNER' });
    const realm = partner.channel.realm;
    const inRealm = (await env.gql(UPSERT, { i: { realm, customers: [{ externalId: 'crm-1', name: 'Partner customer' }] } }, bearer(admin))).data.upsertCustomers;
    expect(inRealm.results[0]).toMatchObject({ status: 'CREATED', customer: { realm, name: 'Partner customer' } });

    const readOnly = await env.apiKey(['customers:read']);
    expect((await env.gql(UPSERT, { i: { customers: [{ externalId: 'z' }] } }, bearer(readOnly))).data.upsertCustomers.code).toBe('FORBIDDEN');
    expect((await env.gql(UPSERT, { i: { customers: [{ externalId: 'z' }] } }, bearer(agent))).data.upsertCustomers.code).toBe('FORBIDDEN');
  });

  it('setAccountManager assigns a dedicated manager; routing then gives their tickets to them', async () => {
    const token = await env.customerToken('cust-am', { name: 'Wang' });
    const me = (await env.gql('{ viewer { customer { id } } }', {}, { ...bearer(token), 'x-closeloop-channel': env.channel.publishableKey })).data.viewer.customer.id;
    const managers = (await env.gql('{ staffMembers { id email } }', {}, bearer(admin))).data.staffMembers;
    const manager = managers.find((m: any) => m.email === 'manager@bank.test');
    const SET = `mutation($i: SetAccountManagerInput!) { setAccountManager(input: $i) { __typename ... on Customer { accountManager { email } } ... on ValidationError { fieldErrors { path code } } ... on Error { code } } }`;
    const set = await env.gql(SET, { i: { customerId: me, staffId: manager.id } }, bearer(supervisor));
    expect(set.data.setAccountManager).toEqual({ __typename: 'Customer', accountManager: { email: 'manager@bank.test' } });
    const auditorId = (await env.staffToken('AUDITOR', null)).id;
    const bad = await env.gql(SET, { i: { customerId: me, staffId: encodeGlobalID('Staff', auditorId) } }, bearer(admin));
    expect(bad.data.setAccountManager.fieldErrors).toEqual([{ path: ['input', 'staffId'], code: 'NOT_ELIGIBLE' }]);
    expect((await env.gql(SET, { i: { customerId: me, staffId: manager.id } }, bearer(agent))).data.setAccountManager.code).toBe('FORBIDDEN');

    const submitted = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'The mortgage statement is wrong' } }, { ...bearer(token), 'x-closeloop-channel': env.channel.publishableKey });
    const code = submitted.data.submitFeedback.trackingCode;
    const t = await env.gql('query($c: String!) { trackFeedback(trackingCode: $c) { ticket { assignee { email } } } }', { c: code }, bearer(admin));
    expect(t.data.trackFeedback.ticket.assignee?.email).toBe('manager@bank.test');

    const cleared = await env.gql(SET, { i: { customerId: me, staffId: null } }, bearer(admin));
    expect(cleared.data.setAccountManager.accountManager).toBeNull();
  });
});

describe('audit', () => {
  it('every change above is on the intact audit chain', async () => {
    const rows = await env.handle.db.select().from(auditLog).orderBy(auditLog.id);
    expect(verifyAuditChain(rows)).toBe(-1);
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['tier.create', 'tier.update', 'customers.upsert', 'customer.account_manager']) expect(actions).toContain(a);
  });
});
