// A ticket's overall SLA state (ON_TRACK, AT_RISK, BREACHED, MET, PAUSED) in SQL, from the due and warn
// times stored on the row, so the queue can filter by it in the database. It mirrors computeSla
// (packages/domain/src/sla.ts) rule for rule; test/sla-state-filter.test.ts checks both agree.
//
// Why the stored times are enough: every change to a ticket re-schedules them (services/sla.ts,
// schedule), so outside a pause they are exact. While a pause is open the stored resolution due time
// was projected as if the customer answered at the last change: it only ever moves later, and it stays
// before the pause began exactly when the resolution clock had already breached before the pause.
import { sql, type SQL } from 'drizzle-orm';

export const SLA_STATES = ['ON_TRACK', 'AT_RISK', 'BREACHED', 'MET', 'PAUSED'] as const;
export type SlaStateName = (typeof SLA_STATES)[number];

/**
 * The state as SQL text over the `tickets` columns of alias `t` ("t" by default, unquoted), with `$now`
 * the instant to measure at; null when no SLA applies. Plain text so a hand-written statement (compiled/)
 * can embed it with its own parameter number.
 */
export function slaStateSqlText(t: string, now: string): string {
  const frDone = `coalesce(${t}.first_responded_at, ${t}.resolved_at)`;
  const paused = `(${t}.resolved_at is null and ${t}.sla_pauses @> '[{"to": null}]'::jsonb)`;
  const pauseFrom = `(select max((p->>'from')::timestamptz) from jsonb_array_elements(${t}.sla_pauses) p where p->>'to' is null)`;
  const fr = `case when ${frDone} is not null then (case when ${frDone} <= ${t}.first_response_due_at then 'MET' else 'BREACHED' end)
    when ${now} > ${t}.first_response_due_at then 'BREACHED' when ${now} >= ${t}.first_response_warn_at then 'AT_RISK' else 'ON_TRACK' end`;
  const res = `case when ${t}.resolved_at is not null then (case when ${t}.resolved_at <= ${t}.resolution_due_at then 'MET' else 'BREACHED' end)
    when ${paused} then (case when ${t}.resolution_due_at < ${pauseFrom} then 'BREACHED' else 'PAUSED' end)
    when ${now} > ${t}.resolution_due_at then 'BREACHED' when ${now} >= ${t}.resolution_warn_at then 'AT_RISK' else 'ON_TRACK' end`;
  return `(select case
      when ${t}.sla_first_response_minutes is null or ${t}.sla_resolution_minutes is null or ${t}.calendar_id is null
        or ${t}.first_response_due_at is null or ${t}.resolution_due_at is null then null
      when c.fr = 'BREACHED' or c.res = 'BREACHED' then 'BREACHED'
      when ${t}.resolved_at is not null then 'MET'
      when c.fr = 'AT_RISK' or c.res = 'AT_RISK' then 'AT_RISK'
      when ${paused} then 'PAUSED'
      else 'ON_TRACK' end
    from (select ${fr} as fr, ${res} as res) c)`;
}

/**
 * `slaStateSqlText` for a drizzle `where` (a `RAW` filter): true when the ticket's state is one of
 * `states` at `now`. `tk` is the table the relational query passes (possibly aliased): its columns
 * name the row, so the text is built with a placeholder alias and the real column references.
 */
export function slaStateIn(tk: Record<string, unknown>, states: readonly SlaStateName[], now: Date): SQL {
  const wanted = states.filter((s) => (SLA_STATES as readonly string[]).includes(s));
  if (!wanted.length) return sql`false`;
  const text = slaStateSqlText('__T__', '__NOW__');
  const chunks: SQL[] = [];
  // Split on the placeholders, keeping them, then put each column or the instant in its place.
  for (const part of text.split(/(__T__\.[a-z_]+|__NOW__)/)) {
    if (part === '__NOW__') chunks.push(sql`${now.toISOString()}::timestamptz`);
    else if (part.startsWith('__T__.')) {
      const column = part.slice(6).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const col = tk[column];
      if (!col) throw new Error(`tickets has no column ${column}`);
      chunks.push(sql`${col}`);
    } else if (part) chunks.push(sql.raw(part));
  }
  return sql`${sql.join(chunks, sql``)} in (${sql.join(wanted.map((s) => sql`${s}`), sql`, `)})`;
}
