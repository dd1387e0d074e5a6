// The root fields a compiled document may select, each with the same arguments, authorization and
// answer as its resolver in schema/. A root turns its field's selection into prepared statements (one
// per Variant) and, per request, the argument values into parameters and the rows into the field's
// JSON text. Authorization is the resolver's own: the same predicates (access.ts) either as parameters
// of the statement or applied to the columns the statement returns beside the JSON.
import { randomBytes } from 'node:crypto';
import { normalizeTrackingCode } from '@closeloop/domain';
import { sql } from 'drizzle-orm';
import { Kind, getVariableValues, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type VariableNode } from 'graphql';
import type { Database } from '@closeloop/db';
import type { Viewer } from '../auth/identity.ts';
import type { Services } from '../services/index.ts';
import {
  NO_DEPARTMENT, canListTickets, canReadCustomer, canReadDepartment, canReadFeedback, canReadStaff, canReadTicket, departmentScope, mayEverSeeInternal, ticketScopeWhere,
} from '../policy/access.ts';
import { MAX_PAGE, argId } from '../schema/ids.ts';
import { objectSql, rootScope, type Variant } from './select.ts';
import { argument } from './args.ts';

export interface RunContext {
  db: Database;
  viewer: Viewer;
  services: Services;
  /**
   * The resolver's tracking-code / access-key limit (limits/abuse.ts accessCheck) for this request's
   * address; throws RateLimitedError. Called where the resolver calls it: before anything is read.
   */
  accessCheck(code: string): Promise<void>;
}

/**
 * A compiled root field for one request: undefined to let the schema answer (decided from the caller
 * and the variables alone, before anything is counted or read), else the work producing its JSON text.
 * The split lets the registry charge a partner's cost only for requests the compiled path answers.
 */
export type RootRun = (ctx: RunContext, variables: Record<string, unknown>) => (() => Promise<string>) | undefined;

export type Root = (op: OperationDefinitionNode, field: FieldNode, fragments: Record<string, FragmentDefinitionNode>, schema: GraphQLSchema) => RootRun | null;

/** The request's time, the windows and the marker, at placeholders $n… (see requestParams). */
const requestAt = (n: number) => ({ now: `$${n}`, reopen: `$${n + 1}`, review: `$${n + 2}`, marker: `$${n + 3}` });
/**
 * Timeline variants: PUBLIC only, all, scoped to the caller's tickets (its placeholders are $2 and $3),
 * the request's values from $4. Attachments are left to the schema for scoped staff: their rule reads the
 * ticket of each event, which a merge may have changed.
 */
const VARIANTS: Variant[] = [
  { timeline: 'public', request: requestAt(4), attachments: true },
  { timeline: 'all', request: requestAt(4), attachments: true },
  { timeline: { dept: '$2::uuid', staff: '$3::uuid' }, request: requestAt(4) },
];

/** Unguessable per process: text a customer writes cannot pass for a link to sign. */
const MARKER = `~${randomBytes(16).toString('hex')}:`;
const MARKED = new RegExp(`${MARKER}([0-9a-f-]{36}):([ait])`, 'g');
/** Parameter values for requestAt. */
const requestParams = (services: Services) => [Date.now(), services.conversation.reopenWindowMs, services.conversation.reviewWindowMs, MARKER];
/** Replaces the statement's markers with signed download paths, as the Attachment type's url, inlineUrl and thumbnailUrl. */
const signUrls = (json: string, services: Services) =>
  json.includes(MARKER)
    ? json.replace(MARKED, (_m, id: string, mode: string) => services.attachments.signedPath(id, mode === 't' ? 'thumbnail' : mode === 'i').path)
    : json;
/** The variant for a caller, as feedback.ts timelineWhere decides it. */
const variantOf = (v: Viewer) => (!mayEverSeeInternal(v) ? 0 : ticketScopeWhere(v) === null ? 1 : 2);
/** The parameters of the scoped variant. */
const scopeParams = (v: Viewer) => (v.kind === 'STAFF' ? [departmentScope(v), v.staff.id] : [null, null]);

