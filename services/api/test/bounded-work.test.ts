// Issue 10, bounded work per request: receivedAt limits, calendar limits, the execution timeout on
// both HTTP paths, /health answering while the server is asked for long computations, the sweep
// going past a ticket whose clock cannot be measured, and holiday coverage in the API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createSchema, createYoga } from 'graphql-yoga';
import { feedback, tickets } from '@closeloop/db';
import { SlaSweeper } from '../src/services/escalation.ts';
import { useExecutionTimeout } from '../src/plugins/execution-timeout.ts';
import { createDirectGraphQL } from '../src/http-graphql.ts';
import { prereadJsonBody } from '../src/http-body.ts';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';

let env: TestEnv;
let admin: string;
let agent: string;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

beforeAll(async () => {
  env = await setup({ executionTimeoutMs: 2000 });
  admin = (await env.staffToken('ADMIN')).token;
  agent = (await env.staffToken('AGENT')).token;
});
afterAll(() => env.close());

const submit = (receivedAt: string) =>
  env.gql(SUBMIT, { input: { kind: 'COMPLAINT', channel: 'PHONE', content: 'Caller reports a failed transfer', receivedAt } }, bearer(agent));

describe('receivedAt limits', () => {
  it.each([
    ['1000-01-01', '1000-01-01T00:00:00Z', 'TOO_OLD'],
    ['400 days ago', ago(400), 'TOO_OLD'],
    ['far future', '9999-12-31T23:59:59Z', 'IN_FUTURE'],
    ['two minutes ahead', new Date(Date.now() + 120_000).toISOString(), 'IN_FUTURE'],
  ])('%s is a typed field error, answered at once', async (_name, receivedAt, code) => {
    const t0 = performance.now();
    const r = await submit(receivedAt);
    expect(performance.now() - t0).toBeLessThan(5000); // generous; was 54 s to 143 s
    expect(r.errors).toBeUndefined();
    expect(r.data.submitFeedback.fieldErrors).toEqual([expect.objectContaining({ path: ['input', 'receivedAt'], code })]);
  });

  it('year 0 is refused by the DateTime scalar itself, at once', async () => {
    const t0 = performance.now();
    const r = await submit('0000-01-01T00:00:00Z');
    expect(performance.now() - t0).toBeLessThan(5000); // was 143 s, then INTERNAL_SERVER_ERROR
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('300 days back is accepted', async () => {
    const r = await submit(ago(300));
    expect(r.data.submitFeedback.__typename).toBe('SubmitFeedbackPayload');
  });
});

describe('calendar limits', () => {
  const CREATE = 'mutation($i: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $i) { __typename ... on ValidationError { fieldErrors { path code } } } }';
  it('refuses a calendar with one working minute a week', async () => {
    const r = await env.gql(CREATE, { i: { code: 'TINY', timeZone: 'Europe/London', weeklyHours: [{ weekday: 1, intervals: [{ start: '09:00', end: '09:01' }] }] } }, bearer(admin));
    expect(r.data.createBusinessCalendar).toEqual({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'weeklyHours'], code: 'TOO_LITTLE_WORKING_TIME' }] });
  });

  it('refuses instants outside 1970–2399 in calendar queries with a typed error', async () => {
    const r = await env.gql('{ businessCalendars { addBusinessMinutes(from: "1000-01-01T00:00:00Z", minutes: 60) } }', {}, bearer(admin));
    expect(r.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(r.errors?.[0]?.message).toMatch(/supported years/);
  });
});

