// Child processes of the benchmark: servers pinned to core 0, the load generator to core 1
// (taskset, when available), every one bounded in time and killed by its own pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from '../load.ts';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(BENCH_DIR, '..');

const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
const cores = (await import('node:os')).availableParallelism();
export const pinning = hasTaskset && cores >= 2 ? 'server on core 0, load on core 1 (taskset)' : 'not pinned';

function command(core: number, args: string[]): [string, string[]] {
  const node = [process.execPath, '--import', 'tsx', ...args];
  return hasTaskset && cores >= 2 ? ['taskset', ['-c', String(core), ...node]] : [node[0]!, node.slice(1)];
}

const live = new Set<ChildProcess>();
/** Registers a child started elsewhere (the widget's API) so that killAll stops it too. */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}
/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited (at once if it already has). */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}
/** Kills what is still running (on error or Ctrl-C), each child by its own pid. */
export function killAll(): void {
  for (const c of live) if (c.exitCode === null) c.kill('SIGKILL');
}

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

export async function startServer(mode: 'graphql' | 'raw', env: Record<string, string>, extraNodeArgs: string[] = []): Promise<RunningServer> {
  const [cmd, args] = command(0, [...extraNodeArgs, resolve(BENCH_DIR, 'server.ts'), mode]);
  // stdin stays open for the server's lifetime: when this process dies, the server sees it end and stops.
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start in 60 s: ${stderr}`)), 60_000);
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${mode} server exited with ${code}: ${stderr}`));
    });
  });
  return {
    port,
    async stop() {
      await stopChild(child, 8000);
      live.delete(child);
    },
  };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const [cmd, args] = command(1, [resolve(BENCH_DIR, 'load.ts'), JSON.stringify(spec)]);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  // Warm-up + window + a margin for start-up and draining; past that the run is abandoned.
  const limit = setTimeout(() => child.kill('SIGKILL'), spec.warmupMs + spec.durationMs + 30_000);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearTimeout(limit);
  live.delete(child);
  const line = out.trim().split('\n').pop();
  if (code !== 0 || !line) throw new Error(`load generator failed (${code}): ${err.slice(0, 500)}`);
  return JSON.parse(line) as LoadResult;
}
