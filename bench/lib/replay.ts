// The compiled replay (services/api/src/compiled/replays.ts) side by side with executing each replayed
// event: two servers of this process over the benchmark database, one with compiled replays and one with
// `compiled: false`, each replaying the widget's FeedbackProgress from cursor 0 over a real WebSocket for
// a feedback with 100 PUBLIC events, in turn, round after round. Reported: the medians, their ratio, and
// the process's CPU per replay (client included, the same for both).
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { createDatabase } from '@closeloop/db';
import { trustedDocuments } from '@closeloop/sdk/trusted-documents';
import { createApp } from '../../services/api/src/http/server.ts';
import type { Fixtures } from './cases.ts';
import { benchAppOptions } from './trusted.ts';

export interface ReplayResult {
  status: 'measured' | 'skipped' | 'unavailable';
  note?: string;
  events?: number;
  rounds?: number;
  compiled?: { medianMs: number; cpuMs: number };
  executed?: { medianMs: number; cpuMs: number };
  /** Executed time over compiled time (above 1: the compiled replay is faster). */
  speedup?: number;
  load1?: number;
}

const PROGRESS = () => trustedDocuments().find((d) => d.body.startsWith('subscription FeedbackProgress'))!.body;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One replay from cursor 0 until `events` events arrived: wall time and process CPU, in ms. */
async function once(url: string, channelKey: string, code: string, key: string, events: number | null): Promise<{ ms: number; cpuMs: number; events: number }> {
  const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { channelKey }, lazy: true, retryAttempts: 0 });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  await new Promise<void>((resolve, reject) => {
    const stop = client.subscribe({ query: PROGRESS(), variables: { trackingCode: code, accessKey: key, after: '0' } }, {
      next: (r) => {
        if (r.errors) reject(new Error(JSON.stringify(r.errors)));
        // Without a known count (the first, warm-up round), the replay is done when nothing arrives for 300 ms.
        if (++n === events) {
          stop();
          resolve();
        }
      },
      error: reject,
      complete: () => resolve(),
    });
    if (events === null) {
      let last = -1;
      const tick = setInterval(() => {
        if (n > 0 && n === last) {
          clearInterval(tick);
          stop();
          resolve();
        }
        last = n;
      }, 300);
    }
  });
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  await client.dispose();
  return { ms, cpuMs: (used.user + used.system) / 1000, events: n };
}

export async function runReplay(url: string, secretKey: Buffer, fx: Fixtures, rounds: number): Promise<ReplayResult> {
  const handle = await createDatabase({ url, max: 10 });
  const compiled = createApp({ handle, secretKey, ...benchAppOptions() });
  const executed = createApp({ handle, secretKey, ...benchAppOptions(), compiled: false });
  try {
    const urls = [await compiled.listen(0, '127.0.0.1'), await executed.listen(0, '127.0.0.1')].map((p) => `ws://127.0.0.1:${p}/graphql`);
    const [code, key] = fx.byLength[100];
    // Warm-up on both, and the number of events the replay delivers.
    const { events } = await once(urls[0]!, fx.channelKey, code, key, null);
    await once(urls[1]!, fx.channelKey, code, key, events);
    const load1: number[] = [];
    const times: Array<{ ms: number[]; cpu: number[] }> = [{ ms: [], cpu: [] }, { ms: [], cpu: [] }];
    for (let i = 0; i < rounds; i++) {
      // Alternating which goes first, so that neither always runs on a warmer cache.
      for (const which of i % 2 ? [1, 0] : [0, 1]) {
        const r = await once(urls[which]!, fx.channelKey, code, key, events);
        times[which]!.ms.push(r.ms);
        times[which]!.cpu.push(r.cpuMs);
      }
      load1.push((await import('node:os')).loadavg()[0]!);
    }
    const c = { medianMs: median(times[0]!.ms), cpuMs: median(times[0]!.cpu) };
    const e = { medianMs: median(times[1]!.ms), cpuMs: median(times[1]!.cpu) };
    return { status: 'measured', events, rounds, compiled: c, executed: e, speedup: e.medianMs / c.medianMs, load1: median(load1) };
  } catch (err) {
    return { status: 'unavailable', note: (err as Error).message };
  } finally {
    await compiled.close();
    await executed.close();
    await handle.close();
  }
}
