import { randomUUID } from 'node:crypto';
// Several API processes sharing PostgreSQL and Redis: a change made through one instance reaches
// subscribers on another, and a subscriber whose instance dies resumes on the survivor with its cursor.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '@closeloop/db/testing';
import { Identity } from '../src/auth/identity.ts';
import { createChannel, createStaff } from '../src/admin.ts';
import { seedBase } from '../src/seed.ts';
import { SUBMIT, TRANSITION } from './helpers.ts';
import { ADD_NOTE, PROGRESS, TICKET_EVENTS, TICKET_OF, collect, waitFor, wsClient, sleep } from './realtime-helpers.ts';

const postgresUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const limitPrefix = `closeloop:test:${randomUUID()}`;
// Locally these tests need both services and are skipped (and reported as skipped) without them;
// in CI a missing service is a failure, never a silent pass. (The PGlite project blanks
// TEST_DATABASE_URL on purpose; the PostgreSQL project runs these.)
if (process.env.CI && !redisUrl) throw new Error('CI requires REDIS_URL for the multi-instance realtime tests');

const BIN = fileURLToPath(new URL('../bin/closeloop.mjs', import.meta.url));

interface Instance {
  port: number;
  proc: ChildProcess;
  http: string;
  ws: string;
  output: string[];
}

