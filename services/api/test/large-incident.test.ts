// An incident can link thousands of feedback; a change of its ticket appends one event to each
// timeline, more rows than one INSERT can carry parameters for (65,535).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { setup, bearer, SUBMIT, TRANSITION, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await setup();
});
afterAll(() => env?.close());

describe('a ticket with thousands of linked feedback', () => {
  it('changes status with one event in every linked timeline', async () => {
    const supervisor = (await env.staffToken('SUPERVISOR')).token;
    const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Mobile banking is down for everyone.' } }, { 'x-closeloop-channel': env.channel.publishableKey });
    const code = s.data.submitFeedback.trackingCode as string;
    const t = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: code }, bearer(supervisor));
    const ticketId = t.data.trackFeedback.ticket.id as string;
    const linked = 9000;
    await env.handle.db.execute(sql`
      insert into feedback (tracking_code, kind, channel, ticket_id, content, received_at)
      select 'FB-BULK-' || g, f.kind, f.channel, f.ticket_id, f.content, f.received_at
      from feedback f, generate_series(1, ${linked - 1}) g where f.tracking_code = ${code}`);
    const r = await env.gql(TRANSITION, { input: { ticketId, status: 'ACKNOWLEDGED' } }, bearer(supervisor));
    expect(r.errors).toBeUndefined();
    expect(r.data.transitionTicket.__typename).toBe('TicketPayload');
    expect(r.data.transitionTicket.events).toHaveLength(linked);
    const res = (await env.handle.db.execute(sql`
      select count(*)::int as events, count(distinct feedback_id)::int as feedback
      from timeline_events where ticket_id = (select ticket_id from feedback where tracking_code = ${code}) and to_status = 'ACKNOWLEDGED'`)) as unknown as { rows?: unknown[] } | unknown[];
    // postgres.js answers with the rows, PGlite with { rows }.
    const rows = Array.isArray(res) ? res : res.rows!;
    expect(rows[0]).toEqual({ events: linked, feedback: linked });
  });
});
