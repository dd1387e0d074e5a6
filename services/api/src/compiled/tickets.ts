// tickets(first:, after:, filter:, orderBy:) for staff and partners (schema/ticket.ts, ticketWhere and the
// resolver's orders): department-bound roles see their department's tickets, those assigned to them and
// those they or their department were consulted on. One statement per order and scope, prepared at start.
// Parameters: $1 the caller's department scope, $2 the page size (select.ts reads it), $3 the caller,
// $4…$12 and $16 the filter's parts (null when not asked for), $13–$15 the cursor, $17… the request's values.
import { Kind, getVariableValues, type VariableNode } from 'graphql';
import type { Viewer } from '../auth/identity.ts';
import { NO_DEPARTMENT, canListTickets, canReadCustomer, canReadDepartment, canReadStaff, canReadTicket, departmentScope, partnerReadsFeedback } from '../policy/access.ts';
import { MAX_PAGE, argId } from '../schema/ids.ts';
import { slaStateSqlText, SLA_STATES } from '../services/sla-state-sql.ts';
import { dueKey, fromMs, objectSql, rootScope, type TicketOrder } from './select.ts';
import { argument } from './args.ts';
import { keysetPosition, requestAt, requestParams, statement, type Root, type Statement } from './statement.ts';

const ORDERS: TicketOrder[] = ['RECEIVED_DESC', 'RECEIVED_ASC', 'DUE_SOONEST'];

/** The order's sort over the rows aliased `a` ('' for unqualified columns) and, over the table aliased `t`, the rows past a cursor (the drizzle plugin's keyset filter). */
function ordering(order: TicketOrder) {
  const q = (a: string) => (a ? `${a}.` : '');
  switch (order) {
    case 'RECEIVED_DESC': return {
      by: (a: string) => `${q(a)}received_at desc, ${q(a)}id desc`,
      after: (t: string) => `($13::bigint is null or (${t}.received_at, ${t}.id) < (${fromMs('$13')}, $14::uuid))`,
    };
    case 'RECEIVED_ASC': return {
      by: (a: string) => `${q(a)}received_at asc, ${q(a)}id asc`,
      after: (t: string) => `($13::bigint is null or (${t}.received_at, ${t}.id) > (${fromMs('$13')}, $14::uuid))`,
    };
    case 'DUE_SOONEST': return {
      by: (a: string) => `${dueKey(a || 'tickets')} asc, ${q(a)}id asc`,
      after: (t: string) => `($15::timestamptz is null or (${dueKey(t)}, ${t}.id) > ($15::timestamptz, $14::uuid))`,
    };
  }
}

/** The filter over the table (or subquery) aliased `a`; each part is true when its parameter is null. */
function filterSql(a: string, order: TicketOrder, now: string) {
  const inList = (col: string, n: number) => `($${n}::text is null or ${col}::text in (select json_array_elements_text($${n}::text::json)))`;
  return [
    inList('status', 4), inList('kind', 5), inList('channel', 6),
    `($7::text is null or exists (select 1 from customers fc join tiers ft on ft.id = fc.tier_id where fc.id = ${a}.customer_id and ft.code in (select json_array_elements_text($7::text::json))))`,
    `($8::uuid is null or department_id = $8::uuid)`,
    `($9::uuid is null or assignee_id = $9::uuid)`,
    `($10::boolean is not true or assignee_id is null)`,
    `($11::boolean is null or $11::boolean = (first_response_breached_at is not null or resolution_breached_at is not null))`,
    `($12::boolean is null or follow_up_required = $12::boolean)`,
    // slaState: services/sla-state-sql.ts, as ticketWhere's RAW filter, at the request's time.
    `($16::text is null or ${slaStateSqlText(a, fromMs(now))} in (select json_array_elements_text($16::text::json)))`,
    ordering(order).after(a),
  ].join(' and ');
}

/** Statuses of open tickets: a status filter within them is also written as the partial indexes' predicate. */
const OPEN = new Set(['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER']);
const OPEN_ONLY = `status not in ('RESOLVED', 'CLOSED') and `;

