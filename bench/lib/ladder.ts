// The overhead ladder: for each case, the raw baseline and the GraphQL endpoint, each in its own
// server process, under the same closed-loop load at a few concurrencies. Both servers stay up while
// their windows alternate (raw, GraphQL, GraphQL, raw, …), so drift in whatever else the machine is
// doing falls on both sides alike; each figure is the median of the rounds.
import { loadavg } from 'node:os';
import type { LoadResult } from '../load.ts';
import type { LadderSpec } from './cases.ts';
import { log } from './progress.ts';
import { runLoad, startServer, type RunningServer } from './procs.ts';

export interface Side {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU (user + system) per request: the figure least disturbed by other work on the machine. */
  cpuMicros: number;
  errors: number;
  firstError: string | null;
  /** The machine's 1-minute load average at the end of each window (median). */
  load1: number;
  rounds: Array<LoadResult & { loadavg: number[] }>;
}

export interface LadderPoint {
  concurrency: number;
  raw: Side;
  graphql: Side;
  /** GraphQL throughput as a share of raw throughput. */
  ratio: number;
  /** The same from CPU per request (raw CPU ÷ GraphQL CPU): throughput share on a saturated core. */
  cpuRatio: number;
}

export interface LadderCase {
  case: string;
  label: string;
  group: LadderSpec['group'];
  target: number | null;
  judgedAt: number[];
  points: LadderPoint[];
}

export interface LadderOptions {
  env: Record<string, string>;
  concurrencies: number[];
  rounds: number;
  warmupMs: number;
  durationMs: number;
  seed: number;
  /** Write a CPU profile of each GraphQL server into this folder (node --cpu-prof). */
  cpuProfDir?: string;
  /** Case ids (or their prefixes: `compiled`, `normal`) to run; all when absent. */
  only?: string[];
}

const median = (xs: number[]) => {
  const s = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function side(rounds: Array<LoadResult & { loadavg: number[] }>): Side {
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    cpuMicros: median(rounds.map((r) => r.cpuMicrosPerRequest)),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    firstError: rounds.find((r) => r.firstError)?.firstError ?? null,
    load1: median(rounds.map((r) => r.loadavg[0]!)),
    rounds,
  };
}

// A window in which no request finished has no latency (null in JSON).
const n = (x: number | null, d: number) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '–');
const fmt = (r: LoadResult) => `${n(r.rps, 0).padStart(6)} req/s  p50 ${n(r.p50Ms, 1)} ms  p99 ${n(r.p99Ms, 1)} ms  ${n(r.cpuMicrosPerRequest, 0)} µs CPU/req`;

/** Windows of two servers alternating (a, b, b, a, …) so that drift on the machine falls on both alike. */
async function interleaved<M extends string>(modes: readonly [M, M], rounds: number, run: (mode: M, round: number) => Promise<LoadResult>) {
  const results = { [modes[0]]: [], [modes[1]]: [] } as unknown as Record<M, Array<LoadResult & { loadavg: number[] }>>;
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 === 0 ? modes : ([modes[1], modes[0]] as const)) {
      const r = await run(mode, round);
      // What else the machine was doing meanwhile: the 1, 5 and 15-minute load averages as the window ends.
      results[mode].push({ ...r, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) });
    }
  }
  return results;
}

/** Whether `--only` selects a case: by its id, its group (`compiled`, `normal`) or the old names (track, tickets). */
export const selected = (only: string[] | undefined, c: Pick<LadderSpec, 'id' | 'group'>) =>
  !only || only.some((o) => o === c.id || o === c.group || c.id === `normal:${o}` || c.id.toLowerCase() === `compiled:${o}`.toLowerCase());

export async function runLadder(cases: LadderSpec[], o: LadderOptions): Promise<LadderCase[]> {
  const out: LadderCase[] = [];
  for (const c of cases) {
    if (!selected(o.only, c)) continue;
    // One folder per case: tsx's loader thread writes a profile of its own next to the main thread's.
    const prof = o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}/graphql-${c.id.replace(':', '-')}`] : [];
    const servers: Record<'raw' | 'graphql', RunningServer> = {
      raw: await startServer('raw', o.env),
      graphql: await startServer('graphql', o.env, prof),
    };
    const points: LadderPoint[] = [];
    try {
      for (const concurrency of o.concurrencies) {
        const results = await interleaved(['raw', 'graphql'] as const, o.rounds, async (mode, round) => {
          const r = await runLoad({
            url: `http://127.0.0.1:${servers[mode].port}${mode === 'raw' ? c.rawPath : '/graphql'}`,
            concurrency,
            warmupMs: o.warmupMs,
            durationMs: o.durationMs,
            seed: o.seed + concurrency * 100 + round,
            ...c.load,
          });
          log(`  ${c.label.padEnd(32)} ${mode.padEnd(7)} c=${String(concurrency).padEnd(3)} ${fmt(r)}${r.errors ? `  ${r.errors} errors: ${r.firstError}` : ''}`);
          return r;
        });
        const raw = side(results.raw);
        const graphql = side(results.graphql);
        points.push({ concurrency, raw, graphql, ratio: graphql.rps / raw.rps, cpuRatio: raw.cpuMicros / graphql.cpuMicros });
      }
    } finally {
      await servers.raw.stop();
      await servers.graphql.stop();
    }
    out.push({ case: c.id, label: c.label, group: c.group, target: c.target, judgedAt: c.judgedAt, points });
  }
  return out;
}

export interface Floor {
  /** As every request is served: plain JSON POSTs take the direct path (services/api/src/http/graphql.ts). */
  direct: Side;
  /** The same server with every request through Yoga's own HTTP handling (BENCH_DIRECT_HTTP=0). */
  yoga: Side;
}

/** The GraphQL endpoint's fixed cost: `{ __typename }`, no resolver, no SQL; both HTTP paths, interleaved. */
export async function runFloor(o: LadderOptions): Promise<Floor> {
  const servers = { direct: await startServer('graphql', o.env), yoga: await startServer('graphql', { ...o.env, BENCH_DIRECT_HTTP: '0' }) };
  const concurrency = o.concurrencies.at(-1)!;
  try {
    const results = await interleaved(['direct', 'yoga'] as const, o.rounds, async (mode, round) => {
      const r = await runLoad({
        url: `http://127.0.0.1:${servers[mode].port}/graphql`,
        concurrency,
        warmupMs: o.warmupMs,
        durationMs: o.durationMs,
        seed: o.seed + round,
        headers: {},
        body: { kind: 'fixed', text: JSON.stringify({ query: '{ __typename }' }) },
      });
      log(`  ${`GraphQL floor, ${mode === 'direct' ? 'direct path' : "Yoga's handler"}`.padEnd(32)} graphql c=${String(concurrency).padEnd(3)} ${fmt(r)}`);
      return r;
    });
    return { direct: side(results.direct), yoga: side(results.yoga) };
  } finally {
    await servers.direct.stop();
    await servers.yoga.stop();
  }
}

/** The ratio a case is judged on: at the highest concurrency measured (the server's saturated throughput). */
export function headlineRatio(c: LadderCase): number {
  return c.points.at(-1)?.ratio ?? NaN;
}

/** The points a case's target is judged at (those measured of its `judgedAt`), each met or not. */
export function judged(c: LadderCase): Array<{ concurrency: number; ratio: number; ok: boolean }> {
  if (c.target === null) return [];
  return c.points.filter((p) => c.judgedAt.includes(p.concurrency)).map((p) => ({ concurrency: p.concurrency, ratio: p.ratio, ok: p.ratio >= c.target! }));
}
