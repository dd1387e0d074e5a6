// The one table the benchmark prints, with each figure next to its target.
import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { headlineRatio, judged, type Floor, type LadderCase, type LadderPoint, type Side } from './ladder.ts';
import { memoryLines, IDLE_RSS_TARGET_MIB, type MemoryResult } from './memory.ts';
import type { StatementRow } from './statements.ts';
import type { PlanRow } from './plans.ts';
import { fanoutLines, type FanoutResult } from './fanout.ts';
import type { WidgetResult } from './widget.ts';
import { searchLines, type SearchResult } from './search.ts';
import type { ReplayResult } from './replay.ts';
import { ROOT } from './procs.ts';

export interface BenchReport {
  mode: 'quick' | 'full';
  startedAt: string;
  seconds: number;
  environment: Record<string, unknown>;
  /** The GraphQL endpoint answering `{ __typename }`: its fixed cost per request, on both HTTP paths. */
  floor: Floor;
  ladder: LadderCase[];
  /** Compiled documents found in the registry: statements per request, or why one is not measured. */
  compiled: Array<{ id: string; label: string; statements?: number; note?: string }>;
  statements: StatementRow[];
  parity: string[];
  /** Idle RSS of the embedded default (fresh and warm start). */
  memory: MemoryResult;
  plans: PlanRow[];
  fanout: FanoutResult;
  widget: WidgetResult;
  /** Staff search latency (searchTickets); absent in reports written before it was measured. */
  search?: SearchResult;
  /** The compiled feedbackProgress replay against executing each replayed event; absent in older reports. */
  replay?: ReplayResult;
}

