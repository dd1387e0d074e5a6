// Fan-out figures come from the realtime benchmark (`npm run bench:fanout`, issue 3); this runs it once
// per subscriber count rather than measuring fan-out a second way, and reads the
// bench/results/fanout.json each run writes. Per count three scenarios: one subscriber per feedback
// (N feedback on one ticket, one change = N events), N staff subscribers on `ticketEvents` (one change =
// one event for all), and the first again on two API processes sharing PostgreSQL and Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './progress.ts';
import { BENCH_DIR, ROOT } from './procs.ts';
import { FANOUT_TARGETS } from './fanout-targets.ts';

export const FANOUT_SCENARIOS = 'feedback,staff,feedback:2';
const TARGET_P99_MS = FANOUT_TARGETS.p99Ms;
const TARGET_KB = FANOUT_TARGETS.bytesPerIdleSubscriber / 1024;

export interface FanoutRun {
  subscribers: number;
  ok: boolean;
  /** What bench:fanout wrote to bench/results/fanout.json (one entry per scenario in `runs`). */
  json: Record<string, any> | null;
  note?: string;
  seconds: number;
}

export type FanoutResult =
  | { status: 'ok'; runs: FanoutRun[] }
  | { status: 'skipped' | 'unavailable' | 'failed'; note: string; runs?: FanoutRun[] };

let running: ChildProcess | null = null;
/** Stops a fan-out run in progress (the benchmark's own stop): SIGTERM, so it drops its database and stops its servers. */
export function stopFanout(): void {
  if (running && running.exitCode === null) running.kill('SIGTERM');
}

async function once(subscribers: number, quick: boolean, adminUrl: string): Promise<FanoutRun> {
  const started = Date.now();
  const args = [...(quick ? ['--quick'] : []), '--subscribers', String(subscribers), '--scenarios', FANOUT_SCENARIOS];
  log(`fan-out: npm run bench:fanout -- ${args.join(' ')}`);
  // PostgreSQL, as the rest of this benchmark (two instances need it); the script creates and drops its own database.
  const env = { ...process.env, FANOUT_DATABASE_URL: process.env.FANOUT_DATABASE_URL ?? adminUrl };
  // The script itself rather than through npm, so that a stop reaches it (it cleans up on SIGTERM).
  const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'fanout.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  running = child;
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  // The script bounds itself; this is a backstop so the whole run stays bounded.
  const limit = setTimeout(() => child.kill('SIGTERM'), 15 * 60_000);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearTimeout(limit);
  const seconds = Math.round((Date.now() - started) / 1000);
  const file = join(BENCH_DIR, 'results', 'fanout.json');
  const json = existsSync(file) && statSync(file).mtimeMs >= started ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>) : null;
  if (code !== 0 && !json) return { subscribers, ok: false, json: null, note: `exited with ${code}: ${out.trim().split('\n').slice(-2).join(' | ')}`, seconds };
  return { subscribers, ok: true, json, seconds };
}

export async function runFanout(quick: boolean, adminUrl: string): Promise<FanoutResult> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.['bench:fanout']) return { status: 'unavailable', note: 'no bench:fanout script in package.json (issue 3) on this commit' };
  const runs: FanoutRun[] = [];
  for (const n of quick ? [1000] : [1000, 5000, 10_000]) {
    const r = await once(n, quick, adminUrl);
    runs.push(r);
    if (!r.ok) return { status: 'failed', note: `${n} subscribers: ${r.note}`, runs };
  }
  return { status: 'ok', runs };
}

const SCENARIO_LABELS: Record<string, string> = {
  feedback: 'one per feedback',
  staff: 'staff stream',
  one: 'one feedback, all',
};

/** The table's lines: a heading, then one line per subscriber count and scenario. */
export function fanoutLines(runs: FanoutRun[]): string[] {
  const first = runs.find((r) => r.json)?.json;
  const lines: string[] = [];
  if (first) {
    lines.push(
      `${first.database ?? '?'}; ${first.pinning ?? ''}; ${first.rounds ?? '?'} changes per scenario; staff stream = ${first.agents ?? '?'} agents; ` +
        `memory = server RSS growth after full GCs / subscriber, summed over the instances`,
    );
  }
  for (const r of runs) {
    const scenarios: Array<Record<string, any>> = r.json?.runs ?? [];
    if (scenarios.length === 0) lines.push(`${String(r.subscribers).padStart(6)} subscribers  no figures${r.note ? `: ${r.note}` : ''}`);
    scenarios.forEach((s, i) => {
      const lat = s.latencyMs ?? {};
      const bytes = s.memory?.bytesPerIdleSubscriber;
      const heap = s.memory?.heapBytesPerIdleSubscriber;
      const okLat = typeof lat.p99 === 'number' ? (lat.p99 <= TARGET_P99_MS ? ' ok ' : 'MISS') : ' n/a';
      const okMem = typeof bytes === 'number' ? (bytes <= TARGET_KB * 1024 ? ' ok ' : 'MISS') : ' n/a';
      const where = s.instances > 1 ? `, ${s.instances} instances + Redis` : '';
      const kb = (n: unknown) => (typeof n === 'number' ? (n / 1024).toFixed(1) : '–');
      lines.push(
        `${i === 0 ? `${String(r.subscribers).padStart(6)} subscribers` : ''.padStart(18)}  ${`${SCENARIO_LABELS[s.scenario] ?? s.scenario}${where}`.padEnd(38)}` +
          ` p50 ${String(lat.p50 ?? '–').padStart(6)} ms  p99 ${String(lat.p99 ?? '–').padStart(6)} ms ${okLat} (≤ ${TARGET_P99_MS} ms)` +
          `  ${kb(bytes).padStart(5)} KB per idle subscriber ${okMem} (≤ ${TARGET_KB} KB; heap ${kb(heap)} KB)` +
          `${s.deliveredAll === false ? '   NOT DELIVERED TO ALL' : ''}${Array.isArray(s.loadavg) ? `  load ${s.loadavg[0]}` : ''}`,
      );
      const t = s.tracker;
      if (t) {
        lines.push(
          `${''.padStart(18)}  ${`  meanwhile, a tracker (Track${t.compiled ? ', compiled' : ', NOT compiled'})`.padEnd(38)} p50 ${String(t.p50).padStart(6)} ms  p99 ${String(t.p99).padStart(6)} ms ${t.p99 <= TARGET_P99_MS ? ' ok ' : 'MISS'} (≤ ${TARGET_P99_MS} ms)` +
            `  ${t.requests} requests${t.errors ? `, ${t.errors} failed` : ''}`,
        );
      }
    });
  }
  return lines;
}
