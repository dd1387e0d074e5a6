// The API side of the operations console (issue 13): search, collaborators, re-classification, reply
// templates, bulk assignment and merging, saved views, the audit trail. Runs on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { auditLog, customers, departments, tiers } from '@closeloop/db';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';

let env: TestEnv;
let supervisor: { token: string; id: string };
let agentCs: { token: string; id: string };
let agentCredit: { token: string; id: string };
let admin: { token: string; id: string };
let auditor: { token: string; id: string };
let creditDept: string;

const TICKET = `id status viewerCanChange allowedTransitions collaborators { department { code } staff { id } } feedback { trackingCode category tags }`;
const SEARCH = `query($q: String!, $f: TicketFilter) { searchTickets(query: $q, filter: $f, first: 20) { edges { node { id feedback { trackingCode } } } } }`;
const NODE = `query($id: ID!) { node(id: $id) { ... on Ticket { ${TICKET} timeline { type visibility body } } } }`;
const NOTE = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { __typename ... on Error { code } } }`;
const COLLAB = `mutation($i: TicketCollaboratorInput!) { addTicketCollaborator(input: $i) { __typename ... on TicketPayload { ticket { ${TICKET} } events { type visibility } } ... on Error { code } } }`;
const UNCOLLAB = `mutation($i: TicketCollaboratorInput!) { removeTicketCollaborator(input: $i) { __typename ... on Error { code } } }`;

async function submit(content: string, customerExternalId: string, category = 'loan') {
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', channel: 'PHONE', category, content, customerExternalId } }, bearer(supervisor.token));
  const code = r.data.submitFeedback.trackingCode as string;
  const t = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id department { code } } } }`, { c: code }, bearer(supervisor.token));
  return { code, ticketId: t.data.trackFeedback.ticket.id as string, department: t.data.trackFeedback.ticket.department.code as string };
}
const ids = (r: { data?: any }) => r.data.searchTickets.edges.map((e: { node: { id: string } }) => e.node.id);

beforeAll(async () => {
  env = await setup();
  supervisor = await env.staffToken('SUPERVISOR');
  agentCs = await env.staffToken('AGENT', 'CUSTOMER_SERVICE');
  agentCredit = await env.staffToken('AGENT', 'CREDIT');
  admin = await env.staffToken('ADMIN', null);
  auditor = await env.staffToken('AUDITOR', null);
  const [vip] = await env.handle.db.select().from(tiers).where(eq(tiers.code, 'VIP'));
  await env.handle.db.insert(customers).values([
    { externalId: 'crm-0042', name: '张伟', phone: '+86 138 0013 8000', email: 'zhang.wei@example.com', tierId: vip!.id },
    { externalId: 'crm-0043', name: 'Li Na', phone: '+86 139 0000 1111' },
  ]);
  creditDept = (await env.handle.db.select().from(departments).where(eq(departments.code, 'CREDIT')))[0]!.id;
});
afterAll(() => env.close());

