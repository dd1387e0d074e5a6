// `npm run bench:fanout [-- --quick] [--subscribers N] [--rounds R] [--scenarios feedback,staff,one] [--instances 1,2] [--agents K] [--delivered E]`
//
// Live fan-out: N WebSocket subscribers on loopback, a status change made through the API, and for
// every subscriber the time from the server's commit (a trace line printed after the transaction
// commits, CLOSELOOP_TRACE_COMMITS=1) to receipt; plus the servers' resident memory per idle subscriber:
// RSS growth from before the subscribers connect to 3 s after the warm-up change, each measured after
// full collections until the heap stops shrinking (SIGUSR2: lib/server-preload.mjs collects, the server
// prints its memory-trace line with CLOSELOOP_TRACE_MEMORY=1). Scenarios:
//   feedback  one per feedback: N feedback linked to incident tickets (up to --per-ticket, default 2500,
//             each), each followed by its own subscriber with its access key; a change transitions every
//             incident ticket at once (one commit per ticket, one event per linked feedback).
//   staff     many on one staff stream: N `ticketEvents` subscribers signed in as K agents (default 100)
//             of one department; one transition of a ticket of that department is one event for all.
//   one       N subscribers following one feedback (the same operation and caller for all).
// With `--instances 2` each scenario also runs on two API processes sharing the database and Redis
// (REDIS_URL, default redis://127.0.0.1:6379): subscribers split half/half, changes made through the
// first. Servers run on core 0, the load generator on core 1 (taskset). Each scenario gets fresh
// server processes. Bounded in time; prints a table and writes bench/results/fanout.json.
// Embedded PGlite by default (one instance only); FANOUT_DATABASE_URL=postgres://… (an admin URL: a
// fresh database is created next to it and dropped afterwards) to run on PostgreSQL.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createScratchDatabase } from './lib/database.ts';
import { writeFanoutData, type FanoutData } from './lib/fanout-data.ts';
import { LoadGenerator, readLines, type ClientSpec } from './lib/fanout-load.ts';
import { FANOUT_TARGETS } from './lib/fanout-targets.ts';
import { startTracker } from './lib/fanout-tracker.ts';
import { loadavg } from 'node:os';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const BIN = join(ROOT, 'services/api/bin/closeloop.mjs');
const RESULTS = join(BENCH_DIR, 'results');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const N = Number(option('--subscribers') ?? (quick ? 1000 : 10_000));
const ROUNDS = Number(option('--rounds') ?? (quick ? 3 : 5));
const AGENTS = Math.min(N, Number(option('--agents') ?? 100));
// Events each subscriber receives before memory is measured again (does a subscription grow with what it delivered?).
const DELIVERED = Number(option('--delivered') ?? (quick ? 200 : 1000));
// Feedback per incident ticket: a transition appends one event per linked feedback in one INSERT, and
// PostgreSQL takes at most 65,535 bind parameters per statement (12 per event), so a ticket with more
// than ≈ 5,400 linked feedback cannot change status at all (services/events.ts, appendToTicket).
const PER_TICKET = Number(option('--per-ticket') ?? 2500);
const { p99Ms: TARGET_P99_MS, bytesPerIdleSubscriber: TARGET_BYTES_PER_SUB } = FANOUT_TARGETS;
const SCENARIOS = ['feedback', 'staff', 'one'] as const;
type Scenario = (typeof SCENARIOS)[number];
interface Run {
  scenario: Scenario;
  instances: number;
}
// `--scenarios feedback,staff` × `--instances 1,2`; an entry `feedback:2` names one run exactly.
const runs: Run[] = [];
for (const instances of (option('--instances') ?? '1').split(',').map(Number)) {
  for (const entry of (option('--scenarios') ?? 'feedback,staff').split(',')) {
    const [name, fixed] = entry.split(':');
    if (!SCENARIOS.includes(name as Scenario)) usage(`unknown scenario ${name}`);
    const run = { scenario: name as Scenario, instances: fixed ? Number(fixed) : instances };
    if (!(run.instances === 1 || run.instances === 2)) usage('--instances takes 1 or 2');
    if (!runs.some((r) => r.scenario === run.scenario && r.instances === run.instances)) runs.push(run);
  }
}
function usage(message: string): never {
  console.error(`bench:fanout: ${message}\nusage: bench:fanout [--quick] [--subscribers N] [--rounds R] [--scenarios feedback,staff,one] [--instances 1,2] [--agents K]`);
  process.exit(2);
}
const deadline = setTimeout(() => fail('the whole run exceeded 14 minutes'), 14 * 60_000).unref();