function sh(cmd: string): string | null {
  try {
    return execSync(cmd, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

export function environment() {
  return {
    commit: sh('git rev-parse --short HEAD'),
    dirty: (sh('git status --porcelain') ?? '').length > 0,
    node: process.version,
    cpu: `${cpus()[0]?.model ?? '?'} × ${cpus().length}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    postgres: sh(`psql "${process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'}" -Atc 'show server_version'`),
  };
}

const pass = (ok: boolean | null) => (ok === null ? '  n/a' : ok ? '  ok ' : ' MISS');
const fin = (n: number | null): n is number => typeof n === 'number' && Number.isFinite(n);
const f0 = (n: number | null) => (fin(n) ? n.toFixed(0) : '–');
const f1 = (n: number | null) => (fin(n) ? n.toFixed(1) : '–');
const pct = (n: number | null) => (fin(n) ? `${(n * 100).toFixed(0)} %` : '–');

export function printReport(r: BenchReport): void {
  const out: string[] = [];
  const env = r.environment as { node: string; cpu: string; postgres: string | null; pinning: string; pool: number; data: { customers: number; feedback: number }; commit: string | null };
  out.push('');
  out.push(`Closeloop benchmark (${r.mode}, ${r.seconds} s) — commit ${env.commit}, Node ${env.node}, PostgreSQL ${env.postgres}, ${env.cpu}`);
  out.push(`data: ${env.data.customers.toLocaleString('en')} customers, ${env.data.feedback.toLocaleString('en')} feedback; pool ${env.pool}; ${env.pinning}`);
  out.push('');
  out.push('1. Overhead ladder: GraphQL endpoint vs plain node:http + postgres.js (same SQL work, same pool); medians of the rounds; load = 1-min loadavg');
  const head = '   case                                            conc │  raw req/s  p50 ms  p99 ms  CPU µs │ GraphQL req/s  p50 ms  p99 ms  CPU µs │ ratio (by CPU)  load   target';
  const groups: Array<[LadderCase['group'], string]> = [
    ['compiled', 'compiled documents (services/api/src/compiled/; raw = the same statement(s) replayed, caller resolved the same way)'],
    ['normal', 'normal path: documents that are not compiled (Yoga + Pothos), raw = hand-written SQL'],
    ['write', 'write'],
  ];
  const row = (c: LadderCase, p: LadderPoint, i: number) => {
    const target = c.target !== null && c.judgedAt.includes(p.concurrency) ? `≥${pct(c.target)}${pass(p.ratio >= c.target)}` : '';
    const errs = p.raw.errors + p.graphql.errors;
    return `   ${(i === 0 ? c.label.slice(0, 47) : '').padEnd(47)} ${String(p.concurrency).padStart(4)} │ ${f0(p.raw.rps).padStart(10)} ${f1(p.raw.p50Ms).padStart(7)} ${f1(p.raw.p99Ms).padStart(7)} ${f0(p.raw.cpuMicros).padStart(7)} │ ${f0(p.graphql.rps).padStart(13)} ${f1(p.graphql.p50Ms).padStart(7)} ${f1(p.graphql.p99Ms).padStart(7)} ${f0(p.graphql.cpuMicros).padStart(7)} │ ${pct(p.ratio).padStart(5)} (${pct(p.cpuRatio).padStart(5)}) ${f1((p.raw.load1 + p.graphql.load1) / 2).padStart(5)}  ${target}${errs ? `  (${errs} errors)` : ''}`;
  };
  for (const [group, title] of groups) {
    const cases = r.ladder.filter((c) => c.group === group);
    if (group === 'compiled') for (const c of r.compiled.filter((x) => x.note)) out.push(`   ${c.label}: ${c.note}`);
    if (!cases.length) continue;
    out.push(`   ${title}`);
    out.push(head);
    for (const c of cases) c.points.forEach((p, i) => out.push(row(c, p, i)));
  }
  const conc = String(r.ladder[0]?.points.at(-1)?.concurrency ?? '').padStart(4);
  const floorLine = (label: string, fl: Side, note: string) =>
    out.push(`   ${label.padEnd(47)} ${conc} │ ${''.padStart(39)} │ ${f0(fl.rps).padStart(13)} ${f1(fl.p50Ms).padStart(7)} ${f1(fl.p99Ms).padStart(7)} ${f0(fl.cpuMicros).padStart(7)} │ ${note}, load ${f1(fl.load1)}`);
  floorLine('GraphQL floor: { __typename }', r.floor.direct, 'the fixed cost of a GraphQL request');
  floorLine("  same, through Yoga's handler", r.floor.yoga, 'without the direct JSON path (http-graphql.ts)');
  const rp = r.replay;
  if (rp) {
    out.push('   compiled replay: feedbackProgress from cursor 0 over WebSocket, compiled vs each event executed (two servers of one process, in turn)');
    out.push(rp.status === 'measured'
      ? `   ${`${rp.events} events, median of ${rp.rounds}`.padEnd(47)}      │ compiled ${f1(rp.compiled!.medianMs)} ms (${f1(rp.compiled!.cpuMs)} ms CPU) │ executed ${f1(rp.executed!.medianMs)} ms (${f1(rp.executed!.cpuMs)} ms CPU) │ ${f1(rp.speedup!)}× faster, load ${f1(rp.load1!)}`
      : `   ${rp.status}: ${rp.note ?? ''}`);
  }
  out.push('');
  out.push('2. SQL statements per request (must not grow with the list)');
  for (const c of r.compiled.filter((x) => x.statements !== undefined)) out.push(`   ${c.label.padEnd(58)} GraphQL ${c.statements} (caller + compiled statement)`);
  for (const s of r.statements) {
    const label = { track: 'trackFeedback (Track), 20 events', tickets: 'tickets(first:) (Queue), agent', submit: 'submitFeedback' }[s.case];
    out.push(`   ${label.padEnd(34)} ${s.list.padEnd(24)} sizes ${s.sizes.join('/').padEnd(9)} GraphQL ${s.graphql.join('/').padEnd(9)} raw ${s.raw.join('/').padEnd(9)} ${pass(s.constant)}`);
  }
  if (r.parity.length) out.push(...r.parity.map((p) => `   parity warning: ${p}`));
  out.push('   query plans of the GraphQL statements (largest list size; EXPLAIN ANALYZE for reads, plain EXPLAIN for writes):');
  for (const p of r.plans) {
    const time = p.ms === null ? '   n/a  ' : `${p.ms.toFixed(2).padStart(7)} ms`;
    const scans = p.nodes.filter((n) => /Scan|Insert|Update|Aggregate|Sort|Limit|Function/.test(n)).slice(0, 6).join(', ');
    out.push(`     ${p.case.padEnd(8)} ${time}  ${p.statement.slice(0, 70).padEnd(70)}  ${scans}`);
  }
  out.push('');
  out.push('3. Fan-out (issue 3: npm run bench:fanout)');
  if (r.fanout.status !== 'ok') out.push(`   not available: ${r.fanout.note}`);
  for (const line of fanoutLines(r.fanout.runs ?? [])) out.push(`   ${line}`);
  out.push('');
  out.push('4. Widget (/sdk/closeloop.js served by the API)');
  const w = r.widget;
  if (w.status !== 'ok') out.push(`   not available: ${w.note}`);
  else {
    const kb = (n: number) => (n / 1024).toFixed(1);
    out.push(`   size           ${kb(w.bytes)} KB raw, ${kb(w.gzip)} KB gzip, ${kb(w.brotli)} KB brotli in ${w.files.length} files   target ≤ 30 KB gzip ${pass(w.gzip <= 30 * 1024)}`);
    out.push(`                  first render needs closeloop.js alone: ${kb(w.first.bytes)} KB raw, ${kb(w.first.gzip)} KB gzip, ${kb(w.first.brotli)} KB brotli (${w.filesBeforeRender} /sdk/ file(s) fetched before render)`);
    out.push(`   first render   ${f0(w.firstRenderMs)} ms from navigation (median of ${w.runs} cold loads, 4× CPU throttling, <${w.tag}> on an empty page): ${f0(w.firstRenderMs - w.floorMs)} ms over the empty page   target ≤ +100 ms ${pass(w.firstRenderMs - w.floorMs <= 100)}`);
    out.push(`                  of which the script had arrived at ${f0(w.scriptLoadedMs)} ms; the same page without the widget: ${f0(w.floorMs)} ms`);
    out.push(`   long tasks     ${w.longTasks.toFixed(1)} per load, ${f0(w.longTaskMs)} ms in total`);
  }
  out.push('');
  out.push('5. Staff search (searchTickets, one request at a time, supervisor; npm run bench:search)');
  if (r.search) out.push(...searchLines(r.search));
  out.push('');
  out.push('6. Idle memory of the embedded default (npm start: PGlite, demo data)');
  for (const line of memoryLines(r.memory)) out.push(`   ${line}`);
  out.push('');
  out.push(...targetLines(r));
  out.push('');
  out.push('Headline ratios: ' + r.ladder.map((c) => `${c.case} ${pct(headlineRatio(c))}`).join(', ') + '   (written to bench/results/latest.json)');
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Every target of the issue, met or not, in one list (what is not measured in this run says so). */
function targetLines(r: BenchReport): string[] {
  const rows: Array<[string, boolean | null, string]> = [];
  for (const c of r.ladder) {
    for (const j of judged(c)) rows.push([`${c.label} at c${j.concurrency} ≥ ${pct(c.target)} of raw`, j.ok, pct(j.ratio)]);
  }
  for (const run of r.fanout.runs ?? []) {
    for (const s of (run.json?.runs ?? []) as Array<Record<string, any>>) {
      const name = `fan-out ${run.subscribers} ${s.scenario}${s.instances > 1 ? ` ×${s.instances}` : ''}`;
      if (typeof s.latencyMs?.p99 === 'number') rows.push([`${name} p99 ≤ 500 ms`, s.latencyMs.p99 <= 500, `${s.latencyMs.p99} ms`]);
      if (s.tracker) rows.push([`${name}: a compiled tracker's p99 meanwhile ≤ 500 ms`, s.tracker.p99 <= 500 && s.tracker.errors === 0, `${s.tracker.p99} ms`]);
      const b = s.memory?.bytesPerIdleSubscriber;
      if (typeof b === 'number') rows.push([`${name} ≤ 30 KB per idle subscriber`, b <= 30 * 1024, `${(b / 1024).toFixed(1)} KB`]);
    }
  }
  for (const m of r.memory.runs ?? []) rows.push([`idle RSS, ${m.start} start < ${IDLE_RSS_TARGET_MIB} MiB`, m.rssMiB < IDLE_RSS_TARGET_MIB, `${m.rssMiB.toFixed(0)} MiB`]);
  if (r.widget.status === 'ok') {
    rows.push(['widget ≤ 30 KB gzip', r.widget.gzip <= 30 * 1024, `${(r.widget.gzip / 1024).toFixed(1)} KB`]);
    // The issue's target: at most 100 ms over the same page without the widget, measured in turn with it.
    rows.push(['widget first render ≤ 100 ms over the empty page', r.widget.firstRenderMs - r.widget.floorMs <= 100, `+${f0(r.widget.firstRenderMs - r.widget.floorMs)} ms (${f0(r.widget.firstRenderMs)} against ${f0(r.widget.floorMs)} ms)`]);
  }
  const missed = rows.filter((x) => x[1] === false);
  const lines = [`Targets: ${rows.length - missed.length} of ${rows.length} met${missed.length ? '; shortfall:' : ''}`];
  for (const [what, , got] of missed) lines.push(`   MISS  ${what}: ${got}`);
  const notRun = [r.fanout.status !== 'ok' ? `fan-out (${r.fanout.status})` : null, r.memory.status !== 'ok' ? `idle memory (${r.memory.status})` : null, r.widget.status !== 'ok' ? `widget (${r.widget.status})` : null].filter(Boolean);
  if (notRun.length) lines.push(`   not judged in this run: ${notRun.join(', ')}`);
  return lines;
}
