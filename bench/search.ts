// `npm run bench:search [-- --quick] [--feedback N] [--runs N] [--keep] [--database-url URL]`
// --keep leaves the generated database in place (its URL is printed); --database-url measures such a
// database again without building one (neither is dropped).
// Staff search latency (searchTickets) on its own generated data set (bench/lib/data.ts; `npm run bench`
// measures the same on the full 1M set). Creates and drops its own PostgreSQL database.
import { randomBytes } from 'node:crypto';
import { createBenchDatabase, FULL, QUICK, seedData } from './lib/data.ts';
import { createScratchDatabase } from './lib/database.ts';
import { runSearch, searchLines } from './lib/search.ts';
import { log } from './lib/progress.ts';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const base = quick ? QUICK : FULL;
const feedback = Number(opt('feedback') ?? base.feedback);
// One customer for every ten feedback, as in the full set.
const size = { ...base, feedback, customers: Math.max(1000, Math.round(feedback / 10)) };
const runs = Number(opt('runs') ?? (quick ? 20 : 50));
const seed = Number(opt('seed') ?? 20261122);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const existing = opt('database-url');
const keep = argv.includes('--keep') || existing !== undefined;
// A kept database is not named like a bench run's (closeloop_bench_<pid>_…): those are dropped as
// leftovers by the next run once their process has ended.
const db = existing ? { name: existing, url: existing, drop: async () => {} }
  : keep ? await createScratchDatabase(adminUrl, `closeloop_search_kept_${Date.now()}`) : await createBenchDatabase(adminUrl);
const stop = () => void (keep ? Promise.resolve() : db.drop()).finally(() => process.exit(130));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
try {
  if (!existing) {
    log(`closeloop search bench: ${size.customers.toLocaleString('en')} customers, ${size.feedback.toLocaleString('en')} feedback (database ${db.name})`);
    const t0 = Date.now();
    await seedData(db.url, size, seed);
    log(`  data built in ${Math.round((Date.now() - t0) / 1000)} s${keep ? `; kept: --database-url ${db.url}` : ''}`);
  }
  const result = await runSearch(db.url, randomBytes(32), { runs, seed });
  const n = existing ? 'the given database' : `${size.feedback.toLocaleString('en')} feedback`;
  console.log(`\nStaff search on ${n} (supervisor, first: 50, one request at a time)`);
  console.log(searchLines(result).join('\n'));
} finally {
  if (!keep) await db.drop();
}
process.exit(0);