interface Pair { all: Statement; scoped: Statement }

/**
 * The two statements of an order: every ticket, and a department-bound caller's scope. `open`: the filter
 * keeps open tickets only, said in the words of the partial indexes (tickets_open_due_idx and the
 * department's), which a parameterised status list cannot prove to the planner.
 */
function statements(json: string, order: TicketOrder, now: string, open: boolean): Pair {
  const o = ordering(order);
  const limit = (a: string) => `order by ${o.by(a)} limit $2::int + 1`;
  const only = open ? OPEN_ONLY : '';
  const page = (from: string) =>
    statement(`select ${json}::text as json from (select q.*, row_number() over (order by ${o.by('q')}) as rn from ${from} q ${limit('q')}) t`);
  // The department's queue, what is assigned to the caller and what they or their department were
  // consulted on (collaborators, GIN indexes), each read along its own index, then merged. The
  // consulted tickets are fenced (OFFSET 0) so they are read through the GIN indexes and then sorted:
  // a prepared statement's generic plan otherwise walked every ticket newest first looking for them,
  // and there are usually none (an agent's queue took 160 ms on 1M tickets, docs/performance.md).
  return {
    all: page(`(select * from tickets where ${only}${filterSql('tickets', order, now)} ${limit('')})`),
    scoped: page(`((select * from tickets where department_id = $1::uuid and ${only}${filterSql('tickets', order, now)} ${limit('')})`
      + ` union (select * from tickets where assignee_id = $3::uuid and ${only}${filterSql('tickets', order, now)} ${limit('')})`
      + ` union (select * from (select * from tickets where collaborator_staff_ids @> array[$3::uuid] or collaborator_department_ids @> array[$1::uuid] offset 0) consulted`
      + ` where ${only}${filterSql('consulted', order, now)} ${limit('consulted')}))`),
  };
}

