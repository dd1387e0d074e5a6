// The hot path of `trackFeedback`: the query the drizzle plugin planned for the client's selection,
// run as one hand-written statement instead of through drizzle's relational query builder.
//
// Why: building the relational SQL and mapping its result back took a large share of the CPU of a
// tracking request (npm run bench, README, Performance). The plan is still made by the plugin
// (`query()`), so nested fields resolve from the row exactly as before; only plans of the shape this
// file knows are taken (feedback columns, its ticket's columns, its timeline's columns, optionally
// PUBLIC only, in position order); anything else returns undefined and the caller uses drizzle.
import { getTableColumns, sql, type Column } from 'drizzle-orm';
import { feedback, tickets, timelineEvents, type Database } from '@closeloop/db';

type Columns = Record<string, boolean>;
interface Sub {
  columns?: Columns;
  with?: Record<string, unknown>;
  extras?: Record<string, unknown>;
  where?: unknown;
  orderBy?: unknown;
  [k: string]: unknown;
}

const TABLES = { f: getTableColumns(feedback), t: getTableColumns(tickets), e: getTableColumns(timelineEvents) };

const JSON_SAFE = new Set(['PgUUID', 'PgText', 'PgEnumColumn', 'PgInteger', 'PgBigInt53', 'PgBoolean', 'PgJsonb', 'PgArray', 'PgTimestamp']);

const empty = (o: unknown) => o === undefined || (typeof o === 'object' && o !== null && Object.keys(o).length === 0);
/** Only the given keys, no extras, and no nested relations unless `nested`. */
const plainSub = (s: Sub, allowed: string[], nested = false) =>
  Object.keys(s).every((k) => allowed.includes(k)) && (nested || empty(s.with)) && empty(s.extras);

/** `'key', <expr>` pairs for json_build_object; timestamps as epoch milliseconds, turned into Dates below. */
function pairs(alias: 'f' | 't' | 'e', columns: Columns | undefined): { sql: string; dates: string[] } | null {
  const table = TABLES[alias] as Record<string, Column>;
  const keys = Object.keys(columns ?? {}).filter((k) => columns![k]);
  const out: string[] = [];
  const dates: string[] = [];
  for (const k of keys) {
    const col = table[k];
    // Only column types whose JSON form is what drizzle would return; anything else goes to drizzle.
    if (!col || !/^[a-z_]+$/.test(col.name) || !JSON_SAFE.has(col.columnType)) return null;
    if (col.columnType === 'PgTimestamp') {
      out.push(`'${k}', (extract(epoch from ${alias}.${col.name}) * 1000)::float8`);
      dates.push(k);
    } else {
      out.push(`'${k}', ${alias}.${col.name}`);
    }
  }
  return { sql: out.join(', '), dates };
}

interface Compiled {
  text: string;
  dates: { f: string[]; t: string[]; e: string[] };
}
const compiled = new Map<string, Compiled | null>();

function compile(q: Sub): Compiled | null {
  const key = JSON.stringify([q.columns, (q.with as Record<string, Sub>)?.ticket?.columns, (q.with as Record<string, Sub>)?.timeline]);
  const hit = compiled.get(key);
  if (hit !== undefined) return hit;
  let result: Compiled | null = null;
  const w = (q.with ?? {}) as Record<string, Sub>;
  const ok =
    plainSub(q, ['columns', 'with', 'extras', 'where'], true) &&
    Object.keys(w).every((k) => k === 'ticket' || k === 'timeline') &&
    (!w.ticket || plainSub(w.ticket, ['columns', 'with', 'extras'])) &&
    (!w.timeline ||
      (plainSub(w.timeline, ['columns', 'with', 'extras', 'where', 'orderBy']) &&
        JSON.stringify(w.timeline.orderBy) === '{"position":"asc"}' &&
        (w.timeline.where === undefined || JSON.stringify(w.timeline.where) === '{"visibility":"PUBLIC"}')));
  const f = ok ? pairs('f', q.columns) : null;
  const t = ok && w.ticket ? pairs('t', w.ticket.columns) : null;
  const e = ok && w.timeline ? pairs('e', w.timeline.columns) : null;
  if (ok && f && (!w.ticket || t) && (!w.timeline || e)) {
    const members = [f.sql];
    if (t) members.push(`'ticket', json_build_object(${t.sql})`);
    if (e) {
      const publicOnly = w.timeline!.where ? ` and e.visibility = 'PUBLIC'` : '';
      members.push(
        `'timeline', coalesce((select json_agg(json_build_object(${e.sql}) order by e.position) from timeline_events e where e.feedback_id = f.id${publicOnly}), '[]'::json)`,
      );
    }
    result = {
      text: `select json_build_object(${members.filter(Boolean).join(', ')})::text as row from feedback f join tickets t on t.id = f.ticket_id where f.tracking_code = `,
      dates: { f: f.dates, t: t?.dates ?? [], e: e?.dates ?? [] },
    };
  }
  // Bounded: one entry per distinct selection shape, and clients send a handful.
  if (compiled.size < 500) compiled.set(key, result);
  return result;
}

const toDates = (o: Record<string, unknown>, keys: string[]) => {
  for (const k of keys) if (o[k] != null) o[k] = new Date(o[k] as number);
};

/**
 * The feedback with this tracking code, loaded for the planned query `q` in one statement; null when
 * there is none; undefined when the plan has a shape this path does not take.
 */
export async function findFeedbackByCode(db: Database, q: unknown, code: string): Promise<Record<string, unknown> | null | undefined> {
  const c = compile(q as Sub);
  if (!c) return undefined;
  const res = (await db.execute(sql`${sql.raw(c.text)}${code} limit 1`)) as unknown as Array<{ row: string }> | { rows: Array<{ row: string }> };
  const rows = Array.isArray(res) ? res : res.rows;
  if (!rows[0]) return null;
  const row = JSON.parse(rows[0].row) as Record<string, unknown>;
  toDates(row, c.dates.f);
  if (row.ticket) toDates(row.ticket as Record<string, unknown>, c.dates.t);
  if (row.timeline) for (const ev of row.timeline as Array<Record<string, unknown>>) toDates(ev, c.dates.e);
  return row;
}
