// Routing on submission: rules from the database, account managers, least-loaded assignment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { customers, departments, tiers } from '@closeloop/db';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';

let env: TestEnv;
let admin: string;
let manager: { id: string; token: string };
let creditAgents: string[];
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

const ROUTED = /* GraphQL */ `
  query($c: String!) { trackFeedback(trackingCode: $c) { ticket { level priority department { code } assignee { id } } } }
`;

beforeAll(async () => {
  env = await setup();
  admin = (await env.staffToken('ADMIN', null)).token;
  manager = await env.staffToken('SENIOR', 'CREDIT');
  creditAgents = [(await env.staffToken('AGENT', 'CREDIT')).id, (await env.staffToken('AGENT', 'CREDIT')).id];
  const [vip] = await env.handle.db.select().from(tiers).where(eq(tiers.code, 'VIP'));
  await env.handle.db.insert(customers).values({ externalId: 'vip-loan', name: 'Zhang Wei', tierId: vip!.id, accountManagerId: manager.id });
});
afterAll(() => env.close());

async function submitAsCustomer(sub: string, input: Record<string, unknown>, claims: Record<string, unknown> = {}) {
  const token = await env.customerToken(sub, claims);
  const r = await env.gql(SUBMIT, { input }, { ...bearer(token), 'x-closeloop-channel': env.channel.publishableKey });
  expect(r.data?.submitFeedback.__typename, JSON.stringify(r)).toBe('SubmitFeedbackPayload');
  return r.data.submitFeedback.trackingCode as string;
}

async function routed(code: string) {
  const r = await env.gql(ROUTED, { c: code }, bearer(admin));
  const t = r.data.trackFeedback.ticket;
  return { level: t.level, priority: t.priority, department: t.department.code, assignee: t.assignee ? Buffer.from(t.assignee.id, 'base64').toString().split(':')[1] : null };
}

describe('routing on submission', () => {
  it("a VIP complaint about a loan goes to credit at L2, to the customer's account manager", async () => {
    const code = await submitAsCustomer('vip-loan', { kind: 'COMPLAINT', content: 'My loan repayment was charged twice this month' });
    expect(await routed(code)).toEqual({ level: 'L2', priority: 'HIGH', department: 'CREDIT', assignee: manager.id });
    // the manager handles it: they can read it
    const r = await env.gql(ROUTED, { c: code }, bearer(manager.token));
    expect(r.data.trackFeedback.ticket.department.code).toBe('CREDIT');
  });

  it('an account manager of another department gets the ticket, and finds it in their queue', async () => {
    const csManager = await env.staffToken('SENIOR', 'CUSTOMER_SERVICE');
    const [vip] = await env.handle.db.select().from(tiers).where(eq(tiers.code, 'VIP'));
    await env.handle.db.insert(customers).values({ externalId: 'vip-cs', tierId: vip!.id, accountManagerId: csManager.id });
    const code = await submitAsCustomer('vip-cs', { kind: 'COMPLAINT', content: 'My mortgage statement is wrong' });
    expect(await routed(code)).toEqual({ level: 'L2', priority: 'HIGH', department: 'CREDIT', assignee: csManager.id });
    const queue = await env.gql('{ tickets(first: 50) { edges { node { department { code } feedback { trackingCode } } } } }', {}, bearer(csManager.token));
    const mine = queue.data.tickets.edges.map((e: any) => e.node).filter((n: any) => n.department.code === 'CREDIT');
    expect(mine.map((n: any) => n.feedback[0].trackingCode)).toEqual([code]);
  });

  it('without an account manager: least-loaded handler at the level, ties by id', async () => {
    const picks: string[] = [];
    for (let i = 0; i < 4; i++) {
      const code = await submitAsCustomer(`std-${i}`, { kind: 'COMPLAINT', content: '信用卡年费扣错了 my credit card fee is wrong' }, { tier: 'STANDARD' });
      const r = await routed(code);
      expect(r).toMatchObject({ level: 'L1', priority: 'NORMAL', department: 'CREDIT' });
      picks.push(r.assignee!);
    }
    const sorted = [...creditAgents].sort();
    expect(picks).toEqual([sorted[0], sorted[1], sorted[0], sorted[1]]);
  });

  it('nobody at the level: the ticket waits unassigned in the department queue', async () => {
    const code = await submitAsCustomer('sugg-1', { kind: 'SUGGESTION', content: 'Please add a dark mode to the app' });
    expect(await routed(code)).toEqual({ level: 'L1', priority: 'NORMAL', department: 'PRODUCT', assignee: null });
  });
});

const RULE_FIELDS = '__typename ... on RoutingRule { id name position enabled isDefault level priority department { code } match { keywords } } ... on ValidationError { fieldErrors { path code } } ... on Error { code }';

