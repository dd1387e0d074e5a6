// `npx tsx bench/timeline-lock.ts [postgres://admin-url]` — what serialising timeline appends costs.
// Runs the real submission (FeedbackService.submit: ticket, feedback, timeline insert under the
// advisory lock, commit) from 1 and 8 concurrent writers for a few seconds each against a fresh
// PostgreSQL database, and the same transaction shape without the lock, and prints throughput and
// latency. Bounded: about 15 s in all.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createDatabase } from '@closeloop/db';
import { createServices } from '../services/api/src/services/index.ts';
import { seedBase } from '../services/api/src/seed.ts';
import { TIMELINE_LOCK } from '../services/api/src/services/events.ts';
import { createScratchDatabase } from './lib/database.ts';

const admin = process.argv[2] ?? process.env.FANOUT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const scratch = await createScratchDatabase(admin, `closeloop_lockbench_${randomBytes(4).toString('hex')}`);
const handle = await createDatabase({ url: scratch.url, max: 10 });
await handle.migrate();
await seedBase(handle.db);
const services = createServices(handle.db, randomBytes(32), () => {});
const viewer = { kind: 'CUSTOMER' as const, channel: { id: null, kind: 'WEB' } as never, customer: { id: null } as never };

async function run(label: string, writers: number, ms: number, op: () => Promise<unknown>) {
  const lat: number[] = [];
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (Date.now() < until) {
        const t = performance.now();
        await op();
        lat.push(performance.now() - t);
      }
    }),
  );
  lat.sort((x, y) => x - y);
  const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]!.toFixed(2);
  const row = { label, writers, txPerSecond: Math.round(lat.length / (ms / 1000)), p50Ms: p(0.5), p99Ms: p(0.99) };
  console.log(`${label.padEnd(34)} writers ${String(writers).padStart(2)}  ${String(row.txPerSecond).padStart(6)} tx/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms`);
  return row;
}

// The real submission path (with the lock), as a customer would submit.
const submit = () => services.feedback.submit(viewer as never, { kind: 'SUGGESTION', content: 'Please add batch transfers to the app.' });
// The same shape of transaction, with and without the advisory lock, to isolate the lock itself.
const shape = (locked: boolean) => () =>
  handle.db.transaction(async (tx) => {
    await tx.execute(sql`select 1 from tickets limit 1`);
    if (locked) await tx.execute(sql.raw(`select pg_advisory_xact_lock(${TIMELINE_LOCK})`));
    await tx.execute(sql`insert into audit_log (actor_type, action, prev_hash, hash) values ('SYSTEM', 'lock-bench', '', '')`);
  });

const results = [];
for (const writers of [1, 8]) {
  results.push(await run('submitFeedback (real, locked)', writers, 3000, submit));
  results.push(await run('transaction shape, no lock', writers, 2000, shape(false)));
  results.push(await run('transaction shape, advisory lock', writers, 2000, shape(true)));
}
await handle.close();
await scratch.drop();
console.log(JSON.stringify(results));
