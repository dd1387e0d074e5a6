// PostgreSQL drops every connection of the API (a failover, an idle-connection reaper) again and again
// during a burst of submissions and live subscriptions: the process stays up, every request is answered
// within a bound, nothing acknowledged is lost or duplicated, and subscribers receive every event.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '@closeloop/db/testing';
import { Identity } from '../src/auth/identity.ts';
import { createChannel, createStaff } from '../src/admin.ts';
import { seedBase } from '../src/seed.ts';
import { SUBMIT } from './helpers.ts';
import { ADD_NOTE, PROGRESS, TICKET_OF, collect, sleep, waitFor, wsClient } from './realtime-helpers.ts';
import { gql, startServer, stopServer, type ServerProcess } from './process-helpers.ts';

const adminUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!adminUrl)('database connection loss (PostgreSQL)', () => {
  let db: TestDatabase;
  let server: ServerProcess | undefined;
  let channelKey = '';
  let staffToken = '';
  const secretHex = randomBytes(32).toString('hex');

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedBase(db.db);
    const identity = new Identity({ db: db.db, secretKey: Buffer.from(secretHex, 'hex'), staffSessionTtlSeconds: 3600 });
    channelKey = (await createChannel(db.db, identity, { name: 'Faults web', kind: 'WEB' })).publishableKey;
    staffToken = (await createStaff(db.db, identity, { email: 'sup@faults.test', role: 'SUPERVISOR', department: null })).token;
    server = await startServer({ DATABASE_URL: db.url!, CLOSELOOP_SECRET_KEY: secretHex, CLOSELOOP_REALTIME_POLL_MS: '500', CLOSELOOP_LIMIT_SUBMIT_ADDRESS: '100000/3600', CLOSELOOP_LIMIT_SUBMIT_CHANNEL: '100000/3600' }); // the burst comes from one address
  }, 60_000);

  afterAll(async () => {
    await stopServer(server);
    await db?.destroy();
  });

  it('stays up and loses or repeats nothing while every backend is terminated again and again', async () => {
    const s = server!;
    const submit = (key: string) =>
      gql(s.http, SUBMIT, { input: { kind: 'COMPLAINT', content: `Card declined at the branch (${key}).`, idempotencyKey: key } }, { 'x-closeloop-channel': channelKey });

    // Live subscribers of one feedback, each resuming with its last cursor if its socket drops.
    const first = (await submit(`fault-${randomUUID()}`)).body.data.submitFeedback;
    const ticketId = (await gql(s.http, TICKET_OF, { code: first.trackingCode }, { authorization: `Bearer ${staffToken}` })).body.data.trackFeedback.ticket.id;
    const clients = Array.from({ length: 4 }, () => wsClient(s.ws, { channelKey }, { retryAttempts: 50, shouldRetry: () => true, retryWait: () => sleep(100) }));
    const subs = clients.map((c) => collect(c, PROGRESS, { code: first.trackingCode, key: first.accessKey, after: '0' }, 'feedbackProgress', 'cursor'));
    // Live once each has replayed the first event.
    for (const sub of subs) await waitFor(() => sub.received.events.length === 1, 10_000, 'the subscriptions to start');

    // The killer: only this test's database, from a connection of its own.
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const dbName = new URL(db.url!).pathname.slice(1);
    let terminated = 0;
    let killing = true;
    const killer = (async () => {
      for (let round = 0; round < 8; round++) {
        await sleep(700);
        const r = await admin.query('select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);
        terminated += r.rows[0].n;
      }
      killing = false;
    })();

    const outcomes: { key: string; ok: boolean; status: number; code?: string; ms: number }[] = [];
    const keys: string[] = [];
    const burst = (async () => {
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (killing) {
            const key = `burst-${keys.length}-${randomUUID()}`;
            keys.push(key);
            const t0 = Date.now();
            const r = await submit(key);
            const p = r.body.data?.submitFeedback;
            outcomes.push({ key, ok: p?.__typename === 'SubmitFeedbackPayload', status: r.status, code: r.body.errors?.[0]?.extensions?.code, ms: Date.now() - t0 });
          }
        }),
      );
    })();
    let notesOk = 0;
    const notes = (async () => {
      for (let i = 0; killing; i++) {
        const r = await gql(s.http, ADD_NOTE, { input: { ticketId, body: `update ${i}`, visibility: 'PUBLIC' } }, { authorization: `Bearer ${staffToken}` });
        if (r.body.data?.addTicketNote?.__typename === 'TicketPayload') notesOk++;
        await sleep(30);
      }
    })();
    await Promise.all([burst, notes, killer]);
    await admin.end();

    console.log(`terminated ${terminated} backends; ${outcomes.filter((o) => !o.ok).length} of ${outcomes.length} submissions failed; slowest ${Math.max(...outcomes.map((o) => o.ms))} ms`);
    expect(terminated).toBeGreaterThan(20);
    expect(s.alive()).toBe(true);
    expect(s.output.join('')).not.toMatch(/TypeError|Cannot read properties/);
    // Answered, promptly: success or a masked error, never a hang.
    expect(outcomes).toHaveLength(keys.length);
    for (const o of outcomes) {
      expect(o.ms).toBeLessThan(8000);
      // Masked, and retryable by any HTTP client: 503.
      if (!o.ok) expect([o.code, o.status]).toEqual(['SERVICE_UNAVAILABLE', 503]);
    }
    expect(notesOk).toBeGreaterThan(0);

    // A client retries what failed with the same idempotency key: each submission exists exactly once.
    for (const o of outcomes.filter((x) => !x.ok)) {
      const r = await submit(o.key);
      expect(r.body.data?.submitFeedback?.__typename).toBe('SubmitFeedbackPayload');
    }
    const { rows } = (await db.db.execute(sql`select idempotency_key as k, count(*)::int as n from feedback where idempotency_key like ${'%burst-%'} group by 1`)) as unknown as { rows: { k: string; n: number }[] };
    expect(rows).toHaveLength(keys.length);
    expect(rows.every((r) => r.n === 1)).toBe(true);

    // Every subscriber has every committed public event after its cursor, once, in order.
    const events = (await db.db.execute(sql`select te.position from timeline_events te join feedback f on f.id = te.feedback_id
      where f.tracking_code = ${first.trackingCode} and te.visibility = 'PUBLIC' and te.position >= 1 order by te.position`)) as unknown as { rows: { position: number }[] };
    const expected = events.rows.map((r) => String(r.position));
    // A note whose answer was lost may still have committed; every acknowledged one did.
    expect(expected.length).toBeGreaterThanOrEqual(notesOk);
    for (const sub of subs) {
      await waitFor(() => sub.received.events.length >= expected.length, 15_000, 'every event on every subscriber').catch((e) => { console.log(JSON.stringify({ expected, got: sub.received.events.map((x) => x.cursor), errors: sub.received.errors, completed: sub.received.completed, out: s.output.join('') })); throw e; });
    }
    // The sentinel: one more event after the burst reaches everyone, so nothing else is in flight.
    const last = await gql(s.http, ADD_NOTE, { input: { ticketId, body: 'sentinel', visibility: 'PUBLIC' } }, { authorization: `Bearer ${staffToken}` });
    const sentinel = String(last.body.data.addTicketNote.events[0].position);
    for (const sub of subs) {
      await waitFor(() => sub.received.events.some((e) => e.cursor === sentinel), 10_000, 'the sentinel');
      expect(sub.received.events.map((e) => e.cursor)).toEqual([...expected, sentinel]);
    }
    for (const sub of subs) sub.dispose();
    await Promise.all(clients.map((c) => c.dispose()));
    // /ready is honest: 503 while the database refuses connections, 200 again as soon as it accepts them.
    const ready = async () => (await fetch(`http://127.0.0.1:${s.port}/ready`)).status;
    expect(await ready()).toBe(200);
    const again = new pg.Client({ connectionString: adminUrl });
    await again.connect();
    try {
      await again.query(`alter database ${dbName} allow_connections false`);
      await again.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [dbName]);
      expect(await ready()).toBe(503);
    } finally {
      await again.query(`alter database ${dbName} allow_connections true`);
      await again.end();
    }
    expect(await ready()).toBe(200);
    expect(s.alive()).toBe(true);
  }, 90_000);
});