describe.skipIf(!postgresUrl || !redisUrl)('several API instances (PostgreSQL + Redis)', () => {
  let db: TestDatabase;
  const secretHex = randomBytes(32).toString('hex');
  const dirs: string[] = [];
  const instances: Instance[] = [];
  let channelKey = '';
  let staffToken = '';
  let adminToken = '';

  /** Starts one `closeloop start`; a start killed by a signal from outside before it listened is tried once more. */
  async function startInstance(): Promise<Instance> {
    try {
      return await startOnce();
    } catch (e) {
      if (!(e instanceof Error) || !/killed by SIG/.test(e.message)) throw e;
      console.warn(`realtime-cluster: ${e.message.split('\n')[0]}; starting it again`);
      return startOnce();
    }
  }

  async function startOnce(): Promise<Instance> {
    const dataDir = mkdtempSync(join(tmpdir(), 'closeloop-rt-'));
    dirs.push(dataDir);
    const proc = spawn(process.execPath, [BIN, 'start'], {
      env: {
        ...process.env,
        PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db.url!, REDIS_URL: redisUrl!, CLOSELOOP_SECRET_KEY: secretHex,
        CLOSELOOP_DEMO: '0', CLOSELOOP_DATA_DIR: dataDir, NODE_ENV: 'development', CLOSELOOP_REALTIME_POLL_MS: '1000',
        // Counters of this test's own, not shared with other runs through the same Redis.
        CLOSELOOP_RATE_LIMIT_PREFIX: limitPrefix,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance did not start:\n${output.join('')}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString());
        const m = /running on http:\/\/localhost:(\d+)/.exec(output.join(''));
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`instance ${signal ? `killed by ${signal}` : `exited with ${code}`} before listening:\n${output.join('')}`));
      });
    });
    const inst = { port, proc, http: `http://127.0.0.1:${port}/graphql`, ws: `ws://127.0.0.1:${port}/graphql`, output };
    instances.push(inst);
    return inst;
  }

  async function gql(inst: Instance, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
    const res = await fetch(inst.http, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: any[] };
  }

  async function submitOn(inst: Instance) {
    const r = await gql(inst, SUBMIT, { input: { kind: 'COMPLAINT', content: 'Cash withdrawal failed but the account was debited.' } }, { 'x-closeloop-channel': channelKey });
    const p = r.data!.submitFeedback;
    const t = await gql(inst, TICKET_OF, { code: p.trackingCode }, { authorization: `Bearer ${staffToken}` });
    return { code: p.trackingCode as string, key: p.accessKey as string, ticketId: t.data!.trackFeedback.ticket.id as string };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedBase(db.db);
    const identity = new Identity({ db: db.db, secretKey: Buffer.from(secretHex, 'hex'), staffSessionTtlSeconds: 3600 });
    channelKey = (await createChannel(db.db, identity, { name: 'Cluster web', kind: 'WEB' })).publishableKey;
    staffToken = (await createStaff(db.db, identity, { email: 'sup@cluster.test', role: 'SUPERVISOR', department: null })).token;
    adminToken = (await createStaff(db.db, identity, { email: 'admin@cluster.test', role: 'ADMIN', department: null })).token;
    await Promise.all([startInstance(), startInstance()]);
  }, 90_000);

  afterAll(async () => {
    for (const i of instances) if (i.proc.exitCode === null && i.proc.signalCode === null) i.proc.kill('SIGTERM');
    await Promise.all(instances.map((i) => (i.proc.exitCode === null && i.proc.signalCode === null ? new Promise((r) => i.proc.once('exit', r)) : null)));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db?.destroy();
  }, 30_000);

  it('a change made through instance B reaches a subscriber on instance A', async () => {
    const [a, b] = instances as [Instance, Instance];
    const f = await submitOn(b);
    const client = wsClient(a.ws, { channelKey });
    const sub = collect(client, PROGRESS, { code: f.code, key: f.key, after: '1' }, 'feedbackProgress');
    const r = await gql(b, TRANSITION, { input: { ticketId: f.ticketId, status: 'ACKNOWLEDGED' } }, { authorization: `Bearer ${staffToken}` });
    expect(r.data!.transitionTicket.__typename).toBe('TicketPayload');
    const t0 = Date.now();
    await waitFor(() => sub.received.events.length === 1, 5000, 'the event on the other instance');
    // Through the Redis ring, not the 1 s poll.
    expect(Date.now() - t0).toBeLessThan(900);
    expect(sub.received.events[0]).toMatchObject({ toStatus: 'ACKNOWLEDGED', cursor: '2' });
    sub.dispose();
    await client.dispose();
  });

  it('revoking a staff member through instance B ends their subscription on instance A at once', async () => {
    const [a, b] = instances as [Instance, Instance];
    const identity = new Identity({ db: db.db, secretKey: Buffer.from(secretHex, 'hex'), staffSessionTtlSeconds: 3600 });
    const member = await createStaff(db.db, identity, { email: 'watcher@cluster.test', role: 'SUPERVISOR', department: null });
    const client = wsClient(a.ws, { authorization: `Bearer ${member.token}` });
    const [{ max }] = (await db.db.execute(sql`select coalesce(max(id), 0)::text as max from timeline_events`) as any).rows
      ?? (await db.db.execute(sql`select coalesce(max(id), 0)::text as max from timeline_events`));
    // From the current end: an event committed through B after this point reaches A, replayed or live.
    const sub = collect(client, TICKET_EVENTS, { after: max }, 'ticketEvents');
    await submitOn(b);
    await waitFor(() => sub.received.events.length >= 1, 10_000, 'an event on instance A');
    const { encodeGlobalID } = await import('@pothos/plugin-relay');
    const r = await gql(b, 'mutation($i: RevokeStaffSessionsInput!) { revokeStaffSessions(input: $i) { __typename } }', { i: { id: encodeGlobalID('Staff', member.staff.id) } }, { authorization: `Bearer ${adminToken}` });
    expect(r.data!.revokeStaffSessions.__typename).toBe('Staff');
    // Instances re-check every 10 s by default; the revocation signal through Redis ends it well before.
    await Promise.race([sub.done, sleep(5000).then(() => { throw new Error('stream on A still open 5 s after revocation through B'); })]);
    expect(JSON.stringify(sub.received.errors)).toContain('FORBIDDEN');
    await client.dispose();
  });

  it('after SIGKILL of its instance, a client resumes on the survivor with its last cursor: every event exactly once, in order', async () => {
    const [a, b] = instances as [Instance, Instance];
    const f = await submitOn(b);
    let target = a.ws;
    const client = wsClient(() => target, { channelKey }, {
      retryAttempts: 20,
      shouldRetry: () => true,
      retryWait: () => sleep(150),
    });
    // What a client (and the SDK) does: keep the last cursor in the subscription's variables, which
    // graphql-ws sends again when it re-subscribes after a reconnect.
    const sub = collect(client, PROGRESS, { code: f.code, key: f.key, after: '1' }, 'feedbackProgress', 'cursor');
    const origNext = sub.received.events;
    const writes = 40;
    const writer = (async () => {
      for (let i = 1; i <= writes; i++) {
        const r = await gql(b, ADD_NOTE, { input: { ticketId: f.ticketId, body: `update ${i}`, visibility: i % 5 === 0 ? 'INTERNAL' : 'PUBLIC' } }, { authorization: `Bearer ${staffToken}` });
        expect(r.data!.addTicketNote.__typename).toBe('TicketPayload');
        if (i === 12) {
          await waitFor(() => origNext.length >= 3, 5000, 'some events on A');
          target = b.ws;
          a.proc.kill('SIGKILL');
        }
        await sleep(25);
      }
    })();
    await writer;
    const { rows } = (await db.db.execute(sql`select te.position from timeline_events te join feedback f on f.id = te.feedback_id
      where f.tracking_code = ${f.code} and te.visibility = 'PUBLIC' and te.position > 1 order by te.position`)) as unknown as { rows: { position: number }[] };
    const expected = rows.map((r) => String(r.position));
    expect(expected).toHaveLength(writes - writes / 5);
    // A sentinel after the writes: once it arrives, any duplicate or stray event would have arrived before it.
    const s = await gql(b, ADD_NOTE, { input: { ticketId: f.ticketId, body: 'sentinel', visibility: 'PUBLIC' } }, { authorization: `Bearer ${staffToken}` });
    expect(s.data!.addTicketNote.__typename).toBe('TicketPayload');
    await waitFor(() => origNext.some((e) => e.body === 'sentinel'), 15_000, 'the sentinel after the failover');
    const received = origNext.slice(0, -1).map((e) => e.cursor);
    expect(origNext.at(-1)!.body).toBe('sentinel');
    expect(a.proc.signalCode).toBe('SIGKILL');
    expect(received).toEqual(expected);
    expect(origNext.every((e) => e.visibility === 'PUBLIC')).toBe(true);
    sub.dispose();
    await client.dispose();
  }, 60_000);
});
