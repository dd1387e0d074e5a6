// Fan-out figures come from the realtime engineer's own benchmark (`npm run bench:fanout`, issue 3);
// this runs it when it exists rather than measuring fan-out a second way.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './progress.ts';
import { BENCH_DIR, ROOT } from './procs.ts';

export type FanoutResult =
  | { status: 'ok'; lines: string[]; json: unknown; seconds: number }
  | { status: 'skipped' | 'unavailable' | 'failed'; note: string };

export async function runFanout(quick: boolean): Promise<FanoutResult> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.['bench:fanout']) return { status: 'unavailable', note: 'no bench:fanout script in package.json yet' };
  log(`fan-out: npm run bench:fanout${quick ? ' -- --quick' : ''}`);
  const started = Date.now();
  const args = ['run', '--silent', 'bench:fanout', ...(quick ? ['--', '--quick'] : [])];
  const child = spawn('npm', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  // Their script bounds itself; this is a backstop so the whole run stays bounded.
  const limit = setTimeout(() => child.kill('SIGTERM'), (quick ? 3 : 15) * 60_000);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearTimeout(limit);
  const seconds = Math.round((Date.now() - started) / 1000);
  if (code !== 0) return { status: 'failed', note: `bench:fanout exited with ${code}: ${out.trim().split('\n').slice(-3).join(' | ')}` };
  // Prefer the machine-readable result if their script writes one during this run.
  let json: unknown = null;
  for (const f of ['fanout.json', 'fanout-latest.json']) {
    const p = join(BENCH_DIR, 'results', f);
    if (existsSync(p) && statSync(p).mtimeMs >= started) json = JSON.parse(readFileSync(p, 'utf8'));
  }
  const lines = out.trim().split('\n').filter((l) => l.trim() && !/^\s*>/.test(l));
  return { status: 'ok', lines, json, seconds };
}
