// Collaborators on the live path (issue 13): a consulted department receives a ticket's events over a
// real WebSocket from the moment it is added until it is removed, and nothing before or after.
// Events arrive in commit order, so a later event of the agent's own department is the sentinel that
// proves an earlier one was not delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { departments } from '@closeloop/db';
import { setup, bearer, SUBMIT, type TestEnv } from './helpers.ts';
import { TICKET_EVENTS, collect, waitFor, wsClient } from './realtime-helpers.ts';

let env: TestEnv;
let wsUrl: string;
let supervisor: string;

beforeAll(async () => {
  env = await setup();
  wsUrl = `ws://127.0.0.1:${await env.app.listen(0, '127.0.0.1')}/graphql`;
  supervisor = (await env.staffToken('SUPERVISOR')).token;
});
afterAll(() => env?.close());

async function submit(content: string) {
  const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', channel: 'PHONE', content } }, bearer(supervisor));
  const code = r.data.submitFeedback.trackingCode as string;
  const t = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id department { code } } } }`, { c: code }, bearer(supervisor));
  return { id: t.data.trackFeedback.ticket.id as string, department: t.data.trackFeedback.ticket.department.code as string };
}
const run = (query: string, input: Record<string, unknown>) => env.gql(query, { input }, bearer(supervisor));
const NOTE = `mutation($input: AddTicketNoteInput!) { addTicketNote(input: $input) { __typename } }`;
const COLLAB = (op: string) => `mutation($input: TicketCollaboratorInput!) { ${op}(input: $input) { __typename } }`;

describe('collaborators on feedbackProgress', () => {
  it('let a consulted agent follow the feedback of the ticket, as trackFeedback lets them read it', async () => {
    const agent = await env.staffToken('AGENT', 'CREDIT');
    const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', channel: 'PHONE', content: '网点排队太久了，柜员态度不好（第二次）。' } }, bearer(supervisor));
    const code = r.data.submitFeedback.trackingCode as string;
    const t = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id department { code } } } }`, { c: code }, bearer(supervisor));
    expect(t.data.trackFeedback.ticket.department.code).toBe('CUSTOMER_SERVICE');
    const PROGRESS = `subscription($c: String!) { feedbackProgress(trackingCode: $c, after: "0") { cursor type } }`;
    const client = wsClient(wsUrl, { authorization: `Bearer ${agent.token}` });
    // Not consulted: no such feedback for them.
    const before = collect(client, PROGRESS, { c: code }, 'feedbackProgress');
    await waitFor(() => before.received.errors.length > 0, 5000, 'refusal');
    expect(before.received.errors[0]!.extensions?.code).toBe('NOT_FOUND');
    await run(COLLAB('addTicketCollaborator'), { ticketId: t.data.trackFeedback.ticket.id, staffId: Buffer.from(`Staff:${agent.id}`).toString('base64') });
    const read = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { trackingCode } }`, { c: code }, bearer(agent.token));
    expect(read.data.trackFeedback.trackingCode).toBe(code);
    const after = collect(client, PROGRESS, { c: code }, 'feedbackProgress');
    await waitFor(() => after.received.events.length > 0 || after.received.errors.length > 0, 5000, 'the replay');
    expect(after.received.errors).toEqual([]);
    expect(after.received.events[0]).toMatchObject({ cursor: '1', type: 'SUBMITTED' });
    await client.dispose();
  });
});

describe('collaborators on ticketEvents', () => {
  it('deliver a consulted department the ticket\'s events only while it is a collaborator', async () => {
    const credit = (await env.handle.db.select().from(departments).where(eq(departments.code, 'CREDIT')))[0]!;
    const creditId = Buffer.from(`Department:${credit.id}`).toString('base64');
    const agent = await env.staffToken('AGENT', 'CREDIT');
    const cs = await submit('网点排队太久了，柜员态度不好。');
    expect(cs.department).toBe('CUSTOMER_SERVICE');
    const own = await submit('我的贷款审批一直没有结果。');
    expect(own.department).toBe('CREDIT');

    const client = wsClient(wsUrl, { authorization: `Bearer ${agent.token}` });
    const sub = collect(client, TICKET_EVENTS, { after: String(await env.app.realtime.maxId()) }, 'ticketEvents');
    await run(NOTE, { ticketId: cs.id, body: 'before: not for credit', visibility: 'INTERNAL' });
    await run(NOTE, { ticketId: own.id, body: 'sentinel 1', visibility: 'INTERNAL' });
    await waitFor(() => sub.received.events.some((e) => e.body === 'sentinel 1'), 5000, 'sentinel 1');
    expect(sub.received.events.map((e) => e.body)).toEqual(['sentinel 1']);

    // (Added, they may read the whole timeline, so an event read late may reach them too: hence the sentinels.)
    await run(COLLAB('addTicketCollaborator'), { ticketId: cs.id, departmentId: creditId });
    await run(NOTE, { ticketId: cs.id, body: 'while consulted', visibility: 'INTERNAL' });
    await waitFor(() => sub.received.events.length >= 3, 5000, 'collaborator events');
    expect(sub.received.events.map((e) => e.body ?? e.type)).toEqual(['sentinel 1', 'COLLABORATOR_ADDED', 'while consulted']);

    await run(COLLAB('removeTicketCollaborator'), { ticketId: cs.id, departmentId: creditId });
    await run(NOTE, { ticketId: cs.id, body: 'after: not for credit', visibility: 'INTERNAL' });
    await run(NOTE, { ticketId: own.id, body: 'sentinel 2', visibility: 'INTERNAL' });
    await waitFor(() => sub.received.events.some((e) => e.body === 'sentinel 2'), 5000, 'sentinel 2');
    // Not even the removal reaches them: by then they no longer read the ticket.
    expect(sub.received.events.map((e) => e.body ?? e.type)).toEqual(['sentinel 1', 'COLLABORATOR_ADDED', 'while consulted', 'sentinel 2']);
    sub.dispose();
    await client.dispose();
  });
});
