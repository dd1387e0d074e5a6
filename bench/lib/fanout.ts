// Fan-out figures come from the realtime engineer's own benchmark (`npm run bench:fanout`, issue 3);
// this runs it once per subscriber count rather than measuring fan-out a second way, and reads the
// bench/results/fanout.json each run writes.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './progress.ts';
import { BENCH_DIR, ROOT } from './procs.ts';

export interface FanoutRun {
  subscribers: number;
  ok: boolean;
  /** What their script wrote to bench/results/fanout.json (latency percentiles, memory per subscriber, …). */
  json: Record<string, any> | null;
  note?: string;
  seconds: number;
}

export type FanoutResult =
  | { status: 'ok'; runs: FanoutRun[] }
  | { status: 'skipped' | 'unavailable' | 'failed'; note: string; runs?: FanoutRun[] };

async function once(subscribers: number, quick: boolean, adminUrl: string): Promise<FanoutRun> {
  const started = Date.now();
  const args = ['run', '--silent', 'bench:fanout', '--', ...(quick ? ['--quick'] : []), '--subscribers', String(subscribers)];
  log(`fan-out: npm ${args.join(' ')}`);
  // PostgreSQL, as the rest of this benchmark; their script creates and drops its own database.
  const env = { ...process.env, FANOUT_DATABASE_URL: process.env.FANOUT_DATABASE_URL ?? adminUrl };
  const child = spawn('npm', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  // Their script bounds itself; this is a backstop so the whole run stays bounded.
  const limit = setTimeout(() => child.kill('SIGTERM'), 10 * 60_000);
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

/** One line per run for the table, from whatever fields their JSON has. */
export function fanoutLines(runs: FanoutRun[]): string[] {
  return runs.map((r) => {
    const j = r.json ?? {};
    const lat = j.latencyMs ?? {};
    const bytes = j.memory?.bytesPerIdleSubscriber;
    const okLat = typeof lat.p99 === 'number' ? (lat.p99 <= 500 ? ' ok ' : 'MISS') : ' n/a';
    const okMem = typeof bytes === 'number' ? (bytes <= 30 * 1024 ? ' ok ' : 'MISS') : ' n/a';
    return (
      `${String(r.subscribers).padStart(6)} subscribers  commit→receipt p50 ${lat.p50 ?? '–'} ms  p99 ${lat.p99 ?? '–'} ms ${okLat} (≤ 500 ms)` +
      `   ${typeof bytes === 'number' ? (bytes / 1024).toFixed(1) : '–'} KB per idle subscriber ${okMem} (≤ 30 KB)` +
      `${j.deliveredAll === false ? '   NOT DELIVERED TO ALL' : ''}${j.database ? `   [${j.database}${j.instances ? `, ${j.instances} instances` : ''}]` : ''}`
    );
  });
}
