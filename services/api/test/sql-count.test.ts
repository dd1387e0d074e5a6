import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, bearer, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await setup();
});
afterAll(() => env.close());

async function statements(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  env.queries.length = 0;
  const r = await env.gql(query, variables, headers);
  expect(r.errors).toBeUndefined();
  return { n: env.queries.length, data: r.data };
}

describe('constant SQL statements per request', () => {
  it('trackFeedback with its timeline', async () => {
    const svc = env.app.services;
    const supervisor = await env.staffToken('SUPERVISOR');
    const viewer = { kind: 'STAFF' as const, staff: (await env.handle.db.query.staff.findFirst({ where: { id: supervisor.id } }))! };
    const counts: number[] = [];
    for (const events of [1, 20, 100]) {
      const s = await svc.feedback.submit({ kind: 'ANONYMOUS', channel: await env.app.identity.channelByKey(env.channel.publishableKey) }, { kind: 'COMPLAINT', content: 'Card swallowed by the ATM' });
      for (let i = 1; i < events; i++) await svc.tickets.addNote(viewer, s.feedback.ticketId, `update ${i}`, 'PUBLIC');
      const q = `query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { status kind expectedResolutionAt timeline { position type body createdAt } } }`;
      const { n, data } = await statements(q, { c: s.feedback.trackingCode, k: s.accessKey });
      expect(data.trackFeedback.timeline).toHaveLength(events);
      counts.push(n);
    }
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeLessThanOrEqual(2);
  });

  it('tickets(first: 50) with customer and assignee', async () => {
    const supervisor = await env.staffToken('SUPERVISOR');
    const agent = await env.staffToken('AGENT');
    const viewer = { kind: 'STAFF' as const, staff: (await env.handle.db.query.staff.findFirst({ where: { id: supervisor.id } }))! };
    const counts: number[] = [];
    let made = 0;
    for (const size of [1, 20, 50]) {
      for (; made < size; made++) {
        const customer = (await env.app.viewerOf(`Bearer ${await env.customerToken(`c${made}`, { name: `C ${made}`, tier: 'VIP' })}`, env.channel.publishableKey));
        const s = await env.app.services.feedback.submit(customer, { kind: 'COMPLAINT', content: `Complaint number ${made}` });
        await env.app.services.tickets.assign(viewer, s.feedback.ticketId, agent.id);
      }
      const q = `query($n: Int!) { tickets(first: $n, filter: { tier: ["VIP"] }) { edges { cursor node { id status priority resolutionDueAt customer { name tier { code } } assignee { name department { code } } feedback { trackingCode } } } pageInfo { hasNextPage } } }`;
      const { n, data } = await statements(q, { n: size }, bearer(supervisor.token));
      expect(data.tickets.edges).toHaveLength(size);
      expect(data.tickets.edges[0].node.assignee.department.code).toBe('CUSTOMER_SERVICE');
      counts.push(n);
    }
    expect(new Set(counts).size).toBe(1);
  });
});
