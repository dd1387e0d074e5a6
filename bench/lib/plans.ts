// Query plans of the statements the GraphQL endpoint sent for each case, on the generated data:
// EXPLAIN (ANALYZE, BUFFERS) for reads; writes are only EXPLAINed (never executed a second time).
import postgres from 'postgres';
import type { CaseId } from './cases.ts';

export interface Captured {
  sql: string;
  params: unknown[];
}

export interface PlanRow {
  case: CaseId;
  statement: string;
  analyzed: boolean;
  /** Execution time reported by EXPLAIN ANALYZE (ms); null when only EXPLAINed. */
  ms: number | null;
  /** Node types of the plan, outermost first, with the index each scan used. */
  nodes: string[];
  /** Shared buffers hit + read. */
  buffers: number | null;
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function walk(n: PlanNode, out: string[]): void {
  const what = n['Index Name'] ? ` ${n['Index Name']}` : n['Relation Name'] ? ` ${n['Relation Name']}` : '';
  out.push(`${n['Node Type']}${what}`);
  for (const c of n.Plans ?? []) walk(c, out);
}

export async function explainAll(url: string, byCase: Partial<Record<CaseId, Captured[]>>): Promise<PlanRow[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const rows: PlanRow[] = [];
  try {
    for (const [id, statements] of Object.entries(byCase) as Array<[CaseId, Captured[]]>) {
      for (const st of statements) {
        const read = /^\s*(select|with)\b/i.test(st.sql) && !/\bfor (update|share)\b/i.test(st.sql) && !/pg_advisory/i.test(st.sql);
        const prefix = read ? 'explain (analyze, buffers, format json) ' : 'explain (format json) ';
        try {
          const [r] = await sql.unsafe(prefix + st.sql, st.params as never[]);
          const plan = (r!['QUERY PLAN'] as Array<{ Plan: PlanNode; 'Execution Time'?: number }>)[0]!;
          const nodes: string[] = [];
          walk(plan.Plan, nodes);
          const top = plan.Plan;
          rows.push({
            case: id, statement: st.sql.replace(/\s+/g, ' ').slice(0, 160), analyzed: read, ms: plan['Execution Time'] ?? null, nodes,
            buffers: read ? (top['Shared Hit Blocks'] ?? 0) + (top['Shared Read Blocks'] ?? 0) : null,
          });
        } catch (e) {
          rows.push({ case: id, statement: st.sql.slice(0, 160), analyzed: false, ms: null, nodes: [`EXPLAIN failed: ${(e as Error).message}`], buffers: null });
        }
      }
    }
  } finally {
    await sql.end();
  }
  return rows;
}
