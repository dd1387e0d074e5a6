// Load generator for `npm run bench:fanout`, in its own process: opens one graphql-ws connection per
// subscriber on loopback (spread round-robin over the given server URLs), one subscription each, and
// reports receipt times (epoch milliseconds, for the parent to compare with the servers' commit times).
//   tsx bench/fanout-client.ts <spec.json>
// Spec: { urls, query, connectionParams: [...], subscribers: [[paramsIndex, variables], …] }.
// Prints JSON lines: {"type":"connected",…}; then for each {"type":"collect","count":C,"timeoutMs":T}
// read on stdin, {"type":"receipts","times":[…],"sequences":[…]} once C events arrived since the last
// one (or T ms passed); {"type":"stopped"} after {"type":"stop"}. Exits when stdin ends.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

interface Spec {
  urls: string[];
  query: string;
  connectionParams: Record<string, unknown>[];
  subscribers: Array<[number, Record<string, unknown>]>;
  /** Connections being opened at once. */
  concurrency?: number;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Spec;
const now = () => performance.timeOrigin + performance.now();
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

const sockets: WebSocket[] = [];
let failed = 0;
let closedEarly = 0;
const errors: string[] = [];
const note = (why: string) => errors.length < 5 && errors.push(why.slice(0, 200));

// Receipts since the last report.
let times: number[] = [];
let sequences: string[] = [];
let collecting: { count: number; timer: NodeJS.Timeout } | null = null;

function report() {
  if (!collecting) return;
  clearTimeout(collecting.timer);
  collecting = null;
  out({ type: 'receipts', times, sequences });
  times = [];
  sequences = [];
}

function received(sequence: string, t: number) {
  times.push(t);
  sequences.push(sequence);
  if (collecting && times.length >= collecting.count) report();
}

function open(index: number): Promise<void> {
  const [paramsIndex, variables] = spec.subscribers[index]!;
  return new Promise((resolve) => {
    const ws = new WebSocket(spec.urls[index % spec.urls.length]!, 'graphql-transport-ws', { perMessageDeflate: false });
    let settled = false;
    const done = (ok: boolean, why?: string) => {
      if (settled) return;
      settled = true;
      if (!ok) {
        failed++;
        if (why) note(why);
      }
      resolve();
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: spec.connectionParams[paramsIndex] })));
    ws.on('message', (data) => {
      const t = now();
      const text = String(data);
      // Hot path: a `next` message is recognised without a full parse, so that the load generator's own
      // parsing counts as little as possible towards delivery time.
      if (text.startsWith('{"id":"1","type":"next"')) {
        const at = text.indexOf('"sequence":"');
        if (at > 0) {
          received(text.slice(at + 12, text.indexOf('"', at + 12)), t);
          return;
        }
      }
      const msg = JSON.parse(text) as { type: string; payload?: any };
      if (msg.type === 'connection_ack') {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: spec.query, variables } }));
        sockets.push(ws);
        done(true);
      } else if (msg.type === 'next' || msg.type === 'error') {
        note(JSON.stringify(msg.payload));
      } else if (msg.type === 'ping') {
        ws.send('{"type":"pong"}');
      }
    });
    ws.on('close', (code, reason) => {
      if (settled) closedEarly++;
      done(false, `closed ${code} ${reason}`);
    });
    ws.on('error', (e) => done(false, e.message));
  });
}

const started = now();
let next = 0;
await Promise.all(
  Array.from({ length: spec.concurrency ?? 200 }, async () => {
    while (next < spec.subscribers.length) await open(next++);
  }),
);
out({ type: 'connected', open: sockets.length, failed, seconds: (now() - started) / 1000, errors });

let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk;
  let at: number;
  while ((at = input.indexOf('\n')) >= 0) {
    const cmd = JSON.parse(input.slice(0, at)) as { type: string; count?: number; timeoutMs?: number };
    input = input.slice(at + 1);
    if (cmd.type === 'collect') {
      collecting = { count: cmd.count!, timer: setTimeout(report, cmd.timeoutMs ?? 60_000) };
      if (times.length >= cmd.count!) report();
    } else if (cmd.type === 'stop') {
      for (const s of sockets) s.terminate();
      out({ type: 'stopped', closedEarly, errors });
      process.exit(0);
    }
  }
});
// Never outlive the parent.
process.stdin.on('end', () => process.exit(2));
setTimeout(() => process.exit(3), 15 * 60_000).unref();
