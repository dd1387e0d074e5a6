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
import type { LoadSpec } from '../load.ts';

export const TRACK_Q =
  'query Track($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { trackingCode status kind expectedResolutionAt timeline { position type toStatus body createdAt } } }';
export const TICKETS_Q =
  'query Queue($n: Int!) { tickets(first: $n) { edges { node { id status kind priority level receivedAt firstResponseDueAt resolutionDueAt customer { name tier { code } } assignee { name } } } pageInfo { hasNextPage endCursor } } }';
export const SUBMIT_Q =
  'mutation Submit($i: SubmitFeedbackInput!) { submitFeedback(input: $i) { __typename ... on SubmitFeedbackPayload { trackingCode accessKey } ... on Error { code message } } }';

export type CaseId = 'track' | 'tickets' | 'submit';
export const CASES: Array<{ id: CaseId; label: string; target: number }> = [
  { id: 'track', label: '(a) trackFeedback, 20 events', target: 0.6 },
  { id: 'tickets', label: '(b) tickets(first: 50), agent', target: 0.6 },
  { id: 'submit', label: '(c) submitFeedback', target: 0.5 },
];

export interface Fixtures {
  channelKey: string;
  agentToken: string;
  pairsFile: string;
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
    return { channelKey: channel.publishableKey, agentToken: agent.token, pairsFile, byLength: { 1: await one(1), 20: await one(24), 100: await one(120) } };
  } finally {
    await sql.end();
    await handle.close();
  }
}

/** The request the load generator sends for a case; the raw server gets the same bytes on its own path. */
export function loadBody(id: CaseId, fx: Fixtures): Pick<LoadSpec, 'headers' | 'body'> {
  switch (id) {
    case 'track':
      return { headers: {}, body: { kind: 'track', query: TRACK_Q, pairsFile: fx.pairsFile } };
    case 'tickets':
      return { headers: { authorization: `Bearer ${fx.agentToken}` }, body: { kind: 'fixed', text: JSON.stringify({ query: TICKETS_Q, variables: { n: 50 } }) } };
    case 'submit':
      return { headers: { 'x-closeloop-channel': fx.channelKey }, body: { kind: 'submit', query: SUBMIT_Q } };
  }
}