describe('admins manage the rules; an edit takes effect on the next submission', () => {
  it('creates, reorders, disables and deletes rules', async () => {
    const [product] = await env.handle.db.select().from(departments).where(eq(departments.code, 'PRODUCT'));
    const create = await env.gql(`mutation($i: CreateRoutingRuleInput!) { createRoutingRule(input: $i) { ${RULE_FIELDS} } }`, {
      i: { name: 'ATM incidents → product', position: 5, match: { keywords: ['ATM', '吞卡'] }, departmentId: gid('Department', product!.id), level: 'L2', priority: 'URGENT' },
    }, bearer(admin));
    const rule = create.data.createRoutingRule;
    expect(rule).toMatchObject({ __typename: 'RoutingRule', position: 5, enabled: true, isDefault: false, department: { code: 'PRODUCT' } });
    const atm = () => submitAsCustomer('atm-user', { kind: 'COMPLAINT', content: 'The ATM swallowed my card' });
    expect(await routed(await atm())).toMatchObject({ department: 'PRODUCT', level: 'L2', priority: 'URGENT' });

    const off = await env.gql(`mutation($i: UpdateRoutingRuleInput!) { updateRoutingRule(input: $i) { ${RULE_FIELDS} } }`, { i: { id: rule.id, enabled: false } }, bearer(admin));
    expect(off.data.updateRoutingRule.enabled).toBe(false);
    expect(await routed(await atm())).toMatchObject({ department: 'CUSTOMER_SERVICE', level: 'L1', priority: 'NORMAL' });

    const list = await env.gql('{ routingRules { name position isDefault } }', {}, bearer(admin));
    const rules = list.data.routingRules;
    expect(rules[0].name).toBe('ATM incidents → product');
    expect(rules.at(-1).isDefault).toBe(true);

    const del = await env.gql('mutation($i: DeleteRoutingRuleInput!) { deleteRoutingRule(input: $i) { __typename ... on DeletedPayload { deletedId } } }', { i: { id: rule.id } }, bearer(admin));
    expect(del.data.deleteRoutingRule).toEqual({ __typename: 'DeletedPayload', deletedId: rule.id });
  });

  it('the default rule always exists: it cannot be deleted, disabled or narrowed, only redirected', async () => {
    const list = await env.gql('{ routingRules { id isDefault } }', {}, bearer(admin));
    const def = list.data.routingRules.find((r: { isDefault: boolean }) => r.isDefault).id;
    const del = await env.gql('mutation($i: DeleteRoutingRuleInput!) { deleteRoutingRule(input: $i) { __typename ... on ValidationError { fieldErrors { path code } } } }', { i: { id: def } }, bearer(admin));
    expect(del.data.deleteRoutingRule).toEqual({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'id'], code: 'DEFAULT_RULE' }] });
    const update = (i: Record<string, unknown>) => env.gql(`mutation($i: UpdateRoutingRuleInput!) { updateRoutingRule(input: $i) { ${RULE_FIELDS} } }`, { i: { id: def, ...i } }, bearer(admin));
    expect((await update({ enabled: false })).data.updateRoutingRule.fieldErrors).toEqual([{ path: ['input', 'enabled'], code: 'DEFAULT_RULE' }]);
    expect((await update({ match: { keywords: ['x'] } })).data.updateRoutingRule.fieldErrors).toEqual([{ path: ['input', 'match', 'keywords'], code: 'DEFAULT_RULE' }]);
    const [risk] = await env.handle.db.select().from(departments).where(eq(departments.code, 'RISK'));
    expect((await update({ departmentId: gid('Department', risk!.id), position: -100 })).data.updateRoutingRule.department.code).toBe('RISK');
    // still evaluated last although its position is now the lowest
    expect((await routed(await submitAsCustomer('plain', { kind: 'COMPLAINT', content: 'The branch was closed early' })))).toMatchObject({ department: 'RISK' });
  });

  it('reports bad input as typed errors and refuses non-admins', async () => {
    const bad = await env.gql(`mutation($i: CreateRoutingRuleInput!) { createRoutingRule(input: $i) { ${RULE_FIELDS} } }`, {
      i: { name: ' ', match: { tiers: ['GOLD'], keywords: [' '] } },
    }, bearer(admin));
    expect(bad.data.createRoutingRule.fieldErrors).toEqual([
      { path: ['input', 'name'], code: 'REQUIRED' }, { path: ['input', 'departmentId'], code: 'REQUIRED' },
      { path: ['input', 'match', 'tiers', '0'], code: 'NOT_FOUND' }, { path: ['input', 'match', 'keywords', '0'], code: 'REQUIRED' },
    ]);
    const agent = (await env.staffToken('AGENT')).token;
    const denied = await env.gql(`mutation($i: CreateRoutingRuleInput!) { createRoutingRule(input: $i) { ${RULE_FIELDS} } }`, { i: { name: 'x' } }, bearer(agent));
    expect(denied.data.createRoutingRule).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
  });
});
