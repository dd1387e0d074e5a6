// The visibility matrix, generated from the schema: every type implementing Node, for every kind of
// caller, through node(id) and through every list and nested path from the root fields. A Node type
// without a rule in world.ts (RULES) fails here, so no new type ships without its rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isObjectType, type GraphQLObjectType } from 'graphql';
import { schema } from '../src/schema/index.ts';
import { eq } from 'drizzle-orm';
import { tickets } from '@closeloop/db';
import { allIds, buildWorld, gid, openSse, raw, RULES, type Principal, type World } from './world.ts';
import { objectsIn, runSplitting, selectionsOf, type Sel } from './schema-tools.ts';

const nodeTypes = Object.values(schema.getTypeMap())
  .filter((t): t is GraphQLObjectType => isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Node'))
  .map((t) => t.name)
  .sort();

let w: World;
beforeAll(async () => {
  w = await buildWorld();
}, 120_000);
afterAll(() => w?.env.close());

const ALLOWED_REFUSALS = new Set(['FORBIDDEN', 'NOT_FOUND']);

function refusalsOnly(errors: any[] | undefined, what: string) {
  for (const e of errors ?? []) {
    expect(ALLOWED_REFUSALS.has(e.extensions?.code), `${what}: unexpected error ${JSON.stringify(e)}`).toBe(true);
  }
}

describe('every Node type', () => {
  it('has a visibility rule and at least one object in the test world', async () => {
    expect(nodeTypes.filter((t) => !RULES[t]), 'Node types without a rule in test/world.ts RULES').toEqual([]);
    for (const t of nodeTypes) expect((await allIds(w, t)).length, `no ${t} in the test world`).toBeGreaterThan(0);
  });
});

describe('node(id)', () => {
  it('returns an object exactly when its rule lets the caller see it', async () => {
    const objects = (await Promise.all(nodeTypes.map(async (t) => (await allIds(w, t)).map((id) => ({ type: t, id }))))).flat();
    const mismatches: string[] = [];
    for (const p of w.principals) {
      for (let i = 0; i < objects.length; i += 20) {
        const chunk = objects.slice(i, i + 20);
        const doc = `{ ${chunk.map((o, j) => `n${j}: node(id: "${gid(o.type, o.id)}") { __typename id }`).join(' ')} }`;
        const r = await w.env.gql(doc, {}, p.headers);
        expect(r.status, `${p.name}: ${JSON.stringify(r.errors)}`).toBeLessThan(500);
        refusalsOnly(r.errors, `${p.name} node(id)`);
        for (const [j, o] of chunk.entries()) {
          const seen = r.data?.[`n${j}`]?.id === gid(o.type, o.id);
          const expected = await RULES[o.type]!(w, p, o.id, new Set());
          if (seen !== expected) mismatches.push(`${p.name} ${seen ? 'sees' : 'does not see'} ${o.type} ${o.id}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 300_000);
});

/** Arguments for the generated paths: small pages, and the tracking codes each caller might try. */
function argValues(trackingCode: string, accessKey: string | null) {
  return (a: { name: string }, f: { name: string }) => {
    if (a.name === 'first') return '3';
    if (f.name === 'trackFeedback' && a.name === 'trackingCode') return JSON.stringify(trackingCode);
    if (f.name === 'trackFeedback' && a.name === 'accessKey') return accessKey ? JSON.stringify(accessKey) : undefined;
    if (a.name === 'date') return '"2026-05-01"';
    if (a.name === 'from') return '"2026-05-01T09:00:00Z"';
    if (a.name === 'minutes') return '60';
    return undefined;
  };
}

describe('every list and nested path', () => {
  it('returns no object its rule hides from the caller', async () => {
    const query = schema.getQueryType()!;
    const leaks: string[] = [];
    const reached = new Set<string>();
    for (const p of w.principals) {
      // trackFeedback once per feedback, with the access key where this caller holds it.
      const codes = Object.values(w.feedback).map((f) => ({
        code: f.trackingCode,
        key: p.accessKey?.trackingCode === f.trackingCode ? p.accessKey.key : null,
        feedbackId: f.id,
      }));
      for (const c of codes) {
        const grants = new Set(c.key ? [c.feedbackId] : []);
        const opts = { schema, maxDepth: 4, leaves: 'ids' as const, args: argValues(c.code, c.key) };
        const roots: Sel[] = selectionsOf(query, opts, 0, ['Query']).filter((s) => !s.text.startsWith('node') && s.text !== '__typename');
        // Only trackFeedback depends on the code: the other roots once per caller.
        const wanted = c === codes[0] ? roots : roots.filter((s) => s.text.startsWith('trackFeedback'));
        for (const root of wanted) {
          await runSplitting((inner) => `{ ${root.text} { ${inner} } }`, root.children, async (doc) => {
            const r = await w.env.gql(doc, {}, p.headers);
            expect(r.status, `${p.name}: ${doc}\n${JSON.stringify(r.errors)}`).toBeLessThan(500);
            if (r.errors?.some((e: any) => /depth|cost|token|alias/i.test(e.message) && !e.path)) return 'too-large';
            refusalsOnly(r.errors, `${p.name}: ${doc}`);
            for (const o of objectsIn(r.data)) {
              if (!RULES[o.type]) continue;
              reached.add(o.type);
              if (!(await RULES[o.type]!(w, p, raw(o.id), grants))) leaks.push(`${p.name} got ${o.type} ${raw(o.id)} through ${root.text}`);
            }
            return 'ok';
          });
        }
      }
    }
    expect([...new Set(leaks)]).toEqual([]);
    // The paths really reach every Node type (for someone).
    expect(nodeTypes.filter((t) => !reached.has(t))).toEqual([]);
  }, 600_000);
});

describe('subscriptions', () => {
  /**
   * Streams replay from `after: "0"` in id order, so each caller's stream ends with the last event it
   * may see; the sentinel (a reply on a ticket every staff member and ticket-reading key may read,
   * committed last) tells the caller's stream is complete: no waiting for "nothing else".
   */
  it('ticketEvents and feedbackProgress deliver exactly the events the TimelineEvent rule allows', async () => {
    const db = w.env.handle.db;
    const csAgent = w.principals.find((p) => p.name === 'AGENT of the department')!;
    // The credit ticket, assigned to the customer-service agent: readable by both departments' agents.
    await db.update(tickets).set({ assigneeId: csAgent.staff!.id }).where(eq(tickets.id, w.feedback.C.ticketId));
    const admin = w.principals.find((p) => p.name === 'ADMIN')!;
    await w.env.gql(`mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { __typename } }`,
      { i: { ticketId: gid('Ticket', w.feedback.C.ticketId), body: 'Sentinel reply', visibility: 'PUBLIC' } }, admin.headers);
    const events = await db.query.timelineEvents.findMany({ orderBy: { id: 'asc' } });
    const problems: string[] = [];

    const follow = async (p: Principal, doc: string, vars: Record<string, unknown>, expected: string[], label: string) => {
      const stream = await openSse(w.env, p.headers, doc, vars);
      try {
        const got: string[] = [];
        while (got.length < expected.length) {
          // A generous bound so a missing event fails this test instead of hanging it.
          const m = await Promise.race([stream.next(), new Promise<'timeout'>((r) => setTimeout(r, 30_000, 'timeout'))]);
          if (m === 'timeout') {
            problems.push(`${p.name} ${label}: no event after ${got.length}/${expected.length} (waiting for ${expected.filter((e) => !got.includes(e)).join(', ')})`);
            return;
          }
          if (!m || m.errors) {
            problems.push(`${p.name} ${label}: stream ended after ${got.length}/${expected.length} (${JSON.stringify(m?.errors)})`);
            return;
          }
          const id = raw((Object.values(m.data)[0] as { id: string }).id);
          got.push(id);
          if (!expected.includes(id)) problems.push(`${p.name} ${label}: got event ${id}`);
        }
      } finally {
        await stream.close();
      }
    };
    const refused = async (p: Principal, doc: string, vars: Record<string, unknown>, label: string) => {
      const stream = await openSse(w.env, p.headers, doc, vars);
      try {
        const m = await Promise.race([stream.next(), new Promise<null>((r) => setTimeout(r, 30_000, null))]);
        if (!m?.errors?.length || m.data?.[Object.keys(m.data ?? {})[0] ?? '']) problems.push(`${p.name} ${label}: not refused (${JSON.stringify(m)})`);
        refusalsOnly(m?.errors, `${p.name} ${label}`);
      } finally {
        await stream.close();
      }
    };

    for (const p of w.principals) {
      const visible: string[] = [];
      for (const e of events) if (await RULES.TimelineEvent!(w, p, String(e.id), new Set())) visible.push(String(e.id));
      const queue = `subscription { ticketEvents(after: "0") { id } }`;
      if (p.kind === 'STAFF' || p.scopes?.some((s) => s === 'tickets:read' || s === 'tickets:write')) {
        expect(visible.at(-1), `${p.name} sees the sentinel`).toBe(String(events.at(-1)!.id));
        await follow(p, queue, {}, visible, 'ticketEvents');
      } else {
        await refused(p, queue, {}, 'ticketEvents');
      }
      for (const f of Object.values(w.feedback)) {
        const key = p.accessKey?.feedbackId === f.id ? p.accessKey.key : null;
        const grants = new Set(key ? [f.id] : []);
        const doc = `subscription($c: String!, $k: String) { feedbackProgress(trackingCode: $c, accessKey: $k, after: "0") { id } }`;
        const vars = { c: f.trackingCode, k: key };
        const mine: string[] = [];
        for (const e of events) {
          if (e.feedbackId === f.id && e.visibility === 'PUBLIC' && (await RULES.TimelineEvent!(w, p, String(e.id), grants))) mine.push(String(e.id));
        }
        if (mine.length) await follow(p, doc, vars, mine, `feedbackProgress ${f.trackingCode}`);
        else await refused(p, doc, vars, `feedbackProgress ${f.trackingCode}`);
      }
    }
    await db.update(tickets).set({ assigneeId: null }).where(eq(tickets.id, w.feedback.C.ticketId));
    expect(problems).toEqual([]);
  }, 600_000);
});

describe('the matrix holds for what matters most', () => {
  const principal = (name: string): Principal => w.principals.find((p) => p.name === name)!;
  const events = `query($c: String!, $k: String) { trackFeedback(trackingCode: $c, accessKey: $k) { timeline { visibility body } } }`;

  it('anonymous callers see a feedback and its PUBLIC events only with the tracking code and access key', async () => {
    const p = principal('anonymous with access key');
    const ok = await w.env.gql(events, { c: w.feedback.N.trackingCode, k: w.feedback.N.accessKey }, p.headers);
    expect(ok.data.trackFeedback.timeline.map((e: any) => e.visibility)).toEqual(['PUBLIC']);
    expect((await w.env.gql(events, { c: w.feedback.N.trackingCode }, p.headers)).data.trackFeedback).toBeNull();
  });

  it('an AGENT of another department reads no INTERNAL note by node(id), and the department\'s agent does', async () => {
    const notes = await w.env.handle.db.query.timelineEvents.findMany({ where: { visibility: 'INTERNAL' } });
    const other = principal('AGENT of another department');
    const own = principal('AGENT of the department');
    for (const n of notes) {
      const doc = `{ node(id: "${gid('TimelineEvent', String(n.id))}") { ... on TimelineEvent { body } } }`;
      const credit = n.feedbackId === w.feedback.C.id;
      expect(Boolean((await w.env.gql(doc, {}, other.headers)).data?.node), `note of ${n.feedbackId} for the credit agent`).toBe(credit);
      expect(Boolean((await w.env.gql(doc, {}, own.headers)).data?.node), `note of ${n.feedbackId} for the customer-service agent`).toBe(!credit);
    }
  });
});
