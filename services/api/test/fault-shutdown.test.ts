// A deploy: SIGTERM during a burst of submissions with live subscribers. Every request in flight is
// answered, later ones get 503 or a refused connection (never a reset), WebSockets close with 1012, SSE
// ends with SERVICE_RESTART, and the process exits 0 within the grace period; the same with Redis down.
// Redis outages are logged once when Redis goes and once when it is back.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sql } from 'drizzle-orm';
import { createDatabase, type DatabaseHandle } from '@closeloop/db';
import { createTestDatabase, type TestDatabase } from '@closeloop/db/testing';
import { Identity } from '../src/auth/identity.ts';
import { createChannel } from '../src/admin.ts';
import { seedBase } from '../src/seed.ts';
import { SUBMIT } from './helpers.ts';
import { PROGRESS, sleep, sse, waitFor } from './realtime-helpers.ts';
import { gql, startRedis, startServer, stopServer, type RedisProcess, type ServerProcess } from './process-helpers.ts';

const postgres = Boolean(process.env.TEST_DATABASE_URL);
const GRACE_MS = 8000;

type Outcome = { started: number; finished: number; kind: 'ok' | '503' | 'refused' | 'reset'; detail?: string; key: string };

describe('graceful shutdown on SIGTERM', () => {
  const secretHex = randomBytes(32).toString('hex');
  let dataDir = '';
  let pgDb: TestDatabase | undefined;
  let channelKey = '';
  let server: ServerProcess | undefined;
  let redis: RedisProcess | undefined;

  /** PostgreSQL when the project has it; else an embedded database in a folder the server then owns. */
  async function withDatabase<T>(fn: (db: DatabaseHandle) => Promise<T>): Promise<T> {
    if (pgDb) return fn(pgDb);
    const h = await createDatabase({ dataDir: join(dataDir, 'pglite') });
    try {
      await h.migrate();
      return await fn(h);
    } finally {
      await h.close();
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'closeloop-shutdown-'));
    if (postgres) pgDb = await createTestDatabase();
    channelKey = await withDatabase(async (h) => {
      await seedBase(h.db);
      const identity = new Identity({ db: h.db, secretKey: Buffer.from(secretHex, 'hex'), staffSessionTtlSeconds: 3600 });
      return (await createChannel(h.db, identity, { name: 'Shutdown web', kind: 'WEB' })).publishableKey;
    });
  }, 60_000);

  afterEach(async () => {
    await stopServer(server);
    await redis?.stop();
    redis = undefined;
  });

  afterAll(async () => {
    await pgDb?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    CLOSELOOP_SECRET_KEY: secretHex,
    CLOSELOOP_DATA_DIR: dataDir,
    CLOSELOOP_SHUTDOWN_GRACE_MS: String(GRACE_MS),
    // The burst comes from one address: the per-address submission limit (20 an hour) would refuse it.
    CLOSELOOP_LIMIT_SUBMIT_ADDRESS: '100000/3600',
    DATABASE_URL: pgDb?.url ?? '',
    REDIS_URL: '',
    ...extra,
  });

  /** Submissions from 8 clients until each sees the server gone; every outcome classified. */
  function burst(s: ServerProcess, outcomes: Outcome[]) {
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const key = `sd-${randomUUID()}`;
        const started = performance.now();
        try {
          const r = await gql(s.http, SUBMIT, { input: { kind: 'SUGGESTION', content: 'Open the branch on Saturdays.', idempotencyKey: key } }, { 'x-closeloop-channel': channelKey });
          const ok = r.body.data?.submitFeedback?.__typename === 'SubmitFeedbackPayload';
          outcomes.push({ started, finished: performance.now(), key, kind: ok ? 'ok' : r.status === 503 ? '503' : 'reset', detail: ok ? undefined : JSON.stringify(r.body) });
          if (r.status === 503) stop = true;
        } catch (e) {
          const code = (e as { cause?: { code?: string } }).cause?.code;
          outcomes.push({ started, finished: performance.now(), key, kind: code === 'ECONNREFUSED' ? 'refused' : 'reset', detail: `${code} ${(e as Error).message}` });
          stop = true;
        }
      }
    };
    return Promise.all(Array.from({ length: 8 }, worker));
  }

  async function sigtermDuringBurst(s: ServerProcess) {
    const first = (await gql(s.http, SUBMIT, { input: { kind: 'COMPLAINT', content: 'The ATM kept my card.' } }, { 'x-closeloop-channel': channelKey })).body.data.submitFeedback;
    // One WebSocket and one SSE subscriber, live once each has replayed the first event.
    const socket = new WebSocket(s.ws, 'graphql-transport-ws');
    const wsClosed = new Promise<{ code: number; reason: string }>((r) => socket.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    let wsLive = false;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { channelKey } })));
    socket.on('message', (m) => {
      const msg = JSON.parse(m.toString());
      if (msg.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: PROGRESS, variables: { code: first.trackingCode, key: first.accessKey, after: '0' } } }));
      if (msg.type === 'next') wsLive = true;
    });
    const stream = sse(s.http, PROGRESS, { code: first.trackingCode, key: first.accessKey, after: '0' }, { 'x-closeloop-channel': channelKey }, 'feedbackProgress');
    await waitFor(() => wsLive && stream.received.events.length === 1, 10_000, 'the subscribers');

    const outcomes: Outcome[] = [];
    const load = burst(s, outcomes);
    await waitFor(() => outcomes.filter((o) => o.kind === 'ok').length >= 20, 20_000, 'a running burst');
    const signalled = performance.now();
    s.proc.kill('SIGTERM');
    await load;
    const exit = await s.exited;
    const exitMs = performance.now() - signalled;

    // Never a reset or a cut request: each got its acknowledgement, a 503 (it reached the server after the
    // signal) or a refused connection; requests in flight at the signal were answered after it.
    expect(outcomes.filter((o) => o.kind === 'reset')).toEqual([]);
    expect(outcomes.filter((o) => o.kind === 'ok' && o.started < signalled && o.finished > signalled).length).toBeGreaterThan(0);
    expect(outcomes.some((o) => o.kind === '503' || o.kind === 'refused')).toBe(true);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(GRACE_MS);
    expect(await wsClosed).toMatchObject({ code: 1012 });
    await stream.done;
    expect(stream.received.errors.map((e) => e.extensions?.code)).toEqual(['SERVICE_RESTART']);
    // Every acknowledged submission is in the database, once.
    const acked = outcomes.filter((o) => o.kind === 'ok').map((o) => o.key);
    const stored = await withDatabase(async (h) => {
      const r = (await h.db.execute(sql`select idempotency_key as k from feedback where idempotency_key like ${'%sd-%'}`)) as unknown as { rows: { k: string }[] };
      return r.rows.map((x) => x.k);
    });
    for (const key of acked) expect(stored.filter((k) => k.endsWith(key))).toHaveLength(1);
    return outcomes;
  }

  it('answers every request in flight, refuses later ones cleanly, closes subscribers and exits 0', async () => {
    server = await startServer(env());
    const s = server;
    expect((await fetch(`http://127.0.0.1:${s.port}/ready`)).status).toBe(200);
    await sigtermDuringBurst(s);
    expect(s.output.join('')).toMatch(/shutting down; requests in flight may finish[\s\S]*signal: "SIGTERM"/);
  }, 60_000);

  it('does the same with Redis unreachable, after logging the outage once', async () => {
    redis = await startRedis();
    server = await startServer(env({ REDIS_URL: redis.url }));
    const s = server;
    const ready = async () => (await (await fetch(`http://127.0.0.1:${s.port}/ready`)).json()) as { redis?: { status: string; errors: number } };
    expect((await ready()).redis?.status).toBe('ok');
    const text = () => s.output.join('');

    // Redis goes: one line, then only the counter grows while ioredis retries with back-off.
    await redis.stop();
    await waitFor(() => /redis is unreachable/.test(text()), 10_000, 'the outage line');
    for (const until = Date.now() + 15_000; ((await ready()).redis?.errors ?? 0) < 4; await sleep(100)) {
      if (Date.now() > until) throw new Error('no reconnection attempts counted');
    }
    expect(text().match(/redis is unreachable/g)).toHaveLength(1);
    // Redis returns on the same port: one line.
    redis = await startRedis(redis.port);
    await waitFor(() => /redis is reachable again/.test(text()), 15_000, 'the recovery line');
    expect((await ready()).redis?.status).toBe('ok');

    // Redis goes again and stays away through the deploy.
    await redis.stop();
    await waitFor(() => (text().match(/redis is unreachable/g) ?? []).length === 2, 10_000, 'the second outage line');
    await sigtermDuringBurst(s);
  }, 90_000);
});