const pin = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0 && availableParallelism() >= 2;
const PINNING = pin ? 'servers on core 0, load generator on core 1 (taskset)' : 'not pinned (needs taskset and 2 cores)';
const nodeCmd = (core: number, argv: string[]): [string, string[]] =>
  pin ? ['taskset', ['-c', String(core), process.execPath, ...argv]] : [process.execPath, argv];

const children = new Set<ChildProcess>();
/** Synchronous so that it can run from a failure anywhere: never leave a database behind. */
const syncCleanups: Array<() => void> = [];
function fail(message: string): never {
  console.error(`bench:fanout: ${message}`);
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const c of syncCleanups) {
    try {
      c();
    } catch {
      // best effort: the failure message above is what matters
    }
  }
  process.exit(1);
}
process.once('SIGINT', () => fail('interrupted'));
process.once('SIGTERM', () => fail('terminated'));
const log = (s: string) => process.stderr.write(`bench:fanout: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- database
const secretKey = randomBytes(32);
const dataDir = mkdtempSync(join(tmpdir(), 'closeloop-fanout-'));
syncCleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
const adminUrl = process.env.FANOUT_DATABASE_URL;
if (!adminUrl && runs.some((r) => r.instances > 1)) fail('--instances 2 needs PostgreSQL: set FANOUT_DATABASE_URL (an admin URL)');
const scratch = adminUrl ? await createScratchDatabase(adminUrl, `closeloop_fanout_${randomBytes(4).toString('hex')}`) : undefined;
if (scratch) syncCleanups.push(() => scratch.dropSync());
const databaseUrl = scratch?.url;
const redisUrl = process.env.FANOUT_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const prepared = Date.now();
const data: FanoutData = await writeFanoutData(databaseUrl ? { url: databaseUrl } : { dataDir: join(dataDir, 'pglite') }, secretKey, N, AGENTS, PER_TICKET).catch((e: Error) =>
  fail(`writing the data failed: ${e.stack ?? e.message}`),
);
log(`data: ${N} feedback on ${data.incidents.tickets.length} incident tickets, ${AGENTS} agents, ${databaseUrl ? 'PostgreSQL' : 'PGlite'} (${((Date.now() - prepared) / 1000).toFixed(1)} s)`);

// ---- servers
interface MemoryTrace {
  rss: number;
  heap: number;
  external: number;
  streams: number;
}
interface Server {
  proc: ChildProcess;
  port: number;
  memoryTraces: MemoryTrace[];
  output: string[];
}
/** Commit traces of every server: [largest event id of the commit, epoch ms]. */
const commits: Array<[number, number]> = [];
// FANOUT_PROFILE=dir writes CPU profiles of the servers (node --cpu-prof) there; FANOUT_HEAP_SNAPSHOT=1
// writes heap snapshots of the first server before the subscribers connect and once they are idle to bench/results/profiles/.
const profile = process.env.FANOUT_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.FANOUT_PROFILE] : [];
const heapSnapshot = process.env.FANOUT_HEAP_SNAPSHOT === '1';
const nodeFlags = [
  ...(process.env.FANOUT_NODE_FLAGS ?? '').split(' ').filter(Boolean),
  ...(heapSnapshot ? ['--heapsnapshot-signal=SIGUSR1', `--diagnostic-dir=${dataDir}`] : []),
];
const preload = pathToFileURL(join(BENCH_DIR, 'lib', 'server-preload.mjs')).href;

async function startServer(index: number, redis: boolean): Promise<Server> {
  const dir = index === 0 ? dataDir : join(dataDir, `instance-${index}`);
  mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0', HOST: '127.0.0.1', CLOSELOOP_DATA_DIR: dir, CLOSELOOP_DEMO: '0', CLOSELOOP_SECRET_KEY: secretKey.toString('hex'),
    CLOSELOOP_TRACE_COMMITS: '1', CLOSELOOP_TRACE_MEMORY: '1', CLOSELOOP_SWEEP_INTERVAL_MS: '0', NODE_ENV: 'development',
    // Thousands of subscribers from one address: the abuse limits and connection caps would refuse them.
    CLOSELOOP_RATE_LIMITS: 'off', CLOSELOOP_MAX_CONNECTIONS: '0', CLOSELOOP_MAX_CONNECTIONS_PER_ADDRESS: '0',
    DATABASE_URL: databaseUrl ?? '',
  };
  if (redis) env.REDIS_URL = redisUrl;
  else delete env.REDIS_URL;
  const [cmd, argv] = nodeCmd(0, ['--expose-gc', '--import', preload, ...nodeFlags, ...profile, BIN, 'start']);
  const proc = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(proc);
  const server: Server = { proc, port: 0, memoryTraces: [], output: [] };
  proc.stderr!.on('data', (c: Buffer) => {
    server.output.push(c.toString());
    if (process.env.FANOUT_MEMORY_DETAIL === '1') for (const line of c.toString().split('\n')) if (line.startsWith('memory-detail')) log(`[${index}] ${line}`);
  });
  server.port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${server.output.join('')}`)), 60_000);
    readLines(proc.stdout!, (line) => {
      const trace = /^commit-trace (\d+) ([\d.]+)$/.exec(line);
      if (trace) commits.push([Number(trace[1]), Number(trace[2])]);
      const mem = /^memory-trace (\d+) (\d+) (\d+) (\d+)$/.exec(line);
      if (mem) server.memoryTraces.push({ rss: Number(mem[1]), heap: Number(mem[2]), external: Number(mem[3]), streams: Number(mem[4]) });
      const m = /running on http:\/\/localhost:(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${server.output.join('')}`)));
  }).catch((e: Error) => fail(e.message));
  return server;
}

async function stopServer(s: Server): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  s.proc.kill('SIGTERM');
  await new Promise((r) => s.proc.once('exit', r));
}

/** The server's memory after a full collection (it prints it on SIGUSR2 with CLOSELOOP_TRACE_MEMORY=1). */
async function memory(s: Server): Promise<MemoryTrace> {
  const before = s.memoryTraces.length;
  s.proc.kill('SIGUSR2');
  for (let i = 0; i < 200 && s.memoryTraces.length === before; i++) await sleep(50);
  if (s.memoryTraces.length === before) fail('no memory trace from the server');
  return s.memoryTraces.at(-1)!;
}

async function writeHeapSnapshot(s: Server, label: string): Promise<void> {
  s.proc.kill('SIGUSR1');
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    const file = readdirSync(dataDir).find((f) => f.endsWith('.heapsnapshot'));
    if (file && spawnSync('fuser', [join(dataDir, file)], { stdio: 'ignore' }).status !== 0) {
      mkdirSync(join(RESULTS, 'profiles'), { recursive: true });
      renameSync(join(dataDir, file), join(RESULTS, 'profiles', `fanout-${label}.heapsnapshot`));
      log(`wrote bench/results/profiles/fanout-${label}.heapsnapshot`);
      return;
    }
  }
}

async function gql(s: Server, query: string, variables: Record<string, unknown>) {
  const res = await fetch(`http://127.0.0.1:${s.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${data.supervisorToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: any[] };
  if (body.errors) fail(`GraphQL error: ${JSON.stringify(body.errors).slice(0, 600)}`);
  return body.data;
}

// ---- changes
// Status changes cycle IN_PROGRESS ⇄ AWAITING_CUSTOMER after the first acknowledgement. The payload
// selects no events: with the incident's N events the response would compete with the fan-out.
const NEXT_STATUS: Record<string, string> = { SUBMITTED: 'ACKNOWLEDGED', ACKNOWLEDGED: 'IN_PROGRESS', IN_PROGRESS: 'AWAITING_CUSTOMER', AWAITING_CUSTOMER: 'IN_PROGRESS' };
const positions = new Map<string, number>(); // changes made per ticket (each adds one position to every linked feedback)
let lastSequence = data.lastSequence;
async function transition(s: Server, ticket: { id: string; status: string }): Promise<void> {
  const status = NEXT_STATUS[ticket.status]!;
  const r = await gql(
    s,
    `mutation($input: TransitionTicketInput!) { transitionTicket(input: $input) { __typename ... on TicketPayload { ticket { status } } ... on Error { message } } }`,
    { input: { ticketId: ticket.id, status } },
  );
  if (r.transitionTicket.__typename !== 'TicketPayload') fail(`transition to ${status}: ${JSON.stringify(r)}`);
  ticket.status = status;
  positions.set(ticket.id, (positions.get(ticket.id) ?? 0) + 1);
}
/** A public note on the ticket: one event for every subscriber of each scenario (its linked feedback, its department). */
async function note(s: Server, ticket: { id: string }, i: number): Promise<void> {
  const r = await gql(
    s,
    `mutation($input: AddTicketNoteInput!) { addTicketNote(input: $input) { __typename ... on Error { message } } }`,
    { input: { ticketId: ticket.id, body: `Update ${i}: the engineers are restoring the service.`, visibility: 'PUBLIC' } },
  );
  if (r.addTicketNote.__typename !== 'TicketPayload') fail(`note: ${JSON.stringify(r)}`);
  positions.set(ticket.id, (positions.get(ticket.id) ?? 0) + 1);
}
/** The commit time of event `seq`: the first commit whose largest id is ≥ seq (commits are serialised). */
function commitOf(seq: number): number | undefined {
  let lo = 0;
  let hi = commits.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (commits[mid]![0] < seq) lo = mid + 1;
    else hi = mid;
  }
  return commits[lo]?.[1];
}

// ---- load generator
const PROGRESS = `subscription Fanout($code: String!, $key: String, $after: String) {
  feedbackProgress(trackingCode: $code, accessKey: $key, after: $after) { cursor sequence type toStatus }
}`;
const QUEUE = `subscription Queue($after: String) {
  ticketEvents(after: $after) { cursor sequence type toStatus }
}`;

/**
 * Who subscribes to what, and which tickets a change transitions (all at once). Subscribers resume
 * after what exists, so the warm-up change reaches even one that registers after it.
 */
function plan(scenario: Scenario): { spec: ClientSpec; tickets: Array<{ id: string; status: string }>; describe: string } {
  switch (scenario) {
    case 'feedback': {
      const { tickets, feedback } = data.incidents;
      const done = positions.get(tickets[0]!.id) ?? 0;
      return {
        tickets,
        describe: `one per feedback: ${N} feedback linked to ${tickets.length} ticket${tickets.length > 1 ? 's' : ''}, one subscriber each; one change = ${N} events in ${tickets.length} commit${tickets.length > 1 ? 's' : ''}`,
        spec: {
          query: PROGRESS,
          connectionParams: [{ channelKey: data.channelKey }],
          subscribers: feedback.map((f) => [0, { code: f.trackingCode, key: f.accessKey, after: String(f.lastPosition + done) }]),
        },
      };
    }
    case 'staff':
      return {
        tickets: [data.queue],
        describe: `staff stream: ${N} ticketEvents subscribers as ${AGENTS} agents of one department; one change = 1 event`,
        spec: {
          query: QUEUE,
          connectionParams: data.queue.agentTokens.map((t) => ({ authorization: `Bearer ${t}` })),
          subscribers: Array.from({ length: N }, (_, i) => [i % AGENTS, { after: String(lastSequence) }]),
        },
      };
    case 'one': {
      const after = String(data.single.lastPosition + (positions.get(data.single.id) ?? 0));
      return {
        tickets: [data.single],
        describe: `one feedback: ${N} subscribers follow it with its access key; one change = 1 event`,
        spec: {
          query: PROGRESS,
          connectionParams: [{ channelKey: data.channelKey }],
          subscribers: Array.from({ length: N }, () => [0, { code: data.single.trackingCode, key: data.single.accessKey, after }]),
        },
      };
    }
  }
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const round1 = (n: number) => Math.round(n * 10) / 10;
const mib = (n: number) => round1(n / 1048576);

async function measure(run: Run) {
  const { spec, tickets, describe } = plan(run.scenario);
  const change = async () => {
    await Promise.all(tickets.map((t) => transition(servers[0]!, t)));
  };
  const label = `${run.scenario}${run.instances > 1 ? ` ×${run.instances}` : ''}`;
  log(`${label}: ${describe}; ${run.instances} instance${run.instances > 1 ? 's + Redis' : ''}, ${ROUNDS} changes, ${PINNING}`);
  const servers = await Promise.all(Array.from({ length: run.instances }, (_, i) => startServer(i, run.instances > 1)));
  await sleep(1000);
  if (heapSnapshot) await writeHeapSnapshot(servers[0]!, `${run.scenario}-${N}-before`);
  const before = await Promise.all(servers.map(memory));

  const client = new LoadGenerator(servers.map((s) => `ws://127.0.0.1:${s.port}/graphql`), spec, {
    dir: dataDir,
    command: (argv) => nodeCmd(1, argv),
    track: (c) => children.add(c),
    fail,
  });
  const connected = await client.next('connected', 5 * 60_000);
  log(`${label}: ${connected.open} connected in ${connected.seconds.toFixed(1)} s (${connected.failed} failed)${connected.errors.length ? ` ${connected.errors[0]}` : ''}`);
  if (connected.open < N) fail(`only ${connected.open} of ${N} subscribers connected`);

  // Warm-up: proves every subscription is registered and warms the delivery path.
  const warm = await client.receipts(change, N, 120_000);
  if (warm.times.length < N) fail(`${label}: the warm-up reached ${warm.times.length} of ${N} subscribers`);
  await sleep(Number(process.env.FANOUT_IDLE_MS ?? 3000));
  const idle = await Promise.all(servers.map(memory));
  const streams = idle.reduce((a, m) => a + m.streams, 0);
  if (streams < N) fail(`${label}: the servers hold ${streams} subscriptions, expected ${N}`);
  if (heapSnapshot) await writeHeapSnapshot(servers[0]!, `${run.scenario}-${N}`);

  // One tracker re-loaded throughout the measured changes (one instance, one subscriber per feedback):
  // a compiled document's latency while the server is delivering the events.
  const followed = data.incidents.feedback[0]!;
  const tracker = run.scenario === 'feedback' && run.instances === 1 ? startTracker(servers[0]!.port, followed.trackingCode, followed.accessKey) : null;
  const latencies: number[] = [];
  const perRound: Array<{ status: string; received: number; p50: number; p99: number; max: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const got = await client.receipts(change, N, 60_000);
    const seqs = got.sequences.map(Number);
    const newest = Math.max(...seqs);
    for (let i = 0; i < 100 && !(commits.length && commits.at(-1)![0] >= newest); i++) await sleep(50);
    lastSequence = Math.max(lastSequence, commits.at(-1)?.[0] ?? 0);
    const lat = seqs.map((seq, i) => {
      const at = commitOf(seq);
      if (at === undefined) fail(`no commit trace for event ${seq}`);
      return got.times[i]! - at;
    });
    lat.sort((a, b) => a - b);
    latencies.push(...lat);
    perRound.push({ status: tickets[0]!.status, received: lat.length, p50: round1(pct(lat, 50)), p99: round1(pct(lat, 99)), max: round1(lat.at(-1) ?? NaN) });
    await sleep(500);
  }
  const trackerFigures = tracker ? await tracker.stop() : null;
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  // Delivery: DELIVERED more events to every subscriber, then memory again after full collections.
  let afterDelivery: MemoryTrace[] | null = null;
  if (DELIVERED > 0) {
    const started = Date.now();
    const notes = async () => {
      for (let i = 1; i <= DELIVERED; i++) await Promise.all(tickets.map((t) => note(servers[0]!, t, i)));
    };
    const got = await client.receipts(notes, N * DELIVERED, 20 * 60_000);
    if (got.times.length < N * DELIVERED) fail(`${label}: delivered ${got.times.length} of ${N * DELIVERED} events`);
    log(`${label}: delivered ${DELIVERED} more events to each subscriber in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    afterDelivery = await Promise.all(servers.map(memory));
  }
  lastSequence = Math.max(lastSequence, commits.at(-1)?.[0] ?? 0);
  await client.stop();
  await Promise.all(servers.map(stopServer));

  latencies.sort((a, b) => a - b);
  const sum = (f: (m: MemoryTrace) => number, ms: MemoryTrace[]) => ms.reduce((a, m) => a + f(m), 0);
  const perSubscriber = (sum((m) => m.rss, idle) - sum((m) => m.rss, before)) / N;
  const heapPerSubscriber = (sum((m) => m.heap + m.external, idle) - sum((m) => m.heap + m.external, before)) / N;
  const perSubscriberDelivered = afterDelivery ? (sum((m) => m.rss, afterDelivery) - sum((m) => m.rss, before)) / N : null;
  // RSS moves with the allocator and the page cache; the heap after full collections is the steadier sign of retention.
  const heapPerSubscriberDelivered = afterDelivery ? (sum((m) => m.heap + m.external, afterDelivery) - sum((m) => m.heap + m.external, before)) / N : null;
  const deliveredAll = perRound.every((r) => r.received === N);
  const p99 = pct(latencies, 99);
  return {
    scenario: run.scenario,
    instances: run.instances,
    describe,
    subscribers: N,
    connectSeconds: round1(connected.seconds),
    deliveredAll,
    loadavg: load,
    tracker: trackerFigures,
    latencyMs: { p50: round1(pct(latencies, 50)), p90: round1(pct(latencies, 90)), p99: round1(p99), max: round1(latencies.at(-1)!) },
    perRound,
    memory: {
      rssBeforeMiB: before.map((m) => mib(m.rss)),
      rssIdleMiB: idle.map((m) => mib(m.rss)),
      subscriptionsPerInstance: idle.map((m) => m.streams),
      bytesPerIdleSubscriber: Math.round(perSubscriber),
      heapBytesPerIdleSubscriber: Math.round(heapPerSubscriber),
      eventsDeliveredEach: afterDelivery ? DELIVERED : 0,
      rssAfterDeliveryMiB: afterDelivery?.map((m) => mib(m.rss)) ?? null,
      bytesPerSubscriberAfterDelivery: perSubscriberDelivered === null ? null : Math.round(perSubscriberDelivered),
      heapBytesPerSubscriberAfterDelivery: heapPerSubscriberDelivered === null ? null : Math.round(heapPerSubscriberDelivered),
    },
    pass: deliveredAll && p99 <= TARGET_P99_MS && perSubscriber <= TARGET_BYTES_PER_SUB,
  };
}

const results = [];
for (const run of runs) results.push(await measure(run));
await scratch?.drop();
rmSync(dataDir, { recursive: true, force: true });

const summary = {
  subscribers: N,
  rounds: ROUNDS,
  agents: AGENTS,
  database: databaseUrl ? 'postgres' : 'pglite',
  pinning: PINNING,
  node: process.version,
  cpus: availableParallelism(),
  targets: { p99Ms: TARGET_P99_MS, bytesPerIdleSubscriber: TARGET_BYTES_PER_SUB },
  runs: results,
  pass: results.every((r) => r.pass),
  at: new Date().toISOString(),
};
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'fanout.json'), `${JSON.stringify(summary, null, 2)}\n`);

console.log(`\nFan-out: ${N} subscribers, ${ROUNDS} changes per scenario, ${summary.database}, ${PINNING}, ${summary.node}`);
console.log(`  ${'scenario'.padEnd(12)} ${'instances'.padStart(9)} ${'connect s'.padStart(9)}  ${'p50 ms'.padStart(7)} ${'p90 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)}  ${'KB/idle sub'.padStart(11)} ${'heap KB'.padStart(7)} ${'KB/sub after'.padStart(12)}  delivered  result`);
for (const r of results) {
  console.log(
    `  ${r.scenario.padEnd(12)} ${String(r.instances).padStart(9)} ${String(r.connectSeconds).padStart(9)}  ${String(r.latencyMs.p50).padStart(7)} ${String(r.latencyMs.p90).padStart(7)} ${String(r.latencyMs.p99).padStart(7)} ${String(r.latencyMs.max).padStart(7)}  ` +
      `${(r.memory.bytesPerIdleSubscriber / 1024).toFixed(1).padStart(11)} ${(r.memory.heapBytesPerIdleSubscriber / 1024).toFixed(1).padStart(7)} ${(r.memory.bytesPerSubscriberAfterDelivery === null ? '-' : (r.memory.bytesPerSubscriberAfterDelivery / 1024).toFixed(1)).padStart(12)}  ${(r.deliveredAll ? 'all' : 'NOT ALL').padEnd(9)}  ${r.pass ? 'PASS' : 'FAIL'}`,
  );
}
console.log(`  targets: p99 ≤ ${TARGET_P99_MS} ms, ≤ ${TARGET_BYTES_PER_SUB / 1024} KB RSS per idle subscriber (summed over the instances)`);
console.log(`  KB/sub after: RSS per subscriber after each received ${DELIVERED} more events (--delivered), against the same start as KB/idle sub`);
console.log(`\nwrote bench/results/fanout.json`);
clearTimeout(deadline);
process.exit(summary.pass ? 0 : 1);