describe('execution timeout', () => {
  // A toy schema with a resolver that would take 5 s, served on both HTTP paths like the real server.
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { slow: String, fast: String } type Mutation { slowWrite: String }',
      resolvers: {
        Query: { slow: () => new Promise((r) => setTimeout(r, 5000, 'late')), fast: () => 'ok' },
        Mutation: { slowWrite: () => new Promise((r) => setTimeout(r, 400, 'written')) },
      },
    }),
    plugins: [useExecutionTimeout({ ms: 150 })],
  });
  let direct = 0;
  const handle = createDirectGraphQL({ yoga: yoga as never, endpoint: '/graphql', viewerOf: async () => ({ kind: 'ANONYMOUS', channel: null }) });
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      await prereadJsonBody(req);
      if (await handle(req, res)) direct++;
      else await yoga(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = async (query: string, extra: Record<string, unknown> = {}) => {
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify({ query, ...extra }) });
    return { status: res.status, body: (await res.json()) as any, ms: performance.now() - t0 };
  };

  it('answers TIMEOUT on the direct JSON path', async () => {
    const before = direct;
    const r = await post('{ slow }');
    expect(direct).toBe(before + 1);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: null, errors: [expect.objectContaining({ extensions: { code: 'TIMEOUT' } })] });
    expect(r.ms).toBeLessThan(3000);
  });

  it("answers TIMEOUT on Yoga's own path", async () => {
    const before = direct;
    const r = await post('{ slow }', { extensions: {} }); // extensions: the direct path hands it to Yoga
    expect(direct).toBe(before);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: null, errors: [expect.objectContaining({ extensions: { code: 'TIMEOUT' } })] });
    expect(r.ms).toBeLessThan(3000);
  });

  it('leaves fast queries and mutations alone (a write is never answered before it finishes)', async () => {
    expect((await post('{ fast }')).body).toEqual({ data: { fast: 'ok' } });
    expect((await post('mutation { slowWrite }')).body).toEqual({ data: { slowWrite: 'written' } });
  });

  it('/health keeps answering while the real server is asked for long computations', async () => {
    const port = await env.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    const gql = (query: string, variables?: unknown) => fetch(`${base}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...bearer(admin) }, body: JSON.stringify({ query, variables }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    // What used to block the event loop for a minute each: a back-dated submission, year 0, and
    // due times a century and a half away on a calendar with an hour a week.
    await env.gql('mutation($i: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $i) { __typename } }',
      { i: { code: 'HOUR', timeZone: 'Europe/London', weeklyHours: [{ weekday: 1, intervals: [{ start: '09:00', end: '10:00' }] }] } }, bearer(admin));
    const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: addBusinessMinutes(from: "${1971 + i}-01-0${1 + (i % 9)}T00:00:00Z", minutes: 527040)`).join(' ');
    const health = async () => {
      const t0 = performance.now();
      await (await fetch(`${base}/health`)).text();
      return performance.now() - t0;
    };
    // The same probe with nothing else running: on a loaded shared machine even that is slow.
    const idle: number[] = [];
    for (let i = 0; i < 15; i++) idle.push(await health());
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    let stop = false;
    const latencies: number[] = [];
    const poll = (async () => {
      while (!stop) {
        const t0 = performance.now();
        const res = await fetch(`${base}/health`);
        await res.text();
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const t0 = performance.now();
    const results = await Promise.all([
      gql(SUBMIT, { input: { kind: 'COMPLAINT', channel: 'PHONE', content: 'back-dated', receivedAt: '1000-01-01T00:00:00Z' } }),
      gql(SUBMIT, { input: { kind: 'COMPLAINT', channel: 'PHONE', content: 'year zero', receivedAt: '0000-01-01T00:00:00Z' } }),
      gql(`{ businessCalendars { code ${aliases} } }`),
      gql(`{ businessCalendars { code ${aliases} } }`),
    ]);
    const elapsed = performance.now() - t0;
    stop = true;
    await poll;
    for (const r of results) {
      expect(r.status).toBeLessThan(500);
      for (const e of r.body.errors ?? []) expect(e.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    }
    expect(results[0]!.body.data.submitFeedback.fieldErrors[0].code).toBe('TOO_OLD');
    expect(results[1]!.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(results[2]!.body.data.businessCalendars.find((c: any) => c.code === 'HOUR').a0).toMatch(/^21/);
    expect(elapsed).toBeLessThan(2000 + 3000); // within the execution timeout, plus a generous margin
    expect(latencies.length).toBeGreaterThan(0);
    if (process.env.DEBUG_BOUNDS) console.log({ idle: median(idle), loaded: median(latencies), max: Math.max(...latencies), elapsed });
    // Target: /health within 100 ms. The bounds allow for a loaded shared machine (relative to the idle
    // latency measured above: the embedded database runs in this process too); a blocked event loop
    // (the old behaviour) took tens of seconds.
    expect(median(latencies)).toBeLessThan(Math.max(100, 10 * median(idle)));
    expect(Math.max(...latencies)).toBeLessThan(Math.max(1500, 50 * median(idle)));
  });
});

describe('sweep', () => {
  it('does not stall on a ticket whose clock cannot be measured (stored before receivedAt was bounded)', async () => {
    const bad = await submit(ago(10));
    const good = await submit(ago(10));
    const ticketOf = async (code: string) => (await env.handle.db.select().from(feedback).where(eq(feedback.trackingCode, code)))[0]!.ticketId!;
    const badId = await ticketOf(bad.data.submitFeedback.trackingCode);
    const goodId = await ticketOf(good.data.submitFeedback.trackingCode);
    const past = new Date(Date.now() - 60_000);
    await env.handle.db.update(tickets).set({ receivedAt: new Date('1000-01-01T00:00:00Z'), slaNextCheckAt: new Date(past.getTime() - 1000) }).where(eq(tickets.id, badId));
    const sweeper = new SlaSweeper(env.handle.db, () => {});
    const t0 = performance.now();
    const r = await sweeper.sweepOnce();
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r.tickets).toBeGreaterThanOrEqual(2);
    const [b] = await env.handle.db.select().from(tickets).where(eq(tickets.id, badId));
    const [g] = await env.handle.db.select().from(tickets).where(eq(tickets.id, goodId));
    expect(b!.slaNextCheckAt).toBeNull();
    expect(g!.firstResponseBreachedAt).not.toBeNull(); // 10 days old: breached and recorded
  });
});

describe('holiday coverage', () => {
  const SLA = 'query($id: ID!) { node(id: $id) { ... on Ticket { sla { calendarCoverage holidaysCoveredUntil resolutionDueAt } } } }';
  it('flags a ticket whose clock runs into a year without holidays, reports the calendar, and clears after an import', async () => {
    // 60 working days: the due time lies in a year whose holidays the default calendar does not list.
    await env.gql('mutation { setSlaPolicy(input: { kind: INQUIRY, firstResponseMinutes: 480, resolutionMinutes: 28800 }) { __typename } }', {}, bearer(admin));
    const r = await env.gql(SUBMIT, { input: { kind: 'INQUIRY', channel: 'PHONE', content: 'When does the new branch open?' } }, bearer(agent));
    const [f] = await env.handle.db.select().from(feedback).where(eq(feedback.trackingCode, r.data.submitFeedback.trackingCode));
    const { encodeGlobalID } = await import('@pothos/plugin-relay');
    const id = encodeGlobalID('Ticket', f!.ticketId!);
    const before = await env.gql(SLA, { id }, bearer(admin));
    expect(before.data.node.sla.calendarCoverage).toBe('HOLIDAYS_MISSING');

    const health = await env.gql('{ systemHealth(withinDays: 400) { healthy calendarCoverage { calendar { code holidayYears } daysLeft openTickets message } } }', {}, bearer(admin));
    expect(health.data.systemHealth.healthy).toBe(false);
    expect(health.data.systemHealth.calendarCoverage).toContainEqual(expect.objectContaining({ calendar: { code: 'CN_MAINLAND', holidayYears: [2026] } }));
    expect((await env.gql('{ systemHealth { healthy } }', {}, bearer(agent))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // A test fixture, not real data: one day per year from this year on, so every year the clock touches is listed.
    const year = new Date().getUTCFullYear();
    const years = Object.fromEntries([year, year + 1, year + 2].map((y) => [y, { holidays: [{ from: `${y}-01-01`, to: `${y}-01-01` }], workingDays: [] }]));
    const cal = await env.gql('{ businessCalendars { id code } }', {}, bearer(admin));
    const cn = cal.data.businessCalendars.find((c: any) => c.code === 'CN_MAINLAND');
    const bad = await env.gql('mutation($i: ImportHolidaysInput!) { importHolidays(input: $i) { __typename ... on ValidationError { fieldErrors { path code } } } }',
      { i: { calendarId: cn.id, data: '{"years": {"2027": {"holidays": [{"from": "2027-02-01", "to": "2027-01-01"}], "workingDays": []}}}' } }, bearer(admin));
    expect(bad.data.importHolidays).toEqual({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'data'], code: 'INVALID' }] });
    const ok = await env.gql('mutation($i: ImportHolidaysInput!) { importHolidays(input: $i) { __typename ... on BusinessCalendar { holidayYears holidaysCoveredUntil } } }',
      { i: { calendarId: cn.id, data: JSON.stringify({ years }) } }, bearer(admin));
    expect(ok.data.importHolidays).toMatchObject({ __typename: 'BusinessCalendar', holidaysCoveredUntil: `${year + 2}-12-31` });
    expect(ok.data.importHolidays.holidayYears).toEqual(expect.arrayContaining([year, year + 1, year + 2]));
    const after = await env.gql(SLA, { id }, bearer(admin));
    expect(after.data.node.sla.calendarCoverage).toBe('COVERED');
  });
});
