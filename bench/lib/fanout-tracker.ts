// A compiled document's latency under the fan-out load: a tracker page (the bench's `Track`, answered by
// one compiled statement) re-loaded by one client while the subscribers receive their events. One
// request at a time with a short pause, so it samples the server's responsiveness without adding load.
import { Agent, request } from 'node:http';
import { COMPILED_DOCUMENTS } from '../../services/api/src/compiled/documents.ts';
import { TRACK_Q } from './cases.ts';

export interface TrackerFigures {
  requests: number;
  errors: number;
  /** Whether the document is one of the compiled ones on this commit. */
  compiled: boolean;
  p50: number;
  p99: number;
  max: number;
}

const PAUSE_MS = 50;

/** Starts polling; `stop()` ends it and returns the latencies (ms) measured meanwhile. */
export function startTracker(port: number, code: string, accessKey: string): { stop(): Promise<TrackerFigures> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({ query: TRACK_Q, variables: { c: code, k: accessKey } });
  const latencies: number[] = [];
  let errors = 0;
  let running = true;
  const once = () =>
    new Promise<boolean>((resolve) => {
      const req = request(
        { agent, host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve(res.statusCode === 200 && text.includes('"trackingCode"') && !text.includes('"errors"')));
          res.on('error', () => resolve(false));
        },
      );
      req.on('error', () => resolve(false));
      req.end(body);
    });
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const ok = await once();
      latencies.push(performance.now() - t0);
      if (!ok) errors++;
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      const s = [...latencies].sort((a, b) => a - b);
      const q = (p: number) => Math.round((s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? NaN) * 10) / 10;
      return { requests: s.length, errors, compiled: COMPILED_DOCUMENTS.includes(TRACK_Q), p50: q(0.5), p99: q(0.99), max: q(1) };
    },
  };
}
