// SQL statements per request at list sizes 1, 20 and 100, counted in-process for both servers, and a
// parity check that the raw baseline answers with the same data as the GraphQL endpoint.
import { isDeepStrictEqual } from 'node:util';
import type { AddressInfo } from 'node:net';
import { createDatabase } from '@closeloop/db';
import { createApp } from '../../services/api/src/server.ts';
import { benchAppOptions } from './trusted.ts';
import { createRawServer } from './raw.ts';
import { SUBMIT_Q, TICKETS_Q, TRACK_Q, type CaseId, type Fixtures } from './cases.ts';
import { explainAll, type Captured, type PlanRow } from './plans.ts';

export interface StatementRow {
  case: CaseId;
  /** What the list is: timeline length, page size, or tags on the submission. */
  list: string;
  sizes: number[];
  graphql: number[];
  raw: number[];
  constant: boolean;
}

// Transaction control is not a statement of the operation (drizzle's logger does not report it either).
const control = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

export async function countStatements(
  url: string, secretKey: Buffer, fx: Fixtures,
): Promise<{ rows: StatementRow[]; parity: string[]; plans: PlanRow[] }> {
  const seen: string[] = [];
  const onQuery = (q: string) => {
    if (!control.test(q)) seen.push(q);
  };
  // The GraphQL server's statements with their parameters, kept per case for EXPLAIN (plans.ts).
  const captured: Captured[] = [];
  const handle = await createDatabase({
    url, max: 4,
    onQuery: (q, params) => {
      onQuery(q);
      if (!control.test(q)) captured.push({ sql: q, params });
    },
  });
  const app = createApp({ handle, secretKey, ...benchAppOptions() });
  const gqlPort = await app.listen(0, '127.0.0.1');
  const raw = await createRawServer({ url, pool: 4, secretKey, onQuery });
  await new Promise<void>((r) => raw.server.listen(0, '127.0.0.1', () => r()));
  const rawPort = (raw.server.address() as AddressInfo).port;

  async function post(port: number, path: string, body: unknown, headers: Record<string, string>) {
    seen.length = 0;
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
    });
    const json = (await res.json()) as { data?: any; errors?: unknown[] };
    if (json.errors) throw new Error(`${path}: ${JSON.stringify(json.errors).slice(0, 300)}`);
    return { n: seen.length, json };
  }
  const parity: string[] = [];
  const statementsOf: Partial<Record<CaseId, Captured[]>> = {};
  const both = async (id: CaseId, query: string, variables: Record<string, unknown>, headers: Record<string, string>) => {
    // Once unmeasured: the first use of a prepared statement adds a describe round trip.
    if (id !== 'submit') await post(rawPort, `/raw/${id}`, { query, variables }, headers);
    captured.length = 0;
    const g = await post(gqlPort, '/graphql', { query, variables }, headers);
    statementsOf[id] = [...captured];
    const r = await post(rawPort, `/raw/${id}`, { query, variables }, headers);
    // Cursors are opaque and formatted differently; everything else must match.
    const strip = (j: any) => JSON.parse(JSON.stringify(j.data), (k, v) => (k === 'endCursor' || k === 'trackingCode' || k === 'accessKey' ? undefined : v));
    if (!isDeepStrictEqual(strip(g.json), strip(r.json))) parity.push(`${id} ${JSON.stringify(variables).slice(0, 60)}: raw and GraphQL answers differ`);
    return [g.n, r.n] as const;
  };

  const rows: StatementRow[] = [];
  let plans: PlanRow[] = [];
  try {
    const track: StatementRow = { case: 'track', list: 'PUBLIC timeline events', sizes: [1, 20, 100], graphql: [], raw: [], constant: false };
    for (const n of track.sizes as Array<1 | 20 | 100>) {
      const [c, k] = fx.byLength[n];
      const [g, r] = await both('track', TRACK_Q, { c, k }, {});
      track.graphql.push(g);
      track.raw.push(r);
    }
    const tickets: StatementRow = { case: 'tickets', list: 'page size (first)', sizes: [1, 20, 100], graphql: [], raw: [], constant: false };
    for (const n of tickets.sizes) {
      const [g, r] = await both('tickets', TICKETS_Q, { n }, { authorization: `Bearer ${fx.agentToken}` });
      tickets.graphql.push(g);
      tickets.raw.push(r);
    }
    // A submission's only list is its tags, capped at 10 by validation (more is a ValidationError).
    const submit: StatementRow = { case: 'submit', list: 'tags (max 10)', sizes: [1, 10], graphql: [], raw: [], constant: false };
    for (const n of submit.sizes) {
      const i = { kind: 'COMPLAINT', content: `Statement count probe with ${n} tags`, tags: Array.from({ length: n }, (_, j) => `tag${j}`) };
      const [g, r] = await both('submit', SUBMIT_Q, { i }, { 'x-closeloop-channel': fx.channelKey });
      submit.graphql.push(g);
      submit.raw.push(r);
    }
    rows.push(track, tickets, submit);
    for (const row of rows) row.constant = new Set(row.graphql).size === 1 && new Set(row.raw).size === 1;
    // The largest list size's statements are the ones left in statementsOf.
    plans = await explainAll(url, statementsOf);
  } finally {
    await raw.close();
    await app.close();
    await handle.close();
  }
  return { rows, parity, plans };
}
