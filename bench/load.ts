// Closed-loop load generator, run in its own process (pinned to the other core by the caller):
// `concurrency` keep-alive connections, each sending its next request when the previous answer arrived.
// Bounded in time: warm-up, then a measured window; prints one JSON line with the result.
//   tsx bench/load.ts '<json LoadSpec>'
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { mulberry32 } from './lib/prng.ts';

export interface LoadSpec {
  url: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  headers: Record<string, string>;
  /** How each request body is made. */
  /** `track`: a tracking code and its access key drawn from pairsFile, as the variables `names` (default c, k). */
  body: { kind: 'fixed'; text: string } | { kind: 'track'; query: string; pairsFile: string; names?: [string, string]; extra?: Record<string, unknown> } | { kind: 'submit'; query: string };
  seed: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError: string | null;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Server CPU time (user + system) per request in the measured window, in microseconds. */
  cpuMicrosPerRequest: number;
}

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const rnd = mulberry32(spec.seed);
const target = new URL(spec.url);
const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });

const KINDS = ['COMPLAINT', 'SUGGESTION', 'PRAISE', 'INQUIRY'];
const WORDS = ['card', 'branch', 'queue', 'app', 'login', 'fee', 'loan', 'staff', 'atm', 'hotline', 'statement', 'transfer'];
let pairs: Array<[string, string]> = [];
if (spec.body.kind === 'track') pairs = JSON.parse(readFileSync(spec.body.pairsFile, 'utf8'));

function nextBody(): string {
  const b = spec.body;
  if (b.kind === 'fixed') return b.text;
  if (b.kind === 'track') {
    const [c, k] = pairs[Math.floor(rnd() * pairs.length)]!;
    const [cn, kn] = b.names ?? ['c', 'k'];
    return JSON.stringify({ query: b.query, variables: { ...b.extra, [cn]: c, [kn]: k } });
  }
  const words = Array.from({ length: 8 + Math.floor(rnd() * 24) }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');
  const i = { kind: KINDS[Math.floor(rnd() * KINDS.length)], content: `Benchmark feedback: ${words}.`, category: 'bench', tags: ['bench'] };
  return JSON.stringify({ query: b.query, variables: { i } });
}

function once(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...spec.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const latencies: number[] = [];
let errors = 0;
let firstError: string | null = null;
const start = performance.now();
const measureFrom = start + spec.warmupMs;
const end = measureFrom + spec.durationMs;

async function worker() {
  for (;;) {
    const t0 = performance.now();
    if (t0 >= end) return;
    let failed: string | null = null;
    try {
      const r = await once(nextBody());
      // A GraphQL error arrives with status 200: look for it in the body too.
      if (r.status !== 200 || r.text.includes('"errors"') || r.text.includes('Error"')) failed = `${r.status} ${r.text.slice(0, 300)}`;
    } catch (e) {
      failed = (e as Error).message;
    }
    const t1 = performance.now();
    // Every answer that arrives inside the window counts, wherever it started: on a slow endpoint a
    // request can take longer than the window itself.
    if (t1 >= measureFrom && t1 <= end) {
      latencies.push(t1 - t0);
      if (failed) {
        errors++;
        firstError ??= failed;
      }
    }
  }
}

// On a starved machine the probe can wait behind the load: the window then has no CPU figure (NaN), not a failure.
async function serverCpu(): Promise<number> {
  try {
    const res = await fetch(new URL('/__bench/cpu', spec.url), { signal: AbortSignal.timeout(15_000) });
    return ((await res.json()) as { micros: number }).micros;
  } catch {
    return NaN;
  }
}
const at = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));
const cpuWindow = (async () => {
  await at(measureFrom);
  const a = await serverCpu();
  const n0 = latencies.length;
  await at(end);
  const b = await serverCpu();
  return { micros: b - a, requests: latencies.length - n0 };
})();

await Promise.all(Array.from({ length: spec.concurrency }, worker));
const cpu = await cpuWindow;
agent.destroy();
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
const result: LoadResult = {
  requests: latencies.length,
  errors,
  firstError,
  rps: latencies.length / (spec.durationMs / 1000),
  p50Ms: q(0.5),
  p99Ms: q(0.99),
  meanMs: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1),
  cpuMicrosPerRequest: cpu.requests > 0 ? cpu.micros / cpu.requests : NaN,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
