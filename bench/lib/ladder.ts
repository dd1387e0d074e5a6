// The overhead ladder: for each case, the raw baseline and the GraphQL endpoint, each in its own
// freshly started server process, under the same closed-loop load at a few concurrencies.
import type { LoadResult } from '../load.ts';
import { CASES, loadBody, type CaseId, type Fixtures } from './cases.ts';
import { log } from './progress.ts';
import { runLoad, startServer } from './procs.ts';

export interface LadderPoint {
  concurrency: number;
  raw: LoadResult;
  graphql: LoadResult;
  /** GraphQL throughput as a share of raw throughput. */
  ratio: number;
}

export interface LadderCase {
  case: CaseId;
  label: string;
  target: number;
  points: LadderPoint[];
}

export interface LadderOptions {
  env: Record<string, string>;
  concurrencies: number[];
  warmupMs: number;
  durationMs: number;
  seed: number;
  /** Write a CPU profile of the GraphQL server into this folder (node --cpu-prof). */
  cpuProfDir?: string;
  only?: CaseId[];
}

export async function runLadder(fx: Fixtures, o: LadderOptions): Promise<LadderCase[]> {
  const out: LadderCase[] = [];
  for (const c of CASES) {
    if (o.only && !o.only.includes(c.id)) continue;
    const results: Record<'raw' | 'graphql', LoadResult[]> = { raw: [], graphql: [] };
    for (const mode of ['raw', 'graphql'] as const) {
      const prof = mode === 'graphql' && o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`, `--cpu-prof-name=graphql-${c.id}.cpuprofile`] : [];
      const server = await startServer(mode, o.env, prof);
      try {
        const path = mode === 'raw' ? `/raw/${c.id}` : '/graphql';
        for (const concurrency of o.concurrencies) {
          const r = await runLoad({
            url: `http://127.0.0.1:${server.port}${path}`,
            concurrency,
            warmupMs: o.warmupMs,
            durationMs: o.durationMs,
            seed: o.seed + concurrency,
            ...loadBody(c.id, fx),
          });
          log(`  ${c.label.padEnd(32)} ${mode.padEnd(7)} c=${String(concurrency).padEnd(3)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms${r.errors ? `  ${r.errors} errors: ${r.firstError}` : ''}`);
          results[mode].push(r);
        }
      } finally {
        await server.stop();
      }
    }
    out.push({
      case: c.id,
      label: c.label,
      target: c.target,
      points: o.concurrencies.map((concurrency, i) => {
        const raw = results.raw[i]!;
        const graphql = results.graphql[i]!;
        return { concurrency, raw, graphql, ratio: raw.rps > 0 ? graphql.rps / raw.rps : NaN };
      }),
    });
  }
  return out;
}

/** The ratio a case is judged on: at the highest concurrency measured (the server's saturated throughput). */
export function headlineRatio(c: LadderCase): number {
  return c.points.at(-1)?.ratio ?? NaN;
}
