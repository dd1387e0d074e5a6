// One server under test, in its own process (pinned by the caller with taskset):
//   tsx bench/server.ts graphql|raw   with BENCH_DATABASE_URL, BENCH_SECRET_KEY (hex), BENCH_POOL.
// Prints "listening <port>" once ready; stops on SIGTERM. With BENCH_CPU_PROF=dir the process is
// started with --cpu-prof by the caller, and exits cleanly so the profile is written.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createDatabase } from '@closeloop/db';
import { createApp } from '../services/api/src/http/server.ts';
import { createRawServer } from './lib/raw.ts';
import { benchAppOptions } from './lib/trusted.ts';

const mode = process.argv[2];
const url = process.env.BENCH_DATABASE_URL!;
const pool = Number(process.env.BENCH_POOL ?? 10);
const secretKey = Buffer.from(process.env.BENCH_SECRET_KEY!, 'hex');

// CPU time this process has used, read by the load generator around its measured window: CPU per
// request is far less disturbed by other work on the machine than requests per second.
const cpuRoute = (req: IncomingMessage, res: ServerResponse) => {
  if (req.url !== '/__bench/cpu') return false;
  const u = process.cpuUsage();
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ micros: u.user + u.system }));
  return true;
};

let stop: () => Promise<void>;
let port: number;
if (mode === 'graphql') {
  const handle = await createDatabase({ url, max: pool });
  // BENCH_DIRECT_HTTP=0 serves every request through Yoga's own HTTP handling, for comparison.
  const app = createApp({ handle, secretKey, ...benchAppOptions(), routes: [cpuRoute], directHttp: process.env.BENCH_DIRECT_HTTP !== '0' });
  port = await app.listen(0, '127.0.0.1');
  stop = async () => {
    await app.close();
    await handle.close();
  };
} else if (mode === 'raw') {
  // BENCH_REPLAY: the compiled documents' statements (lib/compiled.ts), served at /raw/compiled/<i>.
  const replays = process.env.BENCH_REPLAY ? JSON.parse(readFileSync(process.env.BENCH_REPLAY, 'utf8')) : undefined;
  const raw = await createRawServer({ url, pool, secretKey, routes: [cpuRoute], replays });
  port = await new Promise<number>((resolve) => raw.server.listen(0, '127.0.0.1', () => resolve((raw.server.address() as { port: number }).port)));
  stop = raw.close;
} else {
  throw new Error('usage: server.ts graphql|raw');
}
process.stdout.write(`listening ${port}\n`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 5000).unref();
  await stop().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
// The parent going away (crash, kill -9) must not leave a server behind: it holds our stdin open.
process.stdin.on('end', () => void shutdown());
process.stdin.on('error', () => void shutdown());
process.stdin.resume();