/** One statement per variant (null where it does not compile: those callers are left to the schema), or null when none compiles. */
function perVariant(build: (variant: Variant) => string | null, variants = VARIANTS) {
  const texts = variants.map(build);
  return texts.some((t) => t !== null) ? texts.map((t) => (t === null ? null : statement(t))) : null;
}

/** Runs a fixed statement text with `$n` placeholders; the client prepares it and binds the parameters. */
function statement(text: string) {
  const parts = text.split(/\$(\d+)/);
  return async <T>(db: Database, params: unknown[]): Promise<T[]> => {
    const query = sql.join(parts.map((p, i) => (i % 2 === 0 ? sql.raw(p) : sql`${params[Number(p) - 1]}`)));
    const res = (await db.execute(query)) as unknown as T[] | { rows: T[] };
    return Array.isArray(res) ? res : res.rows;
  };
}

interface TrackRow { id: string; customer_id: string | null; department_id: string | null; assignee_id: string | null; json: string }

/** trackFeedback(trackingCode:, accessKey:) — schema/feedback.ts. */
const trackFeedback: Root = (op, field, fragments) => {
  const code = argument(op, field, 'trackingCode', 'String');
  const key = argument(op, field, 'accessKey', 'String');
  if (!code || !key || !field.selectionSet || field.arguments!.length !== [code, key].filter((a) => !a.absent).length) return null;
  const sel = field.selectionSet;
  const statements = perVariant((variant) => {
    const json = objectSql('Feedback', sel, rootScope('f', variant, fragments));
    // The columns beside the JSON are what canReadFeedback reads (the Feedback type's own selection).
    return json && `select f.id, f.customer_id, t.department_id, t.assignee_id, ${json}::text as json from feedback f join tickets t on t.id = f.ticket_id where f.tracking_code = $1 limit 1`;
  });
  if (!statements) return null;
  return (ctx, variables) => {
    const given = code.value(variables);
    const accessKey = key.value(variables);
    const run = statements[variantOf(ctx.viewer)];
    if (given === undefined || accessKey === undefined || !run) return undefined;
    return async () => {
      // As the resolver: every attempt counts (unknown codes, wrong keys, overlong codes) before the read.
      await ctx.accessCheck(given as string);
      const normalized = normalizeTrackingCode(given as string);
      if (normalized.length > 32) return 'null';
      const [row] = await run<TrackRow>(ctx.db, [normalized, ...scopeParams(ctx.viewer), ...requestParams(ctx.services)]);
      if (!row) return 'null';
      if (accessKey && ctx.services.feedback.verifyAccessKey(row.id, accessKey as string)) return signUrls(row.json, ctx.services);
      const f = { id: row.id, customerId: row.customer_id, ticket: { departmentId: row.department_id, assigneeId: row.assignee_id } };
      return canReadFeedback(ctx.viewer, new Set(), f) ? signUrls(row.json, ctx.services) : 'null';
    };
  };
};

/**
 * feedbacks(first:) for a signed-in customer: their own feedback, newest first (schema/feedback.ts,
 * feedbackWhere). Other callers, and pages the schema refuses, run through the schema.
 */
const feedbacks: Root = (op, field, fragments) => {
  const first = argument(op, field, 'first', 'Int');
  const after = argument(op, field, 'after', 'String');
  if (!first || first.absent || !after || field.arguments!.length !== (after.absent ? 1 : 2) || !field.selectionSet) return null;
  const sel = field.selectionSet;
  const ORDER = 'order by received_at desc, id desc';
  const statements = perVariant((variant) => {
    const json = objectSql('QueryFeedbacksConnection', sel, rootScope('f', variant, fragments));
    // after: at $13 and $14 as in the queue (select.ts PageInfo reads $13).
    return json && `select ${json}::text as json from (select q.*, row_number() over (${ORDER}) as rn from (select * from feedback where customer_id = $1`
      + ` and ($13::bigint is null or (received_at, id) < (timestamptz 'epoch' + $13::bigint * interval '1 millisecond', $14::uuid)) ${ORDER} limit $2::int + 1) q) f join tickets t on t.id = f.ticket_id`;
  }, [{ timeline: 'public', request: requestAt(3), attachments: true }]);
  if (!statements) return null;
  return (ctx, variables) => {
    const n = first.value(variables) as number | null | undefined;
    const v = ctx.viewer;
    if (v.kind !== 'CUSTOMER' || n == null || n < 1 || n > MAX_PAGE) return undefined;
    const cursor = after.value(variables);
    const position = cursor ? keysetPosition(cursor as string) : null;
    if (cursor === undefined || (cursor && !position)) return undefined;
    return async () => {
      // Customers see PUBLIC events only.
      const params = [v.customer.id, n, ...requestParams(ctx.services), null, null, null, null, null, null, position?.ms ?? null, position?.id ?? null];
      const [row] = await statements[0]!<{ json: string }>(ctx.db, params);
      return signUrls(row!.json, ctx.services);
    };
  };
};

