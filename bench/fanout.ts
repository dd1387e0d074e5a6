// `npm run bench:fanout [-- --quick] [--subscribers N] [--rounds R]`
//
// One API process (pinned to core 0 when taskset exists) and a load generator in another process
// (core 1), on loopback. N WebSocket subscribers follow one feedback with feedbackProgress; staff then
// change its status R times. For each change: time from the server's commit (a trace line the server
// prints after the transaction commits, CLOSELOOP_TRACE_COMMITS=1) to receipt by every subscriber.
// Also the server's resident memory per idle subscriber. Bounded in time; prints a table and writes
// bench/results/fanout.json. Embedded PGlite by default; FANOUT_DATABASE_URL=postgres://… (an admin
// URL: a fresh database is created next to it and dropped afterwards) to run on PostgreSQL.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const BIN = join(ROOT, 'services/api/bin/closeloop.mjs');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : undefined;
};
const N = flag('--subscribers') ?? (quick ? 1000 : 10_000);
const ROUNDS = flag('--rounds') ?? (quick ? 3 : 5);
const TARGET_P99_MS = 500;
const TARGET_BYTES_PER_SUB = 30 * 1024;
const deadline = setTimeout(() => fail('the whole run exceeded 8 minutes'), 8 * 60_000).unref();

const pin = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0 && availableParallelism() >= 2;
const nodeCmd = (core: number, argv: string[]): [string, string[]] =>
  pin ? ['taskset', ['-c', String(core), process.execPath, ...argv]] : [process.execPath, argv];

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void> | void> = [];
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
const log = (s: string) => process.stderr.write(`${s}\n`);

// ---- database
const secretKey = randomBytes(32).toString('hex');
const dataDir = mkdtempSync(join(tmpdir(), 'closeloop-fanout-'));
cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
let databaseUrl: string | undefined;
const adminUrl = process.env.FANOUT_DATABASE_URL;
if (adminUrl) {
  const name = `closeloop_fanout_${randomBytes(4).toString('hex')}`;
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  await sql.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  databaseUrl = u.toString();
  cleanups.push(async () => {
    const s = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await s.unsafe(`drop database if exists ${name} with (force)`);
    await s.end();
  });
  syncCleanups.push(() => spawnSync('psql', [adminUrl, '-qc', `drop database if exists ${name} with (force)`], { stdio: 'ignore' }));
}
syncCleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: '0', HOST: '127.0.0.1', CLOSELOOP_DATA_DIR: dataDir, CLOSELOOP_DEMO: '0', CLOSELOOP_SECRET_KEY: secretKey,
  CLOSELOOP_TRACE_COMMITS: '1', CLOSELOOP_TRACE_MEMORY: '1', NODE_ENV: 'development', DATABASE_URL: databaseUrl ?? '',
};
delete env.REDIS_URL;