describe('searchTickets', () => {
  it('finds by Chinese content, tracking code, customer name, phone, e-mail and external id, within the caller\'s departments', async () => {
    // Routing sends loan complaints to credit and the rest to customer service.
    const loan = await submit('房贷提前还款申请两周没有回复', 'crm-0042', 'loan');
    const atm = await submit('ATM 吞卡以后没有人联系我', 'crm-0043', 'atm');
    expect(loan.department).toBe('CREDIT');
    expect(atm.department).toBe('CUSTOMER_SERVICE');
    const sup = (q: string) => env.gql(SEARCH, { q }, bearer(supervisor.token)).then(ids);
    expect(await sup('提前还款')).toEqual([loan.ticketId]);
    expect(await sup(loan.code.toLowerCase())).toEqual([loan.ticketId]);
    expect(await sup('张伟')).toEqual([loan.ticketId]);
    expect(await sup('0013 8000')).toEqual([loan.ticketId]);
    expect(await sup('ZHANG.WEI@')).toEqual([loan.ticketId]);
    expect(await sup('crm-0043')).toEqual([atm.ticketId]);
    expect(await sup('100%_\\')).toEqual([]); // LIKE wildcards are literal
    // An agent of customer service never finds credit's ticket, whatever they search for.
    expect(await env.gql(SEARCH, { q: '张伟' }, bearer(agentCs.token)).then(ids)).toEqual([]);
    expect(await env.gql(SEARCH, { q: 'ATM' }, bearer(agentCs.token)).then(ids)).toEqual([atm.ticketId]);
    expect(await env.gql(SEARCH, { q: '张伟' }, bearer(agentCredit.token)).then(ids)).toEqual([loan.ticketId]);
    const bad = await env.gql(SEARCH, { q: ' ' }, bearer(supervisor.token));
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const anon = await env.gql(SEARCH, { q: 'ATM' }, { 'x-closeloop-channel': env.channel.publishableKey });
    expect(anon.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('collaborators', () => {
  it('lets a consulted department read the ticket and add internal notes, not handle it; removal ends that', async () => {
    const t = await submit('网银登录页面一直转圈无法使用', 'crm-0042', 'atm'); // customer service
    const read = (token: string) => env.gql(NODE, { id: t.ticketId }, bearer(token)).then((r) => r.data.node);
    expect(await read(agentCredit.token)).toBeNull();
    expect((await env.gql(NOTE, { i: { ticketId: t.ticketId, body: 'x', visibility: 'INTERNAL' } }, bearer(agentCredit.token))).data.addTicketNote.code).toBe('NOT_FOUND');

    const added = await env.gql(COLLAB, { i: { ticketId: t.ticketId, departmentId: (await gid('Department', creditDept)) } }, bearer(agentCs.token));
    expect(added.data.addTicketCollaborator.__typename).toBe('TicketPayload');
    expect(added.data.addTicketCollaborator.events).toEqual([{ type: 'COLLABORATOR_ADDED', visibility: 'INTERNAL' }]);
    expect(added.data.addTicketCollaborator.ticket.collaborators).toEqual([{ department: { code: 'CREDIT' }, staff: null }]);

    const seen = await read(agentCredit.token);
    expect(seen.id).toBe(t.ticketId);
    expect(seen.viewerCanChange).toBe(false);
    expect(seen.allowedTransitions).toEqual([]);
    expect(seen.timeline.some((e: { visibility: string }) => e.visibility === 'INTERNAL')).toBe(true);
    expect(await env.gql(SEARCH, { q: '一直转圈' }, bearer(agentCredit.token)).then(ids)).toEqual([t.ticketId]);
    const queue = await env.gql(`{ tickets(first: 50) { edges { node { id } } } }`, {}, bearer(agentCredit.token));
    expect(queue.data.tickets.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(t.ticketId);

    expect((await env.gql(NOTE, { i: { ticketId: t.ticketId, body: '信贷部意见：利率按合同执行', visibility: 'INTERNAL' } }, bearer(agentCredit.token))).data.addTicketNote.__typename).toBe('TicketPayload');
    expect((await env.gql(NOTE, { i: { ticketId: t.ticketId, body: 'public', visibility: 'PUBLIC' } }, bearer(agentCredit.token))).data.addTicketNote.code).toBe('FORBIDDEN');
    const tr = await env.gql(`mutation($i: TransitionTicketInput!) { transitionTicket(input: $i) { __typename ... on Error { code } } }`, { i: { ticketId: t.ticketId, status: 'ACKNOWLEDGED' } }, bearer(agentCredit.token));
    expect(tr.data.transitionTicket.code).toBe('FORBIDDEN');

    expect((await env.gql(UNCOLLAB, { i: { ticketId: t.ticketId, departmentId: await gid('Department', creditDept) } }, bearer(agentCs.token))).data.removeTicketCollaborator.__typename).toBe('TicketPayload');
    expect(await read(agentCredit.token)).toBeNull();
  });

  it('refuses bad input with typed errors and changes nothing', async () => {
    const t = await submit('网点排队时间太长了', 'crm-0043', 'branch');
    const both = await env.gql(COLLAB, { i: { ticketId: t.ticketId, departmentId: await gid('Department', creditDept), staffId: await gid('Staff', agentCredit.id) } }, bearer(agentCs.token));
    expect(both.data.addTicketCollaborator.code).toBe('VALIDATION_FAILED');
    const auditorAsCollab = await env.gql(COLLAB, { i: { ticketId: t.ticketId, staffId: await gid('Staff', auditor.id) } }, bearer(agentCs.token));
    expect(auditorAsCollab.data.addTicketCollaborator.code).toBe('VALIDATION_FAILED');
    const byAuditor = await env.gql(COLLAB, { i: { ticketId: t.ticketId, staffId: await gid('Staff', agentCredit.id) } }, bearer(auditor.token));
    expect(byAuditor.data.addTicketCollaborator.code).toBe('FORBIDDEN');
    expect((await env.gql(NODE, { id: t.ticketId }, bearer(supervisor.token))).data.node.collaborators).toEqual([]);
  });
});

async function gid(type: string, id: string) {
  return Buffer.from(`${type}:${id}`).toString('base64');
}

describe('reclassifyTicket', () => {
  it('sets category and tags on every linked feedback with an INTERNAL event and an audit record', async () => {
    const t = await submit('手机银行转账限额太低', 'crm-0043', 'app');
    const r = await env.gql(
      `mutation($i: ReclassifyTicketInput!) { reclassifyTicket(input: $i) { __typename ... on TicketPayload { ticket { feedback { category tags } } events { type visibility } } ... on ValidationError { fieldErrors { path code } } } }`,
      { i: { ticketId: t.ticketId, category: 'transfer-limit', tags: ['mobile', '限额'] } }, bearer(agentCs.token),
    );
    expect(r.data.reclassifyTicket.ticket.feedback).toEqual([{ category: 'transfer-limit', tags: ['mobile', '限额'] }]);
    expect(r.data.reclassifyTicket.events).toEqual([{ type: 'RECLASSIFIED', visibility: 'INTERNAL' }]);
    const [last] = await env.handle.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    expect(last!.action).toBe('ticket.reclassify');
    const bad = await env.gql(
      `mutation($i: ReclassifyTicketInput!) { reclassifyTicket(input: $i) { __typename ... on ValidationError { fieldErrors { path code } } } }`,
      { i: { ticketId: t.ticketId, category: 'x', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) } }, bearer(agentCs.token),
    );
    expect(bad.data.reclassifyTicket.fieldErrors[0]).toEqual({ path: ['input', 'tags'], code: 'TOO_MANY' });
  });
});

describe('reply templates', () => {
  const CREATE = `mutation($i: CreateReplyTemplateInput!) { createReplyTemplate(input: $i) { __typename ... on ReplyTemplate { id name locale } ... on ValidationError { fieldErrors { code } } ... on Error { code } } }`;
  it('are managed by admins, refuse unknown placeholders and render per ticket', async () => {
    const body = '{{customer.name}}您好，您的反馈 {{trackingCode}} 已受理。';
    const r = await env.gql(CREATE, { i: { name: 'ack', locale: 'zh-CN', body } }, bearer(admin.token));
    expect(r.data.createReplyTemplate.__typename).toBe('ReplyTemplate');
    expect((await env.gql(CREATE, { i: { name: 'ack', locale: 'zh-CN', body } }, bearer(admin.token))).data.createReplyTemplate.code).toBe('CONFLICT');
    expect((await env.gql(CREATE, { i: { name: 'x', locale: 'zh-CN', body: 'Hi {{customer.password}}' } }, bearer(admin.token))).data.createReplyTemplate.fieldErrors[0].code).toBe('UNKNOWN_PLACEHOLDER');
    expect((await env.gql(CREATE, { i: { name: 'x', locale: 'fr', body: 'Bonjour' } }, bearer(admin.token))).data.createReplyTemplate.fieldErrors[0].code).toBe('INVALID_ENUM');
    expect((await env.gql(CREATE, { i: { name: 'y', locale: 'en', body: 'Hello' } }, bearer(agentCs.token))).data.createReplyTemplate.code).toBe('FORBIDDEN');

    const t = await submit('柜台办理业务等待太久了', 'crm-0042', 'branch');
    const list = await env.gql(`{ replyTemplates(locale: "zh-CN") { id name } }`, {}, bearer(agentCs.token));
    const rendered = await env.gql(`query($t: ID!, $k: ID!) { renderReplyTemplate(templateId: $t, ticketId: $k) }`, { t: list.data.replyTemplates[0].id, k: t.ticketId }, bearer(agentCs.token));
    expect(rendered.errors).toBeUndefined();
    expect(rendered.data.renderReplyTemplate).toBe(`张伟您好，您的反馈 ${t.code} 已受理。`);
    const other = await env.gql(`query($t: ID!, $k: ID!) { renderReplyTemplate(templateId: $t, ticketId: $k) }`, { t: list.data.replyTemplates[0].id, k: t.ticketId }, bearer(agentCredit.token));
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('bulk actions', () => {
  const BULK = `mutation($i: BulkAssignTicketsInput!) { bulkAssignTickets(input: $i) { __typename ... on BulkAssignTicketsPayload { tickets { id assignee { id } } } ... on Error { code } } }`;
  it('assigns all or none, within a bounded batch', async () => {
    const a = await submit('ATM 出钞不足', 'crm-0043', 'atm');
    const b = await submit('ATM 屏幕无法点击', 'crm-0043', 'atm');
    const credit = await submit('贷款审批太慢了', 'crm-0042', 'loan');
    const me = await gid('Staff', agentCs.id);
    // One ticket of another department: nothing is assigned.
    const mixed = await env.gql(BULK, { i: { ticketIds: [a.ticketId, b.ticketId, credit.ticketId], assigneeId: me } }, bearer(agentCs.token));
    expect(mixed.data.bulkAssignTickets.code).toBe('NOT_FOUND');
    expect((await env.gql(NODE, { id: a.ticketId }, bearer(supervisor.token))).data.node).toBeTruthy();
    const ok = await env.gql(BULK, { i: { ticketIds: [a.ticketId, b.ticketId], assigneeId: me } }, bearer(agentCs.token));
    expect(ok.data.bulkAssignTickets.tickets.map((t: { assignee: { id: string } }) => t.assignee.id)).toEqual([me, me]);
    const tooMany = await env.gql(BULK, { i: { ticketIds: Array.from({ length: 101 }, () => a.ticketId).map((x, i) => (i ? gidOfRandom() : x)), assigneeId: me } }, bearer(agentCs.token));
    expect(tooMany.data.bulkAssignTickets.code).toBe('VALIDATION_FAILED');
  });

  it('merges whole tickets into one', async () => {
    const a = await submit('人民路 ATM 故障', 'crm-0043', 'atm');
    const b = await submit('人民路 ATM 不能取款', 'crm-0042', 'atm');
    const r = await env.gql(
      `mutation($i: MergeTicketsInput!) { mergeTickets(input: $i) { __typename ... on TicketPayload { ticket { feedback { trackingCode } } } ... on Error { code } } }`,
      { i: { ticketId: a.ticketId, sourceTicketIds: [b.ticketId] } }, bearer(supervisor.token),
    );
    expect(r.data.mergeTickets.ticket.feedback.map((f: { trackingCode: string }) => f.trackingCode).sort()).toEqual([a.code, b.code].sort());
    const src = await env.gql(`query($id: ID!) { node(id: $id) { ... on Ticket { status mergedInto { id } } } }`, { id: b.ticketId }, bearer(supervisor.token));
    expect(src.data.node).toEqual({ status: 'CLOSED', mergedInto: { id: a.ticketId } });
  });
});

let rnd = 0;
function gidOfRandom() {
  return Buffer.from(`Ticket:00000000-0000-4000-8000-${String(++rnd).padStart(12, '0')}`).toString('base64');
}

describe('saved views', () => {
  it('belong to their staff member and count what they may see', async () => {
    const SAVE = `mutation($i: SaveQueueViewInput!) { saveQueueView(input: $i) { __typename ... on SavedView { id name count filter { status } orderBy } ... on Error { code } } }`;
    const r = await env.gql(SAVE, { i: { name: 'Open', filter: { status: ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS'] } } }, bearer(agentCredit.token));
    expect(r.data.saveQueueView).toMatchObject({ __typename: 'SavedView', name: 'Open', orderBy: 'DUE_SOONEST', filter: { status: ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS'] } });
    const q = await env.gql(`{ tickets(first: 100, filter: { status: [SUBMITTED, ACKNOWLEDGED, IN_PROGRESS] }) { edges { node { id } } } }`, {}, bearer(agentCredit.token));
    expect(r.data.saveQueueView.count).toBe(q.data.tickets.edges.length);
    expect(r.data.saveQueueView.count).toBeGreaterThan(0);
    expect((await env.gql(`{ savedViews { name } }`, {}, bearer(agentCs.token))).data.savedViews).toEqual([]);
    expect((await env.gql(SAVE, { i: { name: 'Open', filter: {} } }, bearer(agentCredit.token))).data.saveQueueView.code).toBe('CONFLICT');
    expect((await env.gql(SAVE, { i: { name: 'Mine', filter: {} } }, bearer(auditor.token))).data.saveQueueView.code).toBe('FORBIDDEN');
    const del = await env.gql(`mutation($i: DeleteByIdInput!) { deleteQueueView(input: $i) { __typename ... on Error { code } } }`, { i: { id: r.data.saveQueueView.id } }, bearer(agentCs.token));
    expect(del.data.deleteQueueView.code).toBe('NOT_FOUND');
  });
});

describe('audit trail', () => {
  it('is readable by auditors with an intact chain, refused to agents', async () => {
    const r = await env.gql(`{ auditTrail(first: 5) { sequence action actorType } auditChainCheck { intact checked firstBrokenSequence } }`, {}, bearer(auditor.token));
    expect(r.data.auditTrail).toHaveLength(5);
    expect(r.data.auditChainCheck).toMatchObject({ intact: true, firstBrokenSequence: null });
    expect(r.data.auditChainCheck.checked).toBeGreaterThan(5);
    const agent = await env.gql(`{ auditTrail(first: 5) { sequence } }`, {}, bearer(agentCs.token));
    expect(agent.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
