// A small deployment with one object of each kind, and every kind of caller: shared by the visibility
// matrix and the schema walk. The expected rules below are the specification (docs/security.md,
// "Who can see what"), written independently of src/schema/access.ts.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { attachments, attachmentUploads, feedback, replyTemplates, tickets, timelineEvents } from '@closeloop/db';
import { API_SCOPES } from '@closeloop/domain';
import { createApiKey, createStaff } from '../src/admin.ts';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';

export interface Principal {
  name: string;
  headers: Record<string, string>;
  kind: 'ANONYMOUS' | 'CUSTOMER' | 'STAFF' | 'PARTNER';
  customerId?: string;
  staff?: { id: string; role: string; departmentId: string | null };
  scopes?: string[];
  /** Feedback whose access key this caller holds (anonymous submitter). */
  accessKey?: { trackingCode: string; key: string; feedbackId: string };
}

export interface FeedbackFacts { id: string; customerId: string | null; departmentId: string | null; assigneeId: string | null }

export interface World {
  env: TestEnv;
  principals: Principal[];
  feedback: Record<'A' | 'B' | 'N' | 'C', { id: string; trackingCode: string; ticketId: string; accessKey: string | null }>;
  departments: Record<string, string>;
  facts(feedbackId: string): Promise<FeedbackFacts>;
}

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const raw = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':').slice(1).join(':');