/**
 * tickets(first:, filter:) in the default order (newest first), for staff (schema/ticket.ts, ticketWhere): department-bound roles see their departments' tickets
 * and those assigned to them. The page size is `$2` in the connection's expressions (select.ts); the
 * filter's parts are parameters ($4…$12), null when not asked for.
 */
const tickets: Root = (op, field, fragments, schema) => {
  const first = argument(op, field, 'first', 'Int');
  const after = argument(op, field, 'after', 'String');
  const filterArg = field.arguments!.find((a) => a.name.value === 'filter');
  // A filter is taken as a variable (coerced by graphql-js itself) or not at all.
  if (filterArg && filterArg.value.kind !== Kind.VARIABLE) return null;
  if (!first || first.absent || !after || field.arguments!.length !== 1 + (filterArg ? 1 : 0) + (after.absent ? 0 : 1) || !field.selectionSet) return null;
  const scope = rootScope('t', { timeline: 'all' }, fragments);
  const json = objectSql('QueryTicketsConnection', field.selectionSet, scope);
  if (!json) return null;
  const types = [...scope.types];
  const ORDER = 'order by received_at desc, id desc limit $2::int + 1';
  const inList = (col: string, n: number) => `($${n}::text is null or ${col}::text in (select json_array_elements_text($${n}::text::json)))`;
  const FILTER = [
    inList('status', 4), inList('kind', 5), inList('channel', 6),
    `($7::text is null or exists (select 1 from customers fc join tiers ft on ft.id = fc.tier_id where fc.id = customer_id and ft.code in (select json_array_elements_text($7::text::json))))`,
    `($8::uuid is null or department_id = $8::uuid)`,
    `($9::uuid is null or assignee_id = $9::uuid)`,
    `($10::boolean is not true or assignee_id is null)`,
    `($11::boolean is null or $11::boolean = (first_response_breached_at is not null or resolution_breached_at is not null))`,
    `($12::boolean is null or follow_up_required = $12::boolean)`,
    // after: the rows past the cursor in the queue's order, as the drizzle plugin's keyset filter.
    `($13::bigint is null or (received_at, id) < (timestamptz 'epoch' + $13::bigint * interval '1 millisecond', $14::uuid))`,
  ].join(' and ');
  const page = (from: string) =>
    statement(`select ${json}::text as json from (select q.*, row_number() over (order by q.received_at desc, q.id desc) as rn from ${from} q ${ORDER}) t`);
  const all = page(`(select * from tickets where ${FILTER} ${ORDER})`);
  // The department's queue, what is assigned to the caller and what they or their department were
  // consulted on (collaborators, GIN indexes), each read along its own index, then merged. The
  // consulted tickets are fenced (OFFSET 0) so they are read through the GIN indexes and then sorted:
  // a prepared statement's generic plan otherwise walked every ticket newest first looking for them,
  // and there are usually none (an agent's queue took 160 ms on 1M tickets, docs/performance.md).
  const scoped = page(`((select * from tickets where department_id = $1::uuid and ${FILTER} ${ORDER}) union (select * from tickets where assignee_id = $3::uuid and ${FILTER} ${ORDER})`
    + ` union (select * from (select * from tickets where collaborator_staff_ids @> array[$3::uuid] or collaborator_department_ids @> array[$1::uuid] offset 0) consulted where ${FILTER} ${ORDER}))`);
  return (ctx, variables) => {
    const v = ctx.viewer;
    const n = first.value(variables) as number | null | undefined;
    if (n == null || n < 1 || n > MAX_PAGE || (v.kind !== 'STAFF' && v.kind !== 'PARTNER')) return undefined;
    // A partner lists every ticket (tickets:read); each object type it reads has its own scope (access.ts).
    // When one is missing the schema answers, with its per-field errors.
    if (v.kind === 'PARTNER' && !(canListTickets(v) && types.every((t) => partnerReadsType(v, t)))) return undefined;
    const cursor = after.value(variables);
    // Only a cursor this queue issued, in its canonical form; anything else (and its error) is the schema's.
    const position = cursor ? keysetPosition(cursor as string) : null;
    if (cursor === undefined || (cursor && !position)) return undefined;
    let f: TicketFilterShape | null = null;
    if (filterArg) {
      const coerced = getVariableValues(schema, op.variableDefinitions ?? [], variables);
      if (coerced.errors) return undefined;
      f = (coerced.coerced[(filterArg.value as VariableNode).name.value] ?? null) as TicketFilterShape | null;
      // A filter field added to the schema after this was written (any key not applied below): the schema answers.
      if (f && Object.entries(f).some(([k, value]) => value != null && !FILTER_KEYS.has(k))) return undefined;
    }
    const list = (l: string[] | null | undefined) => (l?.length ? JSON.stringify(l) : null);
    const dept = departmentScope(v);
    let department: string | null = null;
    let assignee: string | null = null;
    try {
      if (f?.departmentId) {
        const wanted = argId(f.departmentId, 'Department', 'filter.departmentId');
        // An agent asking for another department gets nothing rather than an error (ticketWhere).
        department = dept === null || dept === wanted ? wanted : NO_DEPARTMENT;
      }
      if (f?.assigneeId) assignee = argId(f.assigneeId, 'Staff', 'filter.assigneeId');
    } catch {
      return undefined; // a malformed ID: the schema answers with its error
    }
    const params = [dept, n, v.kind === 'STAFF' ? v.staff.id : null, list(f?.status), list(f?.kind), list(f?.channel), list(f?.tier),
      department, assignee, !assignee && f?.unassigned ? true : null, f?.slaBreached ?? null, f?.followUpRequired ?? null,
      position?.ms ?? null, position?.id ?? null];
    // A department asked for replaces the caller's own scope, as in ticketWhere.
    const run = dept === null || department !== null ? all : scoped;
    return async () => (await run<{ json: string }>(ctx.db, params))[0]!.json;
  };
};

