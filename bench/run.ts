// `npm run bench [-- --quick] [--only compiled,normal,submit,Track,…] [--cpu-prof] [--skip fanout,widget,memory,search,replay]`
// Creates its own PostgreSQL database, generates seeded data, measures, prints one table, writes
// bench/results/latest.json, drops the database. Bounded in time; see README, Performance.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchDatabase, FULL, QUICK, seedData } from './lib/data.ts';
import { makeFixtures, normalCases } from './lib/cases.ts';
import { setupCompiled } from './lib/compiled.ts';
import { runFloor, runLadder } from './lib/ladder.ts';
import { runIdleMemory, type MemoryResult } from './lib/memory.ts';
import { countStatements } from './lib/statements.ts';
import { runFanout, stopFanout } from './lib/fanout.ts';
import { runWidget, type WidgetResult } from './lib/widget.ts';
import { runSearch, type SearchResult } from './lib/search.ts';
import { runReplay, type ReplayResult } from './lib/replay.ts';
import { environment, printReport, type BenchReport } from './lib/report.ts';
import { log } from './lib/progress.ts';
import { BENCH_DIR, killAll, pinning } from './lib/procs.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('quick');
const seed = Number(opt('seed') ?? 20261122);
const only = opt('only')?.split(',');
const skip = new Set(opt('skip')?.split(',') ?? []);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const size = quick ? QUICK : FULL;
const pool = Number(process.env.BENCH_POOL ?? 10);
// The whole run is bounded: past this the benchmark stops itself, cleaning up what it started.
const budgetMs = (quick ? 15 : 60) * 60_000;

const started = Date.now();
const db = await createBenchDatabase(adminUrl);
let cleaned = false;
const cleanup = async () => {
  if (cleaned) return;
  cleaned = true;
  stopFanout();
  killAll();
  await db.drop().catch((e) => log(`could not drop ${db.name}: ${(e as Error).message}`));
};
// Filled in as phases finish, and saved, so that a run stopped late still leaves its figures.
let report: BenchReport | null = null;
const save = () => {
  if (!report) return;
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(join(BENCH_DIR, 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
};
const abort = (why: string) => {
  log(`\n${why}: stopping and dropping ${db.name}`);
  void cleanup().then(() => {
    if (report) {
      save();
      printReport(report);
    }
    process.exit(130);
  });
};
process.on('SIGINT', () => abort('interrupted'));
process.on('SIGTERM', () => abort('terminated'));
setTimeout(() => abort(`time budget of ${budgetMs / 60_000} min exceeded`), budgetMs).unref();

try {
  log(`closeloop bench (${quick ? 'quick' : 'full'}): database ${db.name}, ${pinning}`);
  log(`generating data: ${size.customers.toLocaleString('en')} customers, ${size.feedback.toLocaleString('en')} feedback with timelines (seed ${seed})`);
  const t0 = Date.now();
  await seedData(db.url, size, seed);
  const seedSeconds = (Date.now() - t0) / 1000;

  const secretKey = randomBytes(32);
  const fx = await makeFixtures(db.url, secretKey, seed);
  log('counting SQL statements per request');
  const statements = await countStatements(db.url, secretKey, fx);
  for (const p of statements.parity) log(`  parity: ${p}`);
  // Every document of the compiled registry, whatever is in it on this commit (lib/compiled.ts).
  log('compiled documents');
  const compiled = await setupCompiled(db.url, secretKey, fx);
  for (const c of compiled.rows) log(`  ${c.label}: ${c.note ?? `${c.statements} statements per request`}`);
  for (const p of compiled.parity) log(`  parity: ${p}`);

  const cpuProfDir = flag('cpu-prof') ? join(BENCH_DIR, 'results', 'profiles') : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  log('overhead ladder');
  const ladderOptions = {
    env: { BENCH_DATABASE_URL: db.url, BENCH_SECRET_KEY: secretKey.toString('hex'), BENCH_POOL: String(pool), BENCH_REPLAY: compiled.replayFile },
    // The targets are judged at 16 and 64; --quick leaves out 1 and shortens the windows.
    concurrencies: quick ? [16, 64] : [1, 16, 64],
    rounds: quick ? 1 : 3,
    warmupMs: quick ? 1_000 : 1_500,
    durationMs: quick ? 3_000 : 5_000,
    seed,
    cpuProfDir,
    only,
  };
  const floor = await runFloor(ladderOptions);
  const ladder = await runLadder([...compiled.cases, ...normalCases(fx)], ladderOptions);
  rmSync(fx.pairsFile, { force: true });
  rmSync(compiled.replayFile, { force: true });

  // The compiled feedbackProgress replay, side by side with executing each replayed event.
  log('compiled replay');
  const replay: ReplayResult = skip.has('replay') ? { status: 'skipped', note: '--skip replay' } : await runReplay(db.url, secretKey, fx, quick ? 5 : 15);

  // Staff search on the same data (1M feedback in a full run, the quick set with --quick).
  log('staff search');
  const search: SearchResult = skip.has('search')
    ? { status: 'skipped', note: '--skip search' }
    : await runSearch(db.url, secretKey, { runs: quick ? 20 : 50, seed }).catch((e) => ({ status: 'unavailable' as const, note: (e as Error).message }));

  const widget: WidgetResult = skip.has('widget')
    ? { status: 'skipped', note: '--skip widget' }
    : await runWidget({ url: db.url, secretKey, channelKey: fx.channelKey, runs: quick ? 3 : 7 });

  report = {
    mode: quick ? 'quick' : 'full',
    startedAt: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    environment: { ...environment(), pinning, pool, seed, data: { ...size, seedSeconds } },
    floor,
    ladder,
    compiled: compiled.rows,
    statements: statements.rows,
    parity: [...statements.parity, ...compiled.parity],
    memory: { status: 'skipped', note: 'not run (the run stopped before it)' },
    plans: statements.plans,
    fanout: { status: 'unavailable', note: 'not run (the run stopped before it)' },
    widget,
    search,
    replay,
  };
  save();
  // Our database is no longer needed; the fan-out script creates and drops its own.
  await db.drop();
  // Idle memory of the embedded default: no other server of ours is running by now.
  if (!skip.has('memory')) log('idle memory of the embedded default (npm start)');
  const memory: MemoryResult = skip.has('memory') ? { status: 'skipped', note: '--skip memory' } : await runIdleMemory(quick);
  report.memory = memory;
  save();
  // Last: their script starts servers of its own, and ours are all stopped by now.
  report.fanout = skip.has('fanout') ? { status: 'skipped', note: '--skip fanout' } : await runFanout(quick, adminUrl);
  report.seconds = Math.round((Date.now() - started) / 1000);
  save();
  printReport(report);
} finally {
  await cleanup();
}
process.exit(0);
