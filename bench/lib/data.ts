// The benchmark's own PostgreSQL database: created next to the admin URL, filled with generated data,
// dropped afterwards. Everything is a pure function of (seed, row number), computed inside PostgreSQL
// with INSERT … SELECT generate_series, so the same seed gives the same rows and no data crosses the wire.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDatabase, isAlive } from '@closeloop/db';
import { seedBase } from '../../services/api/src/seed.ts';
import { createScratchDatabase, withAdmin, type ScratchDatabase } from './database.ts';
import { log, progress } from './progress.ts';

export interface DataSize {
  customers: number;
  feedback: number;
  staffPerDepartment: number;
}

export const FULL: DataSize = { customers: 100_000, feedback: 1_000_000, staffPerDepartment: 10 };
export const QUICK: DataSize = { customers: 5_000, feedback: 20_000, staffPerDepartment: 10 };

/** Row numbers with a known public timeline length (statement counts and case (a)). */
export const TRACKED_EVERY = 100; // 24 events, 20 of them PUBLIC
export const LONG_EVERY = 10_007; // 120 events, 100 of them PUBLIC

/** Creates an empty database (seedData migrates it); also drops leftovers of earlier runs whose process is gone. */
export async function createBenchDatabase(adminUrl: string): Promise<ScratchDatabase> {
  await withAdmin(adminUrl, async (admin) => {
    const stale = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'closeloop_bench_%'`;
    for (const { datname } of stale) {
      const pid = Number(/^closeloop_bench_(\d+)_/.exec(datname)?.[1]);
      if (pid && !isAlive(pid)) {
        log(`dropping leftover database ${datname}`);
        await admin.unsafe(`drop database if exists "${datname}" with (force)`);
      }
    }
  });
  return createScratchDatabase(adminUrl, `closeloop_bench_${process.pid}_${randomBytes(4).toString('hex')}`);
}

// Deterministic pseudo-random integer in [0, m) from the row number and a salt (a multiplicative hash).
const h = (expr: string, salt: number, m: number) => `((((${expr})::bigint * 2654435761 + ${salt}) % 4294967291) % ${m})`;
const uuidOf = (prefix: string, seed: number, expr: string) => `md5('${prefix}-${seed}-' || (${expr}))::uuid`;

/** Tracking code of row i: a bijection of i on 40 bits, in the Crockford alphabet of the real codes. */
function trackingCodeSql(seed: number): string {
  const x = `((i::bigint * 2654435761 + ${seed * 7919 + 12345}) % 1099511627776)`;
  const digit = (k: number) => `substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((${x} >> ${35 - 5 * k}) & 31)::int + 1, 1)`;
  return `'FB-' || ${[0, 1, 2, 3].map(digit).join(' || ')} || '-' || ${[4, 5, 6, 7].map(digit).join(' || ')}`;
}

/**
 * Content of row i: English, or (every third row) Chinese, so staff search is measured on CJK text too
 * (bench/lib/search.ts asks for CJK_TERMS). Each term is in a known share of the rows.
 */
// The two-character term last (it once outlasted the server's execution timeout; a bigram index serves it now, docs/performance.md).
export const CJK_TERMS = ['无人接听', '年费重复扣收', '人民路支行', '吞卡'];
function contentSql(seed: number): string {
  const branch = h('i', seed + 13, 500);
  return `(case ${h('i', seed + 15, 6)}
    when 0 then '第 ' || i || ' 号反馈：人民路支行 ' || ${branch} || ' 号 ATM 吞卡，客服电话一直无人接听。'
    when 3 then '第 ' || i || ' 号反馈：信用卡年费重复扣收，' || ${branch} || ' 号网点的柜员无法解释。'
    else 'Generated feedback number ' || i || ': the ATM on branch ' || ${branch} || ' kept the card and the hotline did not answer.' end)`;
}

/** Number of timeline events of row i; every sixth position is an INTERNAL note. */
const eventsOf = (seed: number) => `(case when i % ${LONG_EVERY} = 0 then 120 when i % ${TRACKED_EVERY} = 0 then 24 else 1 + ${h('i', seed + 5, 6)} end)`;

/** Runs `work` over [1, total] in chunks, two at a time (one per connection). */
async function inChunks(total: number, size: number, work: (lo: number, hi: number) => Promise<void>): Promise<void> {
  let next = 1;
  const worker = async () => {
    while (next <= total) {
      const lo = next;
      const hi = Math.min(total, lo + size - 1);
      next = hi + 1;
      await work(lo, hi);
    }
  };
  await Promise.all([worker(), worker()]);
}

export async function seedData(url: string, size: DataSize, seed: number): Promise<void> {
  const handle = await createDatabase({ url, max: 2 });
  try {
    await handle.migrate();
    await seedBase(handle.db);
  } finally {
    await handle.close();
  }
  // Two connections: PostgreSQL then fills the tables on both cores. Nothing here needs durability.
  const sql = postgres(url, { max: 2, onnotice: () => {}, connection: { synchronous_commit: 'off' } });
  try {
    const depts = (await sql<{ id: string }[]>`select id from departments order by code`).map((d) => d.id);
    const D = depts.length;
    const deptArray = `array[${depts.map((d) => `'${d}'::uuid`).join(',')}]`;
    const S = size.staffPerDepartment;
    // Staff: S handlers per department (agents, one senior in five).
    await sql.unsafe(`
      insert into staff (id, email, name, role, department_id, level)
      select ${uuidOf('staff', seed, "d || '-' || k")}, 'bench' || d || '.' || k || '@bench.closeloop.dev', 'Agent ' || d || '-' || k,
             (case when k % 5 = 0 then 'SENIOR' else 'AGENT' end)::staff_role, (${deptArray})[d],
             (case when k % 5 = 0 then 'L2' else 'L1' end)::escalation_level
      from generate_series(1, ${D}) d, generate_series(1, ${S}) k`);

    const chunk = 50_000;
    const bar = progress('customers', size.customers);
    for (let lo = 1; lo <= size.customers; lo += chunk) {
      const hi = Math.min(size.customers, lo + chunk - 1);
      await sql.unsafe(`
        insert into customers (id, external_id, name, email, phone, tier_id)
        select ${uuidOf('customer', seed, 'i')}, 'bench-' || i, 'Customer ' || i, 'c' || i || '@example.com',
               '+86 138 ' || lpad(${h('i', seed + 1, 100_000_000)}::text, 8, '0'),
               (select id from tiers where code = (case when ${h('i', seed + 2, 100)} < 2 then 'PRIVATE_BANKING'
                                                        when ${h('i', seed + 2, 100)} < 12 then 'VIP' else 'STANDARD' end))
        from generate_series(${lo}, ${hi}) i`);
      bar.update(hi);
    }
    bar.done();

    const F = size.feedback;
    const received = `(timestamptz '2025-11-22T00:00:00Z' + (i::float8 / ${F}) * interval '365 days')`;
    const customerOf = `(case when ${h('i', seed + 3, 10)} < 7 then ${uuidOf('customer', seed, `1 + ${h('i', seed + 4, size.customers)}`)} end)`;
    const deptIdx = `(1 + ${h('i', seed + 6, D)})`;
    const fb = progress('tickets + feedback', F);
    let done = 0;
    await inChunks(F, chunk, async (lo, hi) => {
      // The newest 2 % are open, the rest resolved or closed: a realistic queue in front of a long history.
      await sql.unsafe(`
        insert into tickets (id, status, kind, channel, customer_id, priority, department_id, assignee_id, level,
                             received_at, first_response_due_at, resolution_due_at, first_responded_at, resolved_at, closed_at, updated_at)
        select ${uuidOf('ticket', seed, 'i')},
               (case when i > ${Math.floor(F * 0.98)} then (array['SUBMITTED','ACKNOWLEDGED','IN_PROGRESS'])[1 + ${h('i', seed + 7, 3)}]
                     when ${h('i', seed + 7, 5)} = 0 then 'RESOLVED' else 'CLOSED' end)::ticket_status,
               (array['COMPLAINT','COMPLAINT','COMPLAINT','COMPLAINT','COMPLAINT','SUGGESTION','SUGGESTION','PRAISE','INQUIRY','INQUIRY'])[1 + ${h('i', seed + 8, 10)}]::feedback_kind,
               (array['WEB','APP','MINI_PROGRAM','BRANCH','PHONE'])[1 + ${h('i', seed + 9, 5)}]::channel,
               ${customerOf},
               (array['LOW','NORMAL','NORMAL','NORMAL','HIGH','URGENT'])[1 + ${h('i', seed + 10, 6)}]::priority,
               (${deptArray})[${deptIdx}],
               (case when ${h('i', seed + 11, 20)} = 0 then null else ${uuidOf('staff', seed, `${deptIdx} || '-' || (1 + ${h('i', seed + 12, S)})`)} end),
               'L1', ${received}, ${received} + interval '1 day', ${received} + interval '3 days',
               (case when i > ${Math.floor(F * 0.98)} then null else ${received} + interval '2 hours' end),
               (case when i > ${Math.floor(F * 0.98)} then null else ${received} + interval '2 days' end),
               (case when i > ${Math.floor(F * 0.98)} or ${h('i', seed + 7, 5)} = 0 then null else ${received} + interval '4 days' end),
               ${received}
        from generate_series(${lo}, ${hi}) i`);
      await sql.unsafe(`
        insert into feedback (id, tracking_code, kind, channel, customer_id, ticket_id, content, category, tags,
                              contact_name, contact_email, received_at, last_position)
        select ${uuidOf('feedback', seed, 'i')}, ${trackingCodeSql(seed)}, t.kind, t.channel, t.customer_id, t.id,
               ${contentSql(seed)},
               (array['atm','card','loan','app','branch','fees'])[1 + ${h('i', seed + 14, 6)}], array['bench'],
               (case when t.customer_id is null then 'Anonymous ' || i end), null, t.received_at, ${eventsOf(seed)}
        from generate_series(${lo}, ${hi}) i join tickets t on t.id = ${uuidOf('ticket', seed, 'i')}`);
      fb.update((done += hi - lo + 1));
    });
    fb.done();

    const total = (await sql<{ n: string }[]>`select sum(last_position)::bigint as n from feedback`)[0]!.n;
    const ev = progress('timeline events', Number(total));
    let written = 0;
    const evChunk = Math.max(5_000, Math.floor(chunk / 2));
    await inChunks(F, evChunk, async (lo, hi) => {
      // Ordered by (row, position) within a chunk; ids of the two writers interleave by chunk, which
      // nothing measured here depends on.
      const r = await sql.unsafe(`
        insert into timeline_events (feedback_id, ticket_id, position, type, visibility, from_status, to_status, body,
                                     actor_type, actor_name, created_at)
        select f.id, f.ticket_id, p,
               (case when p = 1 then 'SUBMITTED' when p % 6 = 0 then 'INTERNAL_NOTE' when p = 2 then 'STATUS_CHANGED' else 'PUBLIC_REPLY' end)::timeline_event_type,
               (case when p % 6 = 0 then 'INTERNAL' else 'PUBLIC' end)::visibility,
               (case when p = 2 then 'SUBMITTED' end)::ticket_status,
               (case when p = 1 then 'SUBMITTED' when p = 2 then 'ACKNOWLEDGED' end)::ticket_status,
               (case when p > 2 then 'Update ' || p || ': we are looking into it and will reply within one working day.' end),
               (case when p = 1 then (case when f.customer_id is null then 'ANONYMOUS' else 'CUSTOMER' end) else 'STAFF' end)::actor_type,
               (case when p > 1 then 'Agent ' || (1 + p % 7) end),
               f.received_at + p * interval '10 minutes'
        from generate_series(${lo}, ${hi}) i
        join feedback f on f.id = ${uuidOf('feedback', seed, 'i')}
        cross join lateral generate_series(1, f.last_position) p
        order by i, p`);
      written += r.count;
      ev.update(written);
    });
    ev.done();
    log('  analyze');
    await sql`analyze`;
  } finally {
    await sql.end();
  }
}
