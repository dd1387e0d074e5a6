// Load generator for `npm run bench:fanout`, in its own process: opens N graphql-ws connections on
// loopback, one feedbackProgress subscription each, and reports when every subscriber received each
// event (receipt times as epoch milliseconds, for the parent to compare with the server's commit times).
//   tsx bench/fanout-client.ts '{"url":"ws://127.0.0.1:port/graphql","n":10000,"channelKey":"…","variables":{…}}'
// Prints JSON lines: {"type":"connected",…}, then {"type":"event","sequence":"…","times":[…]} per event.
import WebSocket from 'ws';

interface Spec {
  url: string;
  n: number;
  channelKey: string;
  variables: Record<string, unknown>;
  /** Connections being opened at once. */
  concurrency?: number;
  /** Give up on an event this long after its first receipt (ms). */
  eventTimeoutMs?: number;
}

const spec = JSON.parse(process.argv[2]!) as Spec;
const QUERY = `subscription Fanout($code: String!, $key: String) {
  feedbackProgress(trackingCode: $code, accessKey: $key) { cursor sequence type toStatus }
}`;
const now = () => performance.timeOrigin + performance.now();
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

const sockets: WebSocket[] = [];
const groups = new Map<string, { times: number[]; timer: NodeJS.Timeout }>();
let failed = 0;
let closedEarly = 0;
const errors: string[] = [];

function finish(sequence: string) {
  const g = groups.get(sequence);
  if (!g) return;
  clearTimeout(g.timer);
  groups.delete(sequence);
  out({ type: 'event', sequence, received: g.times.length, times: g.times });
}

function received(sequence: string, t: number) {
  let g = groups.get(sequence);
  if (!g) {
    g = { times: [], timer: setTimeout(() => finish(sequence), spec.eventTimeoutMs ?? 15_000) };
    groups.set(sequence, g);
  }
  g.times.push(t);
  if (g.times.length === spec.n) finish(sequence);
}

function open(): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(spec.url, 'graphql-transport-ws', { perMessageDeflate: false });
    let settled = false;
    let settledOpen = false;
    const done = (ok: boolean, why?: string) => {
      if (settled) return;
      settled = true;
      if (!ok) {
        failed++;
        if (why && errors.length < 5) errors.push(why);
      }
      resolve();
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { channelKey: spec.channelKey } })));
    ws.on('message', (data) => {
      const t = now();
      const text = String(data);
      // Hot path: a `next` message is recognised without a full parse (the load generator shares a
      // core budget with nothing else, but its own parsing would otherwise count as delivery time).
      if (settledOpen && text.startsWith('{"id":"1","type":"next"')) {
        const at = text.indexOf('"sequence":"');
        if (at > 0) {
          received(text.slice(at + 12, text.indexOf('"', at + 12)), t);
          return;
        }
      }
      const msg = JSON.parse(text) as { type: string; payload?: any };
      if (msg.type === 'connection_ack') {
        settledOpen = true;
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables: spec.variables } }));
        sockets.push(ws);
        done(true);
      } else if (msg.type === 'next') {
        const ev = msg.payload?.data?.feedbackProgress;
        if (ev) received(ev.sequence, t);
        else if (errors.length < 5) errors.push(JSON.stringify(msg.payload).slice(0, 200));
      } else if (msg.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      } else if (msg.type === 'error' && errors.length < 5) {
        errors.push(JSON.stringify(msg.payload).slice(0, 200));
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
const concurrency = spec.concurrency ?? 200;
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < spec.n) {
      next++;
      await open();
    }
  }),
);
out({ type: 'connected', open: sockets.length, failed, seconds: (now() - started) / 1000, errors });

process.stdin.on('data', (chunk) => {
  if (String(chunk).includes('stop')) {
    for (const s of sockets) s.terminate();
    out({ type: 'stopped', closedEarly, errors });
    process.exit(0);
  }
});
// Bounded: never outlive the parent's whole run.
setTimeout(() => process.exit(3), 10 * 60_000).unref();