// ---- server
const commits = new Map<string, number>();
const memoryTraces: Array<{ rss: number; heap: number; external: number; streams: number }> = [];
// FANOUT_PROFILE=dir writes a CPU profile of the server (node --cpu-prof) there.
const profile = process.env.FANOUT_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.FANOUT_PROFILE] : [];
const nodeFlags = (process.env.FANOUT_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const [scmd, sargs] = nodeCmd(0, ['--expose-gc', ...nodeFlags, ...profile, BIN, 'start']);
const server = spawn(scmd, sargs, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
children.add(server);
let serverOut = '';
server.stderr!.on('data', (c) => (serverOut += c));
const port = await new Promise<number>((resolvePort, reject) => {
  const timer = setTimeout(() => reject(new Error(`server did not start: ${serverOut}`)), 60_000);
  let buf = '';
  server.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    let at: number;
    while ((at = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, at);
      buf = buf.slice(at + 1);
      const trace = /^commit-trace (\d+) ([\d.]+)$/.exec(line);
      if (trace) commits.set(trace[1]!, Number(trace[2]));
      const mem = /^memory-trace (\d+) (\d+) (\d+) (\d+)$/.exec(line);
      if (mem) memoryTraces.push({ rss: Number(mem[1]), heap: Number(mem[2]), external: Number(mem[3]), streams: Number(mem[4]) });
      const m = /running on http:\/\/localhost:(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    }
  });
  server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${serverOut}`)));
}).catch((e: Error) => fail(e.message));
const http = `http://127.0.0.1:${port}/graphql`;

function cli(...argv: string[]): Record<string, any> {
  const r = spawnSync(process.execPath, [BIN, ...argv, '--json'], { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) fail(`closeloop ${argv[0]} failed: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
async function gql(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const res = await fetch(http, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: any[] };
  if (body.errors) fail(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}
/** The server's memory after a full collection (it prints it on SIGUSR2 with CLOSELOOP_TRACE_MEMORY=1). */
async function memory(): Promise<{ rss: number; heap: number; external: number; streams: number }> {
  const before = memoryTraces.length;
  server.kill('SIGUSR2');
  for (let i = 0; i < 100 && memoryTraces.length === before; i++) await sleep(50);
  if (memoryTraces.length === before) fail('no memory trace from the server');
  return memoryTraces.at(-1)!;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const channel = cli('create-channel', '--name', 'Fan-out bench', '--kind', 'WEB');
const staff = cli('create-staff', '--email', 'fanout@bench.local', '--role', 'SUPERVISOR');
const staffHeaders = { authorization: `Bearer ${staff.token}` };
const submitted = await gql(
  `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { ... on SubmitFeedbackPayload { trackingCode accessKey } } }`,
  { input: { kind: 'COMPLAINT', content: 'ATM network outage at every branch this morning.' } },
  { 'x-closeloop-channel': channel.publishableKey },
);
const { trackingCode, accessKey } = submitted.submitFeedback;
const ticketId = (await gql(`query($c: String!) { trackFeedback(trackingCode: $c) { ticket { id } } }`, { c: trackingCode }, staffHeaders)).trackFeedback.ticket.id;
async function transition(status: string) {
  const r = await gql(
    `mutation($input: TransitionTicketInput!) { transitionTicket(input: $input) { __typename ... on TicketPayload { events { sequence } } ... on Error { message } } }`,
    { input: { ticketId, status } },
    staffHeaders,
  );
  if (r.transitionTicket.__typename !== 'TicketPayload') fail(`transition to ${status}: ${JSON.stringify(r)}`);
  return String(r.transitionTicket.events[0].sequence);
}

await sleep(1000);
const memBefore = await memory();

// ---- load generator
log(`bench:fanout: ${N} subscribers, ${ROUNDS} status changes, ${databaseUrl ? 'PostgreSQL' : 'PGlite'}, ${pin ? 'server on core 0, load on core 1' : 'not pinned'}`);
const spec = { url: `ws://127.0.0.1:${port}/graphql`, n: N, channelKey: channel.publishableKey, variables: { code: trackingCode, key: accessKey, after: '1' } };
const [ccmd, cargs] = nodeCmd(1, ['--import', 'tsx', join(BENCH_DIR, 'fanout-client.ts'), JSON.stringify(spec)]);
const client = spawn(ccmd, cargs, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
children.add(client);
const messages: any[] = [];
let waiters: Array<() => void> = [];
let cbuf = '';
client.stdout!.on('data', (c: Buffer) => {
  cbuf += c.toString();
  let at: number;
  while ((at = cbuf.indexOf('\n')) >= 0) {
    messages.push(JSON.parse(cbuf.slice(0, at)));
    cbuf = cbuf.slice(at + 1);
    for (const w of waiters) w();
    waiters = [];
  }
});
client.once('exit', (code) => code !== 0 && code !== null && fail(`load generator exited with ${code}`));
async function nextMessage(match: (m: any) => boolean, timeoutMs: number): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const i = messages.findIndex(match);
    if (i >= 0) return messages.splice(i, 1)[0];
    if (Date.now() > until) fail('timed out waiting for the load generator');
    await new Promise<void>((r) => {
      waiters.push(r);
      setTimeout(r, 500);
    });
  }
}

const connected = await nextMessage((m) => m.type === 'connected', 5 * 60_000);
log(`bench:fanout: ${connected.open} connected in ${connected.seconds.toFixed(1)} s (${connected.failed} failed)${connected.errors.length ? ` ${connected.errors[0]}` : ''}`);
if (connected.open < N) fail(`only ${connected.open} of ${N} subscribers connected`);

// Warm-up: proves every subscription is registered (subscribers resume after cursor 1, so none can
// miss it) and warms the delivery path.
const warm = await transition('ACKNOWLEDGED');
const warmEv = await nextMessage((m) => m.type === 'event' && m.sequence === warm, 60_000);
if (warmEv.received < N) fail(`warm-up reached ${warmEv.received} of ${N} subscribers`);
await sleep(3000);
const memIdle = await memory();
if (memIdle.streams < N) fail(`the server holds ${memIdle.streams} subscriptions, expected ${N}`);

const statuses = ['IN_PROGRESS', 'AWAITING_CUSTOMER'];
const latencies: number[] = [];
const rounds: Array<{ status: string; received: number; p50: number; p99: number; max: number }> = [];
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
for (let r = 0; r < ROUNDS; r++) {
  const status = statuses[r % 2]!;
  const seq = await transition(status);
  const ev = await nextMessage((m) => m.type === 'event' && m.sequence === seq, 60_000);
  const commitAt = commits.get(seq);
  if (commitAt === undefined) fail(`no commit trace for event ${seq}`);
  const lat = (ev.times as number[]).map((t) => t - commitAt).sort((a, b) => a - b);
  latencies.push(...lat);
  rounds.push({ status, received: ev.received, p50: pct(lat, 50), p99: pct(lat, 99), max: lat.at(-1)! });
  await sleep(500);
}
client.stdin!.write('stop\n');
await nextMessage((m) => m.type === 'stopped', 30_000);

latencies.sort((a, b) => a - b);
const perSubscriber = (memIdle.rss - memBefore.rss) / N;
const heapPerSubscriber = (memIdle.heap + memIdle.external - memBefore.heap - memBefore.external) / N;
const summary = {
  subscribers: N,
  rounds: ROUNDS,
  database: databaseUrl ? 'postgres' : 'pglite',
  pinned: pin,
  node: process.version,
  cpus: availableParallelism(),
  connectSeconds: Number(connected.seconds.toFixed(2)),
  deliveredAll: rounds.every((r) => r.received === N),
  latencyMs: { p50: round(pct(latencies, 50)), p90: round(pct(latencies, 90)), p99: round(pct(latencies, 99)), max: round(latencies.at(-1)!) },
  perRound: rounds.map((r) => ({ ...r, p50: round(r.p50), p99: round(r.p99), max: round(r.max) })),
  memory: {
    rssBeforeMiB: mib(memBefore.rss), rssIdleMiB: mib(memIdle.rss), bytesPerIdleSubscriber: Math.round(perSubscriber),
    heapBytesPerIdleSubscriber: Math.round(heapPerSubscriber),
  },
  targets: { p99Ms: TARGET_P99_MS, bytesPerIdleSubscriber: TARGET_BYTES_PER_SUB },
  pass: pct(latencies, 99) <= TARGET_P99_MS && perSubscriber <= TARGET_BYTES_PER_SUB && rounds.every((r) => r.received === N),
  at: new Date().toISOString(),
};
function round(n: number) {
  return Math.round(n * 10) / 10;
}
function mib(n: number) {
  return Math.round((n / 1048576) * 10) / 10;
}

mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
writeFileSync(join(BENCH_DIR, 'results', 'fanout.json'), `${JSON.stringify(summary, null, 2)}\n`);
const rows = [
  ['subscribers (WebSocket, one feedback)', String(N)],
  ['status changes measured', String(ROUNDS)],
  ['database', summary.database],
  ['connect + subscribe, all', `${summary.connectSeconds} s`],
  ['delivered to every subscriber', summary.deliveredAll ? 'yes' : 'NO'],
  ['commit → receipt p50', `${summary.latencyMs.p50} ms`],
  ['commit → receipt p90', `${summary.latencyMs.p90} ms`],
  ['commit → receipt p99', `${summary.latencyMs.p99} ms   (target ≤ ${TARGET_P99_MS} ms)`],
  ['commit → receipt max', `${summary.latencyMs.max} ms`],
  ['server RSS before / idle (after GC)', `${summary.memory.rssBeforeMiB} / ${summary.memory.rssIdleMiB} MiB`],
  ['memory per idle subscriber (RSS)', `${(perSubscriber / 1024).toFixed(1)} KB   (target ≤ 30 KB)`],
  ['  of which JS heap + buffers', `${(heapPerSubscriber / 1024).toFixed(1)} KB`],
];
const width = Math.max(...rows.map((r) => r[0]!.length));
console.log(`\nFan-out (${pin ? 'server core 0, load core 1' : 'not pinned'}, ${summary.node})`);
for (const [k, v] of rows) console.log(`  ${k!.padEnd(width)}  ${v}`);
console.log(`  ${'result'.padEnd(width)}  ${summary.pass ? 'PASS' : 'FAIL'}`);
console.log(`\nwrote bench/results/fanout.json`);

server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
for (const c of cleanups) await c();
clearTimeout(deadline);
process.exit(summary.pass ? 0 : 1);
