// Idle memory of the embedded default: `closeloop start` as `npm start` runs it (development mode,
// PGlite, demo data), first on a fresh data folder (initialisation, migrations, demo seed, bundle
// builds), then again on the same folder (warm). The figure is the resident set as the operating
// system counts it (VmRSS) once the server has been idle: the server's own plus that of every process
// it keeps alive under it (tsx's esbuild service in development, a bundler left running); a breakdown
// after a full collection (heap, external, WebAssembly and other native memory) comes from
// CLOSELOOP_TRACE_MEMORY.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, stopChild, track } from './procs.ts';
import { log } from './progress.ts';

export const IDLE_RSS_TARGET_MIB = 400;

export interface IdleMemory {
  start: 'fresh' | 'warm';
  /** Seconds from spawn to the banner. */
  startSeconds: number;
  /** VmRSS after the idle wait, MiB: the server and the processes under it. */
  rssMiB: number;
  /** Of which the processes under the server (esbuild services), MiB. */
  childrenMiB: number;
  /** The same after a full collection, and its parts (process.memoryUsage()), MiB. */
  afterGc: { rssMiB: number; heapUsedMiB: number; externalMiB: number } | null;
  loadavg: number[];
}

export type MemoryResult = { status: 'ok'; runs: IdleMemory[] } | { status: 'skipped' | 'failed'; note: string; runs?: IdleMemory[] };

const BIN = join(ROOT, 'services/api/bin/closeloop.mjs');
const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function vmRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** The processes under `pid`, at any depth (their parent's pid is field 4 of /proc/<pid>/stat). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length; ) {
    const p = queue.shift()!;
    for (const [child, parent] of parentOf) if (parent === p) (found.push(child), queue.push(child));
  }
  return found;
}

function childrenRss(pid: number): number {
  let sum = 0;
  for (const c of descendants(pid)) {
    try {
      sum += vmRss(c) || 0;
    } catch {
      // exited meanwhile
    }
  }
  return sum;
}

async function once(dataDir: string, start: 'fresh' | 'warm', idleMs: number): Promise<IdleMemory> {
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: '0', HOST: '127.0.0.1', CLOSELOOP_DATA_DIR: dataDir, CLOSELOOP_TRACE_MEMORY: '1', CLOSELOOP_SWEEP_INTERVAL_MS: '0',
  };
  for (const k of ['NODE_ENV', 'DATABASE_URL', 'REDIS_URL', 'CLOSELOOP_DEMO']) delete env[k];
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--expose-gc', BIN, 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner in 180 s: ${err.slice(-500)}`)), 180_000);
      const poll = setInterval(() => {
        if (/running on http/.test(out)) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve();
        }
      }, 100);
      child.once('exit', (code) => {
        clearTimeout(timer);
        clearInterval(poll);
        reject(new Error(`exited with ${code}: ${err.slice(-500)}`));
      });
    });
    const startSeconds = (Date.now() - t0) / 1000;
    // Idle: the background bundle builds finish and nothing else runs; RSS as the system counts it.
    await sleep(idleMs);
    const rss = vmRss(child.pid!);
    const children = childrenRss(child.pid!);
    const before = out.length;
    child.kill('SIGUSR2');
    for (let i = 0; i < 100 && !/memory-trace/.test(out.slice(before)); i++) await sleep(50);
    const m = /memory-trace (\d+) (\d+) (\d+)/.exec(out.slice(before));
    return {
      start, startSeconds: Math.round(startSeconds * 10) / 10, rssMiB: mib(rss + children), childrenMiB: mib(children),
      afterGc: m ? { rssMiB: mib(Number(m[1])), heapUsedMiB: mib(Number(m[2])), externalMiB: mib(Number(m[3])) } : null,
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    };
  } finally {
    await stopChild(child, 15_000);
  }
}

/** Fresh, then warm, on one temporary data folder (removed afterwards). */
export async function runIdleMemory(quick: boolean): Promise<MemoryResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'closeloop-bench-idle-'));
  const runs: IdleMemory[] = [];
  try {
    for (const start of ['fresh', 'warm'] as const) {
      const r = await once(dataDir, start, quick ? 8_000 : 15_000);
      log(`  idle memory, ${start} start: ${r.rssMiB} MiB RSS (${r.childrenMiB} of it in processes under the server; after a full GC ${r.afterGc?.rssMiB ?? '–'} MiB, heap ${r.afterGc?.heapUsedMiB ?? '–'}, external ${r.afterGc?.externalMiB ?? '–'}); started in ${r.startSeconds} s`);
      runs.push(r);
    }
    return { status: 'ok', runs };
  } catch (e) {
    return { status: 'failed', note: (e as Error).message, runs };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function memoryLines(r: MemoryResult): string[] {
  const lines: string[] = [];
  if (r.status !== 'ok') lines.push(`not available: ${r.note}`);
  for (const m of r.runs ?? []) {
    const ok = m.rssMiB < IDLE_RSS_TARGET_MIB ? ' ok ' : 'MISS';
    lines.push(
      `${`${m.start} start`.padEnd(12)} ${m.rssMiB.toFixed(0).padStart(5)} MiB RSS idle  ${ok} (< ${IDLE_RSS_TARGET_MIB} MiB; ${(m.childrenMiB ?? 0).toFixed(0)} of it in processes under the server)` +
        `   after a full GC ${m.afterGc ? `${m.afterGc.rssMiB.toFixed(0)} MiB: JS heap ${m.afterGc.heapUsedMiB.toFixed(0)}, external ${m.afterGc.externalMiB.toFixed(0)} (PGlite's WebAssembly memory, 128 MiB of it allocated and not all resident, and buffers), the rest native (malloc, code)` : '–'}` +
        `   started in ${m.startSeconds} s   load ${m.loadavg[0]}`,
    );
  }
  return lines;
}
