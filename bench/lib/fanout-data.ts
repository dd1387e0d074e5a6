// Data for `npm run bench:fanout`, written before any API process starts (PostgreSQL or the PGlite
// folder the server will open): a channel, a supervisor who makes the changes, and per scenario
//   - feedback: N feedback linked to incident tickets of at most `perTicket` each (one ATM outage,
//     thousands of complaints), each with its own SUBMITTED event and access key; one transition of a
//     ticket commits one event per linked feedback at once;
//   - staff:    a single-feedback ticket and K agents of its department;
//   - one:      a single-feedback ticket followed N times with its access key.
// The first feedback of each ticket is submitted through the real service (routing, SLA); the others
// are inserted with one INSERT … SELECT generate_series per ticket.
import { sql } from 'drizzle-orm';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createDatabase, staff, type Database } from '@closeloop/db';
import { Identity } from '../../services/api/src/auth/identity.ts';
import { createChannel, createStaff } from '../../services/api/src/admin.ts';
import { seedBase } from '../../services/api/src/seed.ts';
import { FeedbackService } from '../../services/api/src/services/feedback.ts';
import { signIn } from '../../services/api/src/services/sign-in.ts';

export interface Followed {
  trackingCode: string;
  accessKey: string;
  /** Its newest timeline position when the data was written (subscribers resume after it). */
  lastPosition: number;
}

export interface Ticket {
  /** Global ID (for mutations). */
  id: string;
  status: string;
}

export interface FanoutData {
  channelKey: string;
  supervisorToken: string;
  /** The newest timeline event's global id when the data was written. */
  lastSequence: number;
  /** The incident tickets and their N linked feedback, each followed by one subscriber. */
  incidents: { tickets: Ticket[]; feedback: Followed[] };
  /** A single-feedback ticket for the staff streams; `agentTokens` are agents of its department. */
  queue: Ticket & { agentTokens: string[] };
  /** A single-feedback ticket followed by every subscriber of the `one` scenario. */
  single: Ticket & Followed;
}

const rows = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[]));

export async function writeFanoutData(
  target: { url?: string; dataDir?: string },
  secretKey: Buffer,
  n: number,
  agents: number,
  perTicket: number,
): Promise<FanoutData> {
  const handle = await createDatabase({ ...target, max: 2 });
  try {
    await handle.migrate();
    const db = handle.db;
    await seedBase(db);
    const identity = new Identity({ db, secretKey, staffSessionTtlSeconds: 12 * 3600 });
    const feedbackService = new FeedbackService(db, secretKey);
    const channel = await createChannel(db, identity, { name: 'Fan-out bench', kind: 'WEB' });
    const supervisor = await createStaff(db, identity, { email: 'fanout@bench.local', role: 'SUPERVISOR', department: null });
    const anonymous = await signIn(db, await identity.verify(null, channel.publishableKey));
    const submit = async (content: string) => {
      const r = await feedbackService.submit(anonymous, { kind: 'COMPLAINT', content });
      return { trackingCode: r.feedback.trackingCode, accessKey: r.accessKey!, ticketId: r.feedback.ticketId, feedbackId: r.feedback.id };
    };

    const incidentTickets: string[] = [];
    const linked: Array<{ id: string; tracking_code: string; last_position: number }> = [];
    const count = Math.ceil(n / perTicket);
    for (let t = 0, done = 0; t < count; t++) {
      const size = Math.round((n * (t + 1)) / count) - done;
      const first = await submit('ATM network outage at every branch this morning: card retained, no cash.');
      if (size > 1) await linkFeedback(db, first.ticketId, channel.channel.id, done, size - 1);
      done += size;
      incidentTickets.push(first.ticketId);
      linked.push(
        ...rows<{ id: string; tracking_code: string; last_position: number }>(
          await db.execute(sql`select id, tracking_code, last_position from feedback where ticket_id = ${first.ticketId} order by received_at, tracking_code`),
        ),
      );
    }

    const queued = await submit('The mobile app logs me out after every transfer.');
    const [ticket] = rows<{ department_id: string }>(await db.execute(sql`select department_id from tickets where id = ${queued.ticketId}`));
    const agentRows = await db
      .insert(staff)
      .values(Array.from({ length: agents }, (_, i) => ({ email: `agent${i}@fanout.bench.local`, name: `Agent ${i}`, role: 'AGENT' as const, departmentId: ticket!.department_id, level: 'L1' as const })))
      .returning();
    const agentTokens = await Promise.all(agentRows.map(async (row) => (await identity.issueStaffToken(row)).token));

    const single = await submit('Branch queue display shows the wrong numbers.');
    const ticketOf = async (ticketId: string) => {
      const [t] = rows<{ status: string }>(await db.execute(sql`select status from tickets where id = ${ticketId}`));
      return { id: encodeGlobalID('Ticket', ticketId), status: t!.status };
    };
    const lastPosition = async (feedbackId: string) =>
      Number(rows<{ p: number }>(await db.execute(sql`select last_position as p from feedback where id = ${feedbackId}`))[0]!.p);
    return {
      channelKey: channel.publishableKey,
      supervisorToken: supervisor.token,
      lastSequence: Number(rows<{ n: string | number }>(await db.execute(sql`select max(id) as n from timeline_events`))[0]!.n),
      incidents: {
        tickets: await Promise.all(incidentTickets.map(ticketOf)),
        feedback: linked.map((r) => ({ trackingCode: r.tracking_code, accessKey: feedbackService.accessKeyFor(r.id), lastPosition: Number(r.last_position) })),
      },
      queue: { ...(await ticketOf(queued.ticketId)), agentTokens },
      single: { ...(await ticketOf(single.ticketId)), trackingCode: single.trackingCode, accessKey: single.accessKey, lastPosition: await lastPosition(single.feedbackId) },
    };
  } finally {
    await handle.close();
  }
}

/** `count` more anonymous feedback linked to one ticket, each with its SUBMITTED event at position 1. */
async function linkFeedback(db: Database, ticketId: string, channelAppId: string, offset: number, count: number): Promise<void> {
  await db.execute(sql`
    with f as (
      insert into feedback (tracking_code, kind, channel, channel_app_id, ticket_id, content, received_at, last_position)
      select 'FB-NF' || lpad((${offset} + g)::text, 7, '0'), 'COMPLAINT', 'WEB', ${channelAppId}, ${ticketId}, 'ATM outage, complaint ' || g, now(), 1
      from generate_series(1, ${count}) g
      returning id
    )
    insert into timeline_events (feedback_id, ticket_id, position, type, visibility, to_status, actor_type)
    select f.id, ${ticketId}, 1, 'SUBMITTED', 'PUBLIC', 'SUBMITTED', 'ANONYMOUS' from f`);
}
