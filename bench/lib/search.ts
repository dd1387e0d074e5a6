// Staff search (searchTickets) latency on the generated data: tracking code, phone, name and Chinese
// content queries, each asked by a supervisor (every ticket) through the production HTTP server, one at
// a time. The target is under 200 ms on 1M feedback (docs/performance.md, Staff search).
import postgres from 'postgres';
import { createDatabase } from '@closeloop/db';
import { createApp } from '../../services/api/src/http/server.ts';
import { Identity } from '../../services/api/src/auth/identity.ts';
import { createStaff } from '../../services/api/src/admin.ts';
import { benchAppOptions } from './trusted.ts';
import { CJK_TERMS } from './data.ts';
import { log } from './progress.ts';

export interface SearchRow { query: string; kind: string; runs: number; p50: number; p99: number; max: number; hits: number; failed: string | null }
export type SearchResult = { status: 'ok'; rows: SearchRow[]; targetMs: number } | { status: 'skipped' | 'unavailable'; note: string };

const SEARCH_Q = `query Search($q: String!) { searchTickets(query: $q, first: 50) { edges { node { id status feedback { trackingCode } } } pageInfo { hasNextPage } } }`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export async function runSearch(url: string, secretKey: Buffer, o: { runs: number; seed: number }): Promise<SearchResult> {
  const handle = await createDatabase({ url, max: 4 });
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const app = createApp({ handle, secretKey, ...benchAppOptions() });
  try {
    const port = await app.listen(0, '127.0.0.1');
    const identity = new Identity({ db: handle.db, secretKey, staffSessionTtlSeconds: 3600 });
    const sup = await createStaff(handle.db, identity, { email: `bench.search.${o.seed}.${Date.now()}@bench.closeloop.dev`, role: 'SUPERVISOR', department: null });
    // Samples drawn from the data, the same for the same seed.
    const fb = await sql<{ tracking_code: string }[]>`select tracking_code from feedback order by md5(id::text || ${String(o.seed)}) limit ${o.runs}`;
    const cs = await sql<{ name: string; phone: string }[]>`
      select c.name, c.phone from customers c where exists (select 1 from feedback f where f.customer_id = c.id)
      order by md5(c.id::text || ${String(o.seed)}) limit ${o.runs}`;
    const rare = await sql<{ term: string }[]>`
      select substring(content from '^第 [0-9]+ 号反馈') as term from feedback where content like '第 %'
      order by md5(id::text || ${String(o.seed)}) limit ${o.runs}`;
    const kinds: Array<{ kind: string; label: string; values: string[] }> = [
      { kind: 'tracking code', label: 'FB-XXXX-XXXX (exact)', values: fb.map((r) => r.tracking_code) },
      { kind: 'tracking code', label: 'XXXX-XXXX, lower case', values: fb.map((r) => r.tracking_code.slice(3).toLowerCase()) },
      { kind: 'phone', label: 'last 8 digits', values: cs.map((r) => r.phone.replace(/\D/g, '').slice(-8)) },
      { kind: 'name', label: '"Customer 12345"', values: cs.map((r) => r.name) },
      { kind: 'content (CJK)', label: '"第 123456 号反馈" (one ticket)', values: rare.map((r) => r.term) },
      // A two-character text in no row (a customer's given name, say): no trigram, and nothing stops a scan early.
      { kind: 'content (CJK)', label: '"王芳" (2 characters, in no row)', values: ['王芳'] },
      ...CJK_TERMS.map((term) => ({ kind: 'content (CJK)', label: `"${term}" (${[...term].length} characters)`, values: [term] })),
    ];
    const rows: SearchRow[] = [];
    for (const k of kinds) {
      const times: number[] = [];
      let hits = 0;
      let failed: string | null = null;
      // One warm-up; every sample once unmeasured would hide the cold cost a real first search pays.
      await ask(port, sup.token, k.values[0]!).catch(() => 0);
      for (let i = 0; i < o.runs && !failed; i++) {
        const q = k.values[i % k.values.length]!;
        const t0 = performance.now();
        try {
          hits += await ask(port, sup.token, q);
        } catch (e) {
          // A query the server gave up on (its execution timeout) counts at the time it took, once.
          failed = (e as Error).message.slice(0, 200);
        }
        times.push(performance.now() - t0);
      }
      const row = { query: k.label, kind: k.kind, runs: times.length, p50: pct(times, 50), p99: pct(times, 99), max: Math.max(...times), hits: Math.round(hits / times.length), failed };
      log(`  search ${k.kind} ${k.label}: p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms (${row.hits} results per query)${failed ? `; FAILED: ${failed}` : ''}`);
      rows.push(row);
    }
    return { status: 'ok', rows, targetMs: 200 };
  } finally {
    await app.close().catch(() => {});
    await sql.end();
    await handle.close();
  }
}

async function ask(port: number, token: string, q: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: SEARCH_Q, variables: { q } }),
  });
  const json = (await res.json()) as { data?: { searchTickets: { edges: unknown[] } }; errors?: unknown[] };
  if (json.errors || !json.data) throw new Error(`searchTickets(${q}): ${JSON.stringify(json.errors).slice(0, 300)}`);
  return json.data.searchTickets.edges.length;
}

export function searchLines(r: SearchResult): string[] {
  if (r.status !== 'ok') return [`   search: ${r.status} (${r.note})`];
  return [
    `   query                                         │ runs  p50 ms  p99 ms  max ms │ results  target <${r.targetMs} ms (p99)`,
    ...r.rows.map((x) => `   ${`${x.kind}: ${x.query}`.padEnd(46)}│ ${String(x.runs).padStart(4)} ${x.p50.toFixed(1).padStart(7)} ${x.p99.toFixed(1).padStart(7)} ${x.max.toFixed(1).padStart(7)} │ ${String(x.hits).padStart(7)}  ${x.failed ? `FAILED (${x.failed.slice(0, 60)})` : x.p99 < r.targetMs ? 'met' : 'MISSED'}`),
  ];
}