export async function buildWorld(): Promise<World> {
  const env = await setup();
  const channel = { 'x-closeloop-channel': env.channel.publishableKey };
  const db = env.handle.db;
  const depts = Object.fromEntries((await db.query.departments.findMany()).map((d) => [d.code, d.id]));

  const aliceToken = await env.customerToken('alice', { name: 'Alice', phone_number: '13800138000', email: 'alice@bank.com' });
  const bobToken = await env.customerToken('bob', { name: 'Bob', phone_number: '13900139000', email: 'bob@bank.com' });
  const submit = async (input: Record<string, unknown>, headers: Record<string, string>) => {
    const r = await env.gql(SUBMIT, { input }, headers);
    const p = r.data?.submitFeedback;
    if (!p?.trackingCode) throw new Error(`fixture submission failed: ${JSON.stringify(r)}`);
    const [row] = await db.select({ ticketId: feedback.ticketId }).from(feedback).where(eq(feedback.id, raw(p.feedback.id)));
    return { id: raw(p.feedback.id), trackingCode: p.trackingCode as string, ticketId: row!.ticketId, accessKey: p.accessKey as string | null };
  };
  const f = {
    A: await submit({ kind: 'COMPLAINT', content: 'The queue at the branch was far too long today', contact: { phone: '13800138000', email: 'alice@bank.com' } }, { ...channel, ...bearer(aliceToken) }),
    B: await submit({ kind: 'INQUIRY', content: 'When does the branch open on Sunday?' }, { ...channel, ...bearer(bobToken) }),
    N: await submit({ kind: 'INQUIRY', content: 'Anonymous question about opening hours', contact: { phone: '13700137000', email: 'anon@mail.com' } }, channel),
    C: await submit({ kind: 'COMPLAINT', content: 'My loan repayment was charged twice this month' }, { ...channel, ...bearer(aliceToken) }),
  };
  // The loan complaint goes to the credit department; the others to customer service.
  await db.update(tickets).set({ departmentId: depts.CREDIT }).where(eq(tickets.id, f.C.ticketId));
  await db.update(tickets).set({ departmentId: depts.CUSTOMER_SERVICE }).where(eq(tickets.id, f.A.ticketId));

  const staffP = async (name: string, role: string, dept: string | null): Promise<Principal> => {
    const r = await createStaff(db, env.app.identity, { email: `${name.toLowerCase().replace(/[^a-z]+/g, "-")}@world.dev`, role, department: dept });
    return { name, kind: 'STAFF', headers: bearer(r.token), staff: { id: r.staff.id, role, departmentId: dept ? depts[dept]! : null } };
  };
  const supervisor = await staffP('SUPERVISOR', 'SUPERVISOR', 'CUSTOMER_SERVICE');
  const note = (ticketId: string, body: string, visibility: string) =>
    env.gql(`mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { __typename } }`, { i: { ticketId: gid('Ticket', ticketId), body, visibility } }, supervisor.headers);
  for (const x of [f.A, f.N, f.C]) await note(x.ticketId, `INTERNAL: account 6222 0000 1111 (${x.trackingCode})`, 'INTERNAL');
  await note(f.A.ticketId, 'We are looking into the queue times.', 'PUBLIC');
  // One attachment on every event (PUBLIC and INTERNAL): each must be visible exactly as its event.
  for (const e of await db.select().from(timelineEvents)) {
    const uploadId = randomUUID();
    await db.insert(attachmentUploads).values({
      id: uploadId, ticketId: e.ticketId, feedbackId: e.feedbackId, uploaderScope: 'world', filename: `e${e.id}.png`, mediaType: 'image/png', size: 1, sha256: '0', usedAt: new Date(),
    });
    await db.insert(attachments).values({ eventId: e.id, uploadId, filename: `e${e.id}.png`, mediaType: 'image/png', size: 1 });
  }

  const principals: Principal[] = [
    { name: 'anonymous', kind: 'ANONYMOUS', headers: channel },
    { name: 'anonymous with access key', kind: 'ANONYMOUS', headers: channel, accessKey: { trackingCode: f.N.trackingCode, key: f.N.accessKey!, feedbackId: f.N.id } },
    { name: 'customer A', kind: 'CUSTOMER', headers: { ...channel, ...bearer(aliceToken) }, customerId: (await db.select({ c: feedback.customerId }).from(feedback).where(eq(feedback.id, f.A.id)))[0]!.c! },
    { name: 'customer B', kind: 'CUSTOMER', headers: { ...channel, ...bearer(bobToken) }, customerId: (await db.select({ c: feedback.customerId }).from(feedback).where(eq(feedback.id, f.B.id)))[0]!.c! },
    await staffP('AGENT of another department', 'AGENT', 'CREDIT'),
    await staffP('AGENT of the department', 'AGENT', 'CUSTOMER_SERVICE'),
    await staffP('AUDITOR', 'AUDITOR', null),
    await staffP('ADMIN', 'ADMIN', null),
    supervisor,
  ];
  for (const scope of API_SCOPES) {
    const { apiKey } = await createApiKey(db, { name: `partner ${scope}`, scopes: [scope] });
    principals.push({ name: `partner ${scope}`, kind: 'PARTNER', headers: bearer(apiKey), scopes: [scope] });
  }

  await db.insert(replyTemplates).values({ name: 'Acknowledge', locale: 'en', body: 'We are looking into {{trackingCode}}.' });
  return {
    env,
    principals,
    feedback: f,
    departments: depts,
    async facts(feedbackId) {
      const [row] = await db
        .select({ id: feedback.id, customerId: feedback.customerId, departmentId: tickets.departmentId, assigneeId: tickets.assigneeId })
        .from(feedback).innerJoin(tickets, eq(tickets.id, feedback.ticketId)).where(eq(feedback.id, feedbackId));
      return row!;
    },
  };
}

// ---- The specification -------------------------------------------------------------------------

const has = (p: Principal, ...scopes: string[]) => p.kind === 'PARTNER' && scopes.some((s) => p.scopes!.includes(s));
const deptBound = (p: Principal) => p.kind === 'STAFF' && ['AGENT', 'SENIOR', 'EXPERT'].includes(p.staff!.role);

export function readsTicket(p: Principal, t: { departmentId: string | null; assigneeId: string | null }): boolean {
  if (p.kind === 'PARTNER') return has(p, 'tickets:read', 'tickets:write');
  if (p.kind !== 'STAFF') return false;
  return !deptBound(p) || t.departmentId === p.staff!.departmentId || t.assigneeId === p.staff!.id;
}

export function readsFeedback(p: Principal, f: FeedbackFacts, grants: Set<string>): boolean {
  if (grants.has(f.id)) return true;
  if (p.kind === 'CUSTOMER') return f.customerId === p.customerId;
  if (p.kind === 'PARTNER') return has(p, 'feedback:read', 'tickets:read', 'tickets:write');
  return readsTicket(p, f);
}

