// Staff search (searchTickets): which tickets a text matches. Tracking code, feedback content and the
// customer's name, phone, e-mail and external id, as case-insensitive substrings (trigram indexes).
//
// Two ways to find them, chosen per text by one bounded probe, because no single plan is fast for
// both rare and common texts on a million feedback (npm run bench:search, docs/performance.md):
// - a rare text (at most `cap` matching rows): its rows come from the trigram indexes, and the
//   tickets are then read by id and sorted;
// - a common text (more than `cap` rows, e.g. a Chinese term in one row in six): the tickets are
//   walked newest first and each is checked, which finds a page after a few hundred tickets instead
//   of collecting and sorting every match.
// Two-character texts have no trigram; a bigram index on content and names serves them.
import { sql, type Column, type SQL } from 'drizzle-orm';
import type { Database, Tx } from '@closeloop/db';
import { feedback } from '@closeloop/db';
import { TRACKING_CODE_PATTERN, normalizeTrackingCode } from '@closeloop/domain';

/** Matching rows the probe reads before a text counts as common. */
export const SEARCH_CANDIDATES = 5000;

/** A condition on a ticket id column: the ticket matches the text. */
export type TicketMatch = (ticketId: Column | SQL) => SQL;

export interface SearchPlan {
  /** `exact`: a whole tracking code; `few`: the matching tickets, by id; `recent`: checked per ticket. */
  way: 'exact' | 'few' | 'recent';
  match: TicketMatch;
}

/** LIKE's wildcards in the text stay literal. */
const likeOf = (text: string) => `%${text.replace(/[%_\\]/g, (m) => `\\${m}`)}%`;

const rowsOf = <T>(r: unknown): T[] => (r as { rows: T[] }).rows;

/**
 * Which columns a text can be a substring of, by their alphabets: a tracking code is letters, digits
 * and "-"; a phone number is digits with spaces, +, (, ) and - (a text without a digit is not looked
 * for in phones); an e-mail address has no spaces. Each column left out is a scan saved, which
 * matters for texts no trigram index can narrow (two characters).
 */
export function searchedColumns(text: string) {
  return { trackingCode: /^[0-9a-z-]+$/i.test(text), phone: /^[0-9 ()+-]+$/.test(text) && /[0-9]/.test(text), email: !/\s/.test(text) };
}

export async function planSearch(db: Database | Tx, text: string, cap = SEARCH_CANDIDATES): Promise<SearchPlan> {
  const like = likeOf(text);
  const code = normalizeTrackingCode(text);
  const cols = searchedColumns(text);
  // A whole tracking code (with or without "FB-") names one feedback: the unique index answers it.
  const whole = TRACKING_CODE_PATTERN.test(code) ? code : TRACKING_CODE_PATTERN.test(`FB-${code}`) ? `FB-${code}` : null;
  if (whole) {
    const [exact] = await db.select({ ticketId: feedback.ticketId }).from(feedback).where(sql`${feedback.trackingCode} = ${whole}`).limit(1);
    if (exact) return { way: 'exact', match: (id) => sql`${id} = ${exact.ticketId}::uuid` };
  }
  // Two characters have no trigram: bigram indexes narrow them instead (migration search_bigrams) on
  // content, names, e-mails and external ids; phones have none (two digits are in most of them).
  const short = [...text].length === 2;
  const inContent = short ? sql`(closeloop_bigrams(f.content) @> array[lower(${text})] and f.content ilike ${like})` : sql`f.content ilike ${like}`;
  const inCustomer = (column: 'name' | 'external_id' | 'email' | 'phone') => {
    const col = sql.raw(`c.${column}`);
    return short && column !== 'phone' ? sql`(closeloop_bigrams(${col}) @> array[lower(${text})] and ${col} ilike ${like})` : sql`${col} ilike ${like}`;
  };
  // Each customer column in a branch of its own, so each is read through its own index (OR-ed together,
  // the planner scanned every customer).
  const customers = sql.join([
    sql`select c.id from customers c where ${inCustomer('name')}`,
    sql`select c.id from customers c where ${inCustomer('external_id')}`,
    ...(cols.phone ? [sql`select c.id from customers c where ${inCustomer('phone')}`] : []),
    ...(cols.email ? [sql`select c.id from customers c where ${inCustomer('email')}`] : []),
  ], sql` union `);
  const byCode = cols.trackingCode ? sql`f.tracking_code = ${code} or f.tracking_code ilike ${like}` : sql`false`;
  // UNION ALL under a LIMIT streams: the probe stops at cap + 1 rows, however common the text.
  const probe = rowsOf<{ ticket_id: string }>(await db.execute(sql`select ticket_id from (
      ${cols.trackingCode ? sql`select f.ticket_id from feedback f where ${byCode} union all ` : sql``}select f.ticket_id from feedback f where ${inContent}
      union all select f.ticket_id from feedback f where f.customer_id in (${customers})) m limit ${cap + 1}`));
  if (probe.length <= cap) {
    const ids = [...new Set(probe.map((r) => r.ticket_id))];
    if (!ids.length) return { way: 'few', match: () => sql`false` };
    // One array parameter (ids are the database's own uuids), not one parameter per id.
    const array = `{${ids.join(',')}}`;
    return { way: 'few', match: (id) => sql`${id} = any(${array}::uuid[])` };
  }
  // OFFSET 0 keeps the EXISTS a per-ticket check: pulled up into a semi-join, the planner would read
  // every matching feedback before the first ticket.
  return {
    way: 'recent',
    match: (id) => sql`exists (select 1 from feedback f where f.ticket_id = ${id}
      and (${byCode} or f.content ilike ${like} or f.customer_id in (${customers})) offset 0)`,
  };
}
