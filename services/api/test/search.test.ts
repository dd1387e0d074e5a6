// Staff search finds the same tickets whichever way the probe chooses (services/search.ts): by id for
// rare texts, newest first for common ones. A property test against a plain substring check in
// JavaScript, on PGlite and PostgreSQL.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { customers } from '@closeloop/db';
import { planSearch, searchedColumns } from '../src/services/search.ts';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';

let env: TestEnv;
let supervisor = '';
const WORDS = ['吞卡', '年费', '重复扣收', 'ATM', 'card', 'Card', '网点', '排队', '100%', 'a_b'];
const PEOPLE = [
  { externalId: 'crm-s1', name: '张伟', phone: '+86 138 0013 8000', email: 'zhang.wei@example.com' },
  { externalId: 'crm-s2', name: 'Li Na', phone: '+86 139 0000 1111', email: 'li.na@example.com' },
  { externalId: 'crm-s3', name: '王芳', phone: '+86 137 2222 3333', email: null },
];
type Row = { ticketId: string; code: string; content: string; person: (typeof PEOPLE)[number] };
const rows: Row[] = [];

beforeAll(async () => {
  env = await setup();
  supervisor = (await env.staffToken('SUPERVISOR')).token;
  await env.handle.db.insert(customers).values(PEOPLE);
  // 24 feedback of two or three words each, spread over the three customers.
  const pick = fc.sample(fc.tuple(fc.array(fc.constantFrom(...WORDS), { minLength: 2, maxLength: 3 }), fc.nat(2)), { numRuns: 24, seed: 20261130 });
  for (const [words, who] of pick) {
    const person = PEOPLE[who]!;
    const content = `${words.join(' ')} 的问题`;
    const r = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', channel: 'PHONE', content, customerExternalId: person.externalId } }, bearer(supervisor));
    const code = r.data.submitFeedback.trackingCode as string;
    const t = await env.gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: code }, bearer(supervisor));
    rows.push({ ticketId: fromGlobal(t.data.trackFeedback.ticket.id), code, content, person });
  }
}, 120_000);
afterAll(() => env?.close());

const fromGlobal = (id: string) => Buffer.from(id, 'base64').toString().split(':')[1]!;

/** ILIKE as JavaScript: a case-insensitive substring. */
const has = (value: string | null, text: string) => value !== null && value.toLowerCase().includes(text.toLowerCase());
function expected(text: string): string[] {
  const cols = searchedColumns(text);
  const fields = (r: Row) => [r.content, r.person.name, r.person.externalId, cols.trackingCode ? r.code : null, cols.phone ? r.person.phone : null, cols.email ? r.person.email : null];
  return [...new Set(rows.filter((r) => fields(r).some((v) => has(v, text))).map((r) => r.ticketId))].sort();
}

async function found(text: string, cap: number) {
  const plan = await planSearch(env.handle.db, text, cap);
  const r = (await env.handle.db.execute(sql`select t.id from tickets t where ${plan.match(sql`t.id`)} order by t.received_at desc, t.id`)) as unknown as { rows: { id: string }[] };
  return { way: plan.way, ids: r.rows.map((x) => x.id) };
}

describe('staff search', () => {
  it('finds the same tickets by id and newest first, and both agree with a plain substring check', async () => {
    // Texts: whole words, parts of them, names, phone digits, e-mail parts, codes, and misses.
    const text = fc.oneof(
      fc.constantFrom(...WORDS, '吞', '扣收', 'at', '张伟', 'li n', '0013 8000', 'EXAMPLE.COM', 'crm-s', '问题', 'nothing-like-this', '%', '_'),
      fc.constantFrom(...rows.map((r) => r.code)).chain((c) => fc.constantFrom(c, c.toLowerCase(), c.slice(3), c.slice(5, 9))),
    );
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        const want = expected(t);
        const rare = await found(t, 10_000);
        const common = await found(t, 0);
        // Newest first, the same order both ways; the same set as the substring check.
        expect(common.ids).toEqual(rare.ids);
        expect([...rare.ids].sort()).toEqual(want);
        if (rare.way !== 'exact') expect(rare.way).toBe('few');
        if (want.length && common.way !== 'exact') expect(common.way).toBe('recent');
      }),
      { numRuns: 40, seed: 20261130 },
    );
  });
});
