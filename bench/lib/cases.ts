// The three operations of the overhead ladder and the fixtures they need (a channel, an agent, a sample
// of tracking codes with their access keys), created once in the benchmark database.
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import postgres from 'postgres';
import { createDatabase } from '@closeloop/db';
import { Identity } from '../../services/api/src/auth/identity.ts';
import { deriveKey } from '../../services/api/src/auth/keys.ts';
import { createChannel, createStaff } from '../../services/api/src/admin.ts';
import { signIn } from '../../services/api/src/services/sign-in.ts';
import { SignJWT } from 'jose';
import type { LoadSpec } from '../load.ts';

export const TRACK_Q =
  'query Track($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { trackingCode status kind expectedResolutionAt timeline { position type toStatus body createdAt } } }';
export const TICKETS_Q =
  'query Queue($n: Int!) { tickets(first: $n) { edges { node { id status kind priority level receivedAt firstResponseDueAt resolutionDueAt customer { name tier { code } } assignee { name } } } pageInfo { hasNextPage endCursor } } }';
export const SUBMIT_Q =
  'mutation Submit($i: SubmitFeedbackInput!) { submitFeedback(input: $i) { __typename ... on SubmitFeedbackPayload { trackingCode accessKey } ... on Error { code message } } }';

// The normal path: the same two reads as documents that are not compiled (a root `__typename` beside
// the field makes them differ from the compiled texts), so they run through Yoga + Pothos.
export const TRACK_NORMAL_Q =
  'query TrackNormal($c: String!, $k: String) { __typename trackFeedback(trackingCode: $c, accessKey: $k) { trackingCode status kind expectedResolutionAt timeline { position type toStatus body createdAt } } }';
export const TICKETS_NORMAL_Q =
  'query QueueNormal($n: Int!) { __typename tickets(first: $n) { edges { node { id status kind priority level receivedAt firstResponseDueAt resolutionDueAt customer { name tier { code } } assignee { name } } } pageInfo { hasNextPage endCursor } } }';

export type CaseId = 'track' | 'tickets' | 'submit';

/** One line of the overhead ladder: a request the load generator sends to both servers. */
export interface LadderSpec {
  /** `compiled:<Operation>`, `normal:track`, `normal:tickets`, `submit`. */
  id: string;
  label: string;
  group: 'compiled' | 'normal' | 'write';
  /** Share of raw throughput required at the concurrencies in `judgedAt`; null: reported only. */
  target: number | null;
  judgedAt: number[];
  /** The raw server's path for the same work. */
  rawPath: string;
  load: Pick<LoadSpec, 'headers' | 'body'>;
}

/** The normal path (documents that are not compiled) and the write, against the hand-written raw handlers. */
export function normalCases(fx: Fixtures): LadderSpec[] {
  const agent = { authorization: `Bearer ${fx.agentToken}` };
  return [
    {
      id: 'normal:track', label: 'trackFeedback, 20 events', group: 'normal', target: null, judgedAt: [], rawPath: '/raw/track',
      load: { headers: {}, body: { kind: 'track', query: TRACK_NORMAL_Q, pairsFile: fx.pairsFile } },
    },
    {
      id: 'normal:tickets', label: 'tickets(first: 50), agent', group: 'normal', target: null, judgedAt: [], rawPath: '/raw/tickets',
      load: { headers: agent, body: { kind: 'fixed', text: JSON.stringify({ query: TICKETS_NORMAL_Q, variables: { n: 50 } }) } },
    },
    {
      id: 'submit', label: 'submitFeedback', group: 'write', target: 0.5, judgedAt: [16, 64], rawPath: '/raw/submit',
      load: { headers: { 'x-closeloop-channel': fx.channelKey }, body: { kind: 'submit', query: SUBMIT_Q } },
    },
  ];
}

export interface Fixtures {
  channelKey: string;
  /** Signs customer tokens (HS256), as the host's back end does. */
  signingSecret: string;
  /** A customer token whose customer owns 30 of the generated feedback. */
  customerToken: string;
  agentToken: string;
  pairsFile: string;
  /** A ticket of the agent's department (global ID), with a feedback of 24 events. */
  ticketId: string;
  /** Tracking code and access key of feedback with 1, 20 and 100 PUBLIC events. */
  byLength: Record<1 | 20 | 100, [string, string]>;
}

export async function makeFixtures(url: string, secretKey: Buffer, seed: number): Promise<Fixtures> {
  const handle = await createDatabase({ url, max: 2 });
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const identity = new Identity({ db: handle.db, secretKey, staffSessionTtlSeconds: 6 * 3600 });
    const channel = await createChannel(handle.db, identity, { name: 'Bench web', kind: 'WEB' });
    const agent = await createStaff(handle.db, identity, { email: `bench.agent.${seed}@bench.closeloop.dev`, role: 'AGENT', department: 'CUSTOMER_SERVICE' });
    const accessKeySecret = deriveKey(secretKey, 'access-key');
    const key = (id: string) => createHmac('sha256', accessKeySecret).update(id).digest('base64url').slice(0, 26);
    // Feedback with 24 events (20 PUBLIC): the tracked set the load generator draws from.
    const rows = await sql<{ id: string; tracking_code: string }[]>`
      select id, tracking_code from feedback where last_position = 24 order by md5(id::text || ${String(seed)}) limit 5000`;
    const pairs = rows.map((r) => [r.tracking_code, key(r.id)]);
    const pairsFile = join(tmpdir(), `closeloop-bench-${process.pid}-pairs.json`);
    writeFileSync(pairsFile, JSON.stringify(pairs));
    const one = async (events: number) => {
      const [r] = await sql<{ id: string; tracking_code: string }[]>`select id, tracking_code from feedback where last_position = ${events} limit 1`;
      if (!r) throw new Error(`no feedback with ${events} events in the generated data`);
      return [r.tracking_code, key(r.id)] as [string, string];
    };
    // A signed-in customer (created by the first sign-in, as the widget's first request does) who owns
    // 30 of the generated feedback: the customer's own list (MyFeedback) reads them.
    const signingSecret = channel.signingSecret!;
    const customerToken = await new SignJWT({ name: 'Bench customer' })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(`bench-customer-${seed}`).setIssuedAt().setExpirationTime('12h')
      .sign(new TextEncoder().encode(signingSecret));
    const viewer = await signIn(handle.db, await identity.verify(customerToken, channel.publishableKey));
    if (viewer.kind !== 'CUSTOMER') throw new Error('the bench customer did not sign in');
    await sql`update feedback set customer_id = ${viewer.customer.id}
      where id in (select id from feedback where last_position = 24 order by md5(id::text || 'own' || ${String(seed)}) limit 30)`;
    // A ticket of the agent's department with a 24-event feedback: the console's ticket document reads it.
    const [ticket] = await sql<{ id: string }[]>`select t.id from tickets t join feedback f on f.ticket_id = t.id join departments d on d.id = t.department_id
      where d.code = 'CUSTOMER_SERVICE' and f.last_position = 24 limit 1`;
    if (!ticket) throw new Error('no ticket of the agent\'s department in the generated data');
    const ticketId = Buffer.from(`Ticket:${ticket.id}`).toString('base64');
    return { channelKey: channel.publishableKey, signingSecret, customerToken, agentToken: agent.token, pairsFile, ticketId, byLength: { 1: await one(1), 20: await one(24), 100: await one(120) } };
  } finally {
    await sql.end();
    await handle.close();
  }
}