export const tickets: Root = (op, field, fragments, schema) => {
  const first = argument(op, field, 'first', 'Int');
  const after = argument(op, field, 'after', 'String');
  const filterArg = field.arguments!.find((a) => a.name.value === 'filter');
  const orderArg = field.arguments!.find((a) => a.name.value === 'orderBy');
  // A filter is taken as a variable (coerced by graphql-js itself) or not at all; an order as a variable or a literal.
  if (filterArg && filterArg.value.kind !== Kind.VARIABLE) return null;
  if (orderArg && orderArg.value.kind !== Kind.VARIABLE && orderArg.value.kind !== Kind.ENUM) return null;
  const given = 1 + (filterArg ? 1 : 0) + (orderArg ? 1 : 0) + (after?.absent ? 0 : 1);
  if (!first || first.absent || !after || field.arguments!.length !== given || !field.selectionSet) return null;
  const request = requestAt(17);
  const byOrder = new Map<TicketOrder, { any: Pair; open: Pair }>();
  let types: string[] = [];
  for (const order of ORDERS) {
    const scope = rootScope('t', { timeline: 'all', request, order }, fragments);
    const json = objectSql('QueryTicketsConnection', field.selectionSet, scope);
    if (!json) return null;
    types = [...scope.types];
    byOrder.set(order, { any: statements(json, order, request.now, false), open: statements(json, order, request.now, true) });
  }
  const literalOrder = orderArg?.value.kind === Kind.ENUM ? (orderArg.value.value as TicketOrder) : null;
  return (ctx, variables) => {
    const v = ctx.viewer;
    const n = first.value(variables) as number | null | undefined;
    if (n == null || n < 1 || n > MAX_PAGE || (v.kind !== 'STAFF' && v.kind !== 'PARTNER')) return undefined;
    // A partner lists every ticket (tickets:read); each object type it reads has its own scope (access.ts).
    // When one is missing the schema answers, with its per-field errors.
    if (v.kind === 'PARTNER' && !(canListTickets(v) && types.every((t) => partnerReadsType(v, t)))) return undefined;
    let f: TicketFilterShape | null = null;
    let order: TicketOrder | null = literalOrder;
    if (filterArg || (orderArg && !literalOrder)) {
      const coerced = getVariableValues(schema, op.variableDefinitions ?? [], variables);
      if (coerced.errors) return undefined;
      if (filterArg) f = (coerced.coerced[(filterArg.value as VariableNode).name.value] ?? null) as TicketFilterShape | null;
      // Absent or null: the resolver's default (its null order reads newest first too).
      if (orderArg && !literalOrder) order = (coerced.coerced[(orderArg.value as VariableNode).name.value] ?? null) as TicketOrder | null;
      // A filter field added to the schema after this was written (any key not applied below): the schema answers.
      if (f && Object.entries(f).some(([k, value]) => value != null && !FILTER_KEYS.has(k))) return undefined;
    }
    order ??= 'RECEIVED_DESC';
    const run = byOrder.get(order);
    if (!run) return undefined;
    const cursor = after.value(variables);
    // Only a cursor this queue issued, in its canonical form; anything else (and its error) is the schema's.
    const position = cursor ? keysetPosition(cursor as string, order === 'DUE_SOONEST' ? 'due' : 'received') : null;
    if (cursor === undefined || (cursor && !position)) return undefined;
    const list = (l: readonly string[] | null | undefined) => (l?.length ? JSON.stringify(l) : null);
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
    // An empty slaState list filters nothing (ticketWhere); states it does not know match nothing (slaStateIn).
    const states = f?.slaState?.length ? JSON.stringify(f.slaState.filter((s) => (SLA_STATES as readonly string[]).includes(s))) : null;
    const params = [dept, n, v.kind === 'STAFF' ? v.staff.id : null, list(f?.status), list(f?.kind), list(f?.channel), list(f?.tier),
      department, assignee, !assignee && f?.unassigned ? true : null, f?.slaBreached ?? null, f?.followUpRequired ?? null,
      position?.ms ?? null, position?.id ?? null, position?.due ?? null, states, ...requestParams(ctx.services)];
    const pair = f?.status?.length && f.status.every((st) => OPEN.has(st)) ? run.open : run.any;
    // A department asked for replaces the caller's own scope, as in ticketWhere.
    const st = dept === null || department !== null ? pair.all : pair.scoped;
    return async () => (await st<{ json: string }>(ctx.db, params))[0]!.json;
  };
};

/** The type-level rule (runScopesOnType) of each object type a ticket document compiles, for a partner. */
export function partnerReadsType(v: Viewer, type: string): boolean {
  switch (type) {
    case 'Ticket': return canReadTicket(v, { departmentId: null, assigneeId: null });
    case 'Customer': return canReadCustomer(v, { id: '' });
    case 'Staff': return canReadStaff(v);
    case 'Department': return canReadDepartment(v);
    case 'Feedback': return partnerReadsFeedback(v);
    // canReadEvent: the feedback, and the ticket for INTERNAL events (attachments are visible as their event).
    case 'TimelineEvent': case 'Attachment': return partnerReadsFeedback(v) && canReadTicket(v, { departmentId: null, assigneeId: null });
    // Connections, edges, page info and tiers carry no rule of their own.
    default: return ['QueryTicketsConnection', 'QueryTicketsConnectionEdge', 'PageInfo', 'Tier'].includes(type);
  }
}

/** The TicketFilter fields the statement applies; a set value of any other leaves the request to the schema. */
const FILTER_KEYS = new Set(['status', 'kind', 'channel', 'tier', 'departmentId', 'assigneeId', 'unassigned', 'slaBreached', 'followUpRequired', 'slaState']);

interface TicketFilterShape {
  status?: string[] | null; kind?: string[] | null; channel?: string[] | null; tier?: string[] | null;
  departmentId?: string | null; assigneeId?: string | null; unassigned?: boolean | null; slaBreached?: boolean | null; followUpRequired?: boolean | null;
  slaState?: string[] | null;
}
