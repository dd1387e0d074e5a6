// CPU time per request of the normal (uncompiled) path, in one process, for before/after comparisons of
// per-request work: `npx tsx bench/cpu-per-request.ts [requests]`. The server (createApp, production,
// embedded PGlite in memory) and a keep-alive client (concurrency 8) share the process, so the figure
// includes the client's share; that share is the same on both sides of a comparison. CPU time, unlike
// requests per second, moves little with other work on the machine.
import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createDatabase } from '@closeloop/db';
import { createApp } from '../services/api/src/http/server.ts';
import { benchAppOptions } from './lib/trusted.ts';

const N = Number(process.argv[2] ?? 3000);
const handle = await createDatabase({ dataDir: 'memory://' });
await handle.migrate();
const options = benchAppOptions();
const DOCS: Array<[string, string]> = [
  ['floor { __typename }', JSON.stringify({ query: '{ __typename }' })],
  [
    'trackFeedback, unknown code (uncompiled)',
    JSON.stringify({
      query: 'query Probe($c: String!, $k: String) { __typename trackFeedback(trackingCode: $c, accessKey: $k) { trackingCode status timeline { position body } } }',
      variables: { c: 'CL-UNKNOWN-0000', k: 'x'.repeat(26) },
    }),
  ],
];
for (const [, body] of DOCS) options.trustedDocuments.add(JSON.parse(body).query);
const app = createApp({ handle, secretKey: randomBytes(32), ...options });
const port = await app.listen(0, '127.0.0.1');
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

const once = (body: string) =>
  new Promise<void>((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 200 && !text.includes('"errors"') ? resolve() : reject(new Error(`${res.statusCode} ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });

async function run(body: string, n: number) {
  let left = n;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (left-- > 0) await once(body);
  }));
}

for (const [label, body] of DOCS) {
  await run(body, 500); // warm-up: parse and validation caches, JIT
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run(body, N);
  const c = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  process.stdout.write(`${label.padEnd(42)} ${((c.user + c.system) / N).toFixed(0).padStart(5)} µs CPU/request  (${(N / (ms / 1000)).toFixed(0)} req/s wall)\n`);
}
agent.destroy();
await app.close();
await handle.close();
process.exit(0);