/** The type-level rule (runScopesOnType) of each object type the queue compiles, for a partner. */
function partnerReadsType(v: Viewer, type: string): boolean {
  switch (type) {
    case 'Ticket': return canReadTicket(v, { departmentId: null, assigneeId: null });
    case 'Customer': return canReadCustomer(v, { id: '' });
    case 'Staff': return canReadStaff(v);
    case 'Department': return canReadDepartment(v);
    // Connections, edges, page info and tiers carry no rule of their own.
    default: return ['QueryTicketsConnection', 'QueryTicketsConnectionEdge', 'PageInfo', 'Tier'].includes(type);
  }
}

const CURSOR = /^DC:T:\["D:(\d{1,15})","S:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"\]$/;
/** The (receivedAt, id) of a queue or feedback-list cursor (select.ts ticketCursor), or null for any other text. */
function keysetPosition(cursor: string): { ms: number; id: string } | null {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const m = CURSOR.exec(text);
  // Canonical only: a text another base64 decoder might read differently is left to the schema.
  return m && Buffer.from(text, 'utf8').toString('base64') === cursor ? { ms: Number(m[1]), id: m[2]! } : null;
}

/** The TicketFilter fields the statement applies; a set value of any other leaves the request to the schema. */
const FILTER_KEYS = new Set(['status', 'kind', 'channel', 'tier', 'departmentId', 'assigneeId', 'unassigned', 'slaBreached', 'followUpRequired']);

interface TicketFilterShape {
  status?: string[] | null; kind?: string[] | null; channel?: string[] | null; tier?: string[] | null;
  departmentId?: string | null; assigneeId?: string | null; unassigned?: boolean | null; slaBreached?: boolean | null; followUpRequired?: boolean | null;
}

export const ROOTS: Record<string, Root> = { trackFeedback, feedbacks, tickets };