/** One rule per Node type: may principal `p` see object `id` (with `grants` proved in the request)? */
export type Rule = (w: World, p: Principal, id: string, grants: Set<string>) => Promise<boolean>;

const staffOr = (...scopes: string[]): Rule => async (_w, p) => p.kind === 'STAFF' || has(p, ...scopes);

export const RULES: Record<string, Rule> = {
  Feedback: async (w, p, id, grants) => readsFeedback(p, await w.facts(id), grants),
  TimelineEvent: async (w, p, id, grants) => {
    const [e] = await w.env.handle.db.select().from(timelineEvents).where(eq(timelineEvents.id, Number(id)));
    const f = await w.facts(e!.feedbackId);
    if (!readsFeedback(p, f, grants)) return false;
    return e!.visibility === 'PUBLIC' || readsTicket(p, f);
  },
  Attachment: async (w, p, id, grants) => {
    const [a] = await w.env.handle.db.select().from(attachments).where(eq(attachments.id, id));
    return RULES.TimelineEvent!(w, p, String(a!.eventId), grants);
  },
  Ticket: async (w, p, id) => {
    const [t] = await w.env.handle.db.select().from(tickets).where(eq(tickets.id, id));
    return readsTicket(p, t!);
  },
  Customer: async (_w, p, id) => (p.kind === 'CUSTOMER' ? p.customerId === id : p.kind === 'STAFF' || has(p, 'customers:read', 'customers:write')),
  Staff: staffOr('staff:read'),
  Department: staffOr('staff:read', 'workflow:read', 'tickets:read', 'tickets:write'),
  Tier: async () => true,
  BusinessCalendar: staffOr('workflow:read'),
  SlaPolicy: staffOr('workflow:read'),
  RoutingRule: staffOr('workflow:read'),
  ChannelApp: async (_w, p) => p.kind === 'STAFF' && ['ADMIN', 'SUPERVISOR', 'AUDITOR'].includes(p.staff!.role),
  ApiKey: async (_w, p) => p.kind === 'STAFF' && ['ADMIN', 'AUDITOR'].includes(p.staff!.role),
  // Canned replies are the institution's own wording: staff only.
  ReplyTemplate: async (_w, p) => p.kind === 'STAFF',
};

/** Every object of a Node type in the database, as the raw id its global ID encodes. */
export async function allIds(w: World, type: string): Promise<string[]> {
  const q = w.env.handle.db.query as Record<string, { findMany(o?: unknown): Promise<Array<{ id: string | number }>> }>;
  const table: Record<string, string> = {
    Feedback: 'feedback', TimelineEvent: 'timelineEvents', Ticket: 'tickets', Customer: 'customers', Staff: 'staff', Department: 'departments',
    Tier: 'tiers', BusinessCalendar: 'businessCalendars', SlaPolicy: 'slaPolicies', RoutingRule: 'routingRules',
    ChannelApp: 'channelApps', ApiKey: 'apiKeys', Attachment: 'attachments', ReplyTemplate: 'replyTemplates',
  };
  if (!table[type] || !q[table[type]!]) return [];
  return (await q[table[type]!]!.findMany({ columns: { id: true } })).map((r) => String(r.id));
}

export { gid, raw };

/** A subscription over SSE: `next()` gives each message's payload (`{ data, errors }`), null at the end. */
export async function openSse(env: TestEnv, headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}) {
  const res = await env.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const status = res.status;
  if (!res.body || !res.headers.get('content-type')?.includes('text/event-stream')) {
    const text = await res.text();
    const once = [{ status, ...(text.startsWith('{') ? JSON.parse(text) : {}) }];
    return { status, next: async () => once.shift() ?? null, close: async () => {} };
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    status,
    async next(): Promise<{ status: number; data?: any; errors?: any[] } | null> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (\w+)/m.exec(block)?.[1];
          const data = /^data:(.*)$/m.exec(block)?.[1];
          if (event === 'complete') return null;
          if (event === 'next' && data) return { status, ...JSON.parse(data) };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    close: () => reader.cancel().catch(() => {}),
  };
}
