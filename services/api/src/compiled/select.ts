// Turns a GraphQL selection set into one SQL expression that builds its JSON value inside PostgreSQL
// (json_build_object / json_agg), for the object types described below. Every field maps to exactly
// the value its Pothos resolver returns, serialized as graphql-js would (DateTime as toISOString(),
// global IDs as base64 of `Type:id`). A selection with anything not described here (a field, an
// argument, a directive, an abstract fragment) does not compile: the document then runs through the
// schema. The differential tests (test/compiled.test.ts) hold these mappings to the schema's answers.
import { Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { TICKET_STATUSES, allowedTransitions } from '@closeloop/domain';
import { slaStateSqlText } from '../services/sla-state-sql.ts';

/** What a field expression may depend on besides its row: fixed per prepared statement. */
export interface Variant {
  /**
   * Which timeline events the caller sees (feedback.ts timelineWhere): PUBLIC only, all, or INTERNAL ones
   * only of tickets in the caller's scope (access.ts ticketScopeWhere: department `dept`, assigned to or
   * consulted `staff`, or the department consulted; placeholders the root binds).
   */
  timeline: 'public' | 'all' | { dept: string; staff: string };
  /**
   * Placeholders of what a few fields compute in JavaScript on the schema path: the request's time (ms),
   * the reopen and review windows (ms, ConversationService) and the signing marker (attachments.ts
   * signUrls). Absent: those fields do not compile for this root.
   */
  request?: { now: string; reopen: string; review: string; marker: string };
  /** Attachments compile only where the event's ticket needs no check of its own (not for department-scoped staff). */
  attachments?: boolean;
  /** The queue's order (tickets orderBy), which its cursors encode; newest first when absent. */
  order?: TicketOrder;
  /**
   * The caller's ticket scope (access.ts ticketScopeWhere), null for every ticket: Ticket.timeline keeps
   * the events whose feedback is now on a ticket in it. Absent: Ticket.timeline does not compile.
   */
  scope?: { dept: string; staff: string } | null;
  /**
   * What canWriteTicket needs, for viewerCanChange and allowedTransitions: whether the caller may write
   * at all (partners with tickets:write, staff but auditors), and its department scope (null: every
   * department) and id. Absent: those fields do not compile.
   */
  write?: { may: string; dept: string; staff: string };
}

export type TicketOrder = 'RECEIVED_DESC' | 'RECEIVED_ASC' | 'DUE_SOONEST';

export interface Scope {
  /** The SQL alias of the row the type reads. */
  a: string;
  /** The alias of the ticket row a Feedback reads its status, due time and handling from (its own ticket). */
  ticket: string;
  variant: Variant;
  fragments: Record<string, FragmentDefinitionNode>;
  /** A fresh alias for a nested row. */
  alias(): string;
  /** Every object type the selection reads (a root checks the type-level rules of callers it cannot scope in SQL). */
  types: Set<string>;
}

type FieldSql = (s: Scope, selection: SelectionSetNode | undefined) => string | null;
type TypeDef = Record<string, FieldSql>;

const publicActorName = (a: string) =>
  `case when ${a}.actor_type = 'STAFF' then coalesce(${a}.actor_display_name, case when ${a}.actor_id is not null then '客服 ' || ` +
  `(1000 + ('x' || lpad(substr(regexp_replace(${a}.actor_id::text, '[^0-9a-fA-F]', '', 'g'), 1, 8), 16, '0'))::bit(64)::bigint % 9000)::text end) end`;

/** access.ts ticketScopeWhere over the ticket row `t`: the department, assigned to or consulted the caller, or the department consulted. */
const inScope = (t: string, sc: { dept: string; staff: string }) =>
  `(${t}.department_id = ${sc.dept} or ${t}.assignee_id = ${sc.staff} or ${t}.collaborator_staff_ids @> array[${sc.staff}] or ${t}.collaborator_department_ids @> array[${sc.dept}])`;

/** canWriteTicket over the ticket row `t`: a writer, and handling it (every department, its department, or its assignee). */
const mayWrite = (t: string, w: { may: string; dept: string; staff: string }) =>
  `(${w.may}::boolean and (${w.dept}::uuid is null or ${t}.department_id = ${w.dept}::uuid or ${t}.assignee_id = ${w.staff}::uuid))`;
/** The domain's allowed transitions of each status, as JSON arrays (built from the domain's own table). */
const TRANSITIONS = (t: string) =>
  `(case ${t}.status::text ${TICKET_STATUSES.map((st) => `when '${st}' then '${JSON.stringify(allowedTransitions(st))}'::json`).join(' ')} end)`;

/** An instant as DateTime serializes it: `Date#toISOString()` (columns hold milliseconds). */
const iso = (x: string) => `to_char(${x} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** A Relay global ID as @pothos/plugin-relay encodes it (standard base64 of `Type:id`, no line breaks). */
const globalId = (type: string, x: string) => `translate(encode(convert_to('${type}:' || ${x}::text, 'UTF8'), 'base64'), E'\\n', '')`;

/** base64 of a cursor's text, as the drizzle plugin encodes it (standard base64, no line breaks). */
const base64 = (text: string) => `translate(encode(convert_to(${text}, 'UTF8'), 'base64'), E'\\n', '')`;
/**
 * The drizzle plugin's cursor for the queue's order and the feedback list: base64 of
 * `DC:T:["D:<ms>","S:<id>"]` for (receivedAt, id); for DUE_SOONEST (schema/ticket.ts, the extra
 * `dueKey`), the due key as the driver reads it, PostgreSQL's own text of the timestamptz (`S:`).
 */
const ticketCursor = (a: string, order: TicketOrder = 'RECEIVED_DESC') =>
  order === 'DUE_SOONEST'
    ? base64(`'DC:T:["S:' || ${dueKey(a)}::text || '","S:' || ${a}.id || '"]'`)
    : base64(`'DC:T:["D:' || ${ms(`${a}.received_at`)} || '","S:' || ${a}.id || '"]'`);
/** The DUE_SOONEST sort key (the tickets_due_idx expression): tickets without a due time last. */
export const dueKey = (a: string) => `coalesce(${a}.resolution_due_at, 'infinity'::timestamptz)`;

/** A timestamptz from epoch milliseconds (a parameter, e.g. the request's time). */
export const fromMs = (ms: string) => `(timestamptz 'epoch' + ${ms}::bigint * interval '1 millisecond')`;
/** An instant in epoch milliseconds, as Date#getTime(). */
const ms = (x: string) => `(extract(epoch from ${x}) * 1000)::bigint`;

const leaf = (f: (a: string) => string): FieldSql => (s, sel) => (sel ? null : f(s.a));
const column = (name: string) => leaf((a) => `${a}.${name}`);
/** A timestamptz column as DateTime. */
const instant = (name: string) => leaf((a) => iso(`${a}.${name}`));

/** Objects read from the same row (e.g. Contact from the feedback's columns). */
const sameRow = (type: string): FieldSql => (s, sel) => (sel ? objectSql(type, sel, s) : null);

/** A to-one relation through a foreign key column of the row: null when the key is null. */
const related = (type: string, table: string, fk: string): FieldSql => (s, sel) => {
  if (!sel) return null;
  const r = s.alias();
  const inner = objectSql(type, sel, { ...s, a: r });
  return inner && `(select ${inner} from ${table} ${r} where ${r}.id = ${s.a}.${fk})`;
};

const TYPES: Record<string, TypeDef> = {
  Feedback: {
    id: leaf((a) => globalId('Feedback', `${a}.id`)),
    trackingCode: column('tracking_code'),
    kind: column('kind'),
    channel: column('channel'),
    // Its ticket's row, joined by whatever yields the Feedback (Scope.ticket): its status is the ticket's.
    status: (s, sel) => (sel ? null : `${s.ticket}.status`),
    content: column('content'),
    category: column('category'),
    tags: column('tags'),
    receivedAt: instant('received_at'),
    expectedResolutionAt: (s, sel) => (sel ? null : iso(`${s.ticket}.resolution_due_at`)),
    contact: sameRow('Contact'),
    timeline: (s, sel) => {
      if (!sel) return null;
      const e = s.alias();
      const inner = objectSql('TimelineEvent', sel, { ...s, a: e });
      if (!inner) return null;
      // The TimelineEvent rule (access.ts canReadEvent) for events of a feedback the caller reads, on the
      // feedback's own ticket (Scope.ticket).
      const tl = s.variant.timeline;
      const visible = tl === 'all' ? '' : tl === 'public' ? ` and ${e}.visibility = 'PUBLIC'` : ` and (${e}.visibility = 'PUBLIC' or ${inScope(s.ticket, tl)})`;
      return `coalesce((select json_agg(${inner} order by ${e}.position) from timeline_events ${e} where ${e}.feedback_id = ${s.a}.id${visible}), '[]'::json)`;
    },
    // ConversationService.canReply / reviewableUntil on the feedback's ticket `t`, at the request's time.
    outcome: (s, sel) => (sel ? null : `${s.ticket}.outcome::text`),
    canReply: (s, sel) => {
      const r = s.variant.request;
      const t = s.ticket;
      return sel || !r ? null
        : `(${t}.status <> 'CLOSED' and (${t}.status <> 'RESOLVED' or (${t}.resolved_at is not null and ${r.now}::bigint - ${ms(`${t}.resolved_at`)} <= ${r.reopen}::bigint)))`;
    },
    reviewableUntil: (s, sel) => {
      const r = s.variant.request;
      const t = s.ticket;
      return sel || !r ? null
        : `case when ${t}.status in ('RESOLVED', 'CLOSED') and ${t}.resolved_at is not null and coalesce(${t}.outcome::text, '') = '' and ${t}.merged_into_id is null and ${t}.review_requested_at is null`
          + ` and ${ms(`${t}.resolved_at`)} + ${r.review}::bigint >= ${r.now}::bigint then ${iso(`(${t}.resolved_at + ${r.review}::bigint * interval '1 millisecond')`)} end`;
    },
    rating: (s, sel) => {
      if (!sel) return null;
      const r = s.alias();
      const inner = objectSql('SatisfactionRating', sel, { ...s, a: r });
      return inner && `(select ${inner} from satisfaction_ratings ${r} where ${r}.feedback_id = ${s.a}.id)`;
    },
  },
  // Phone and e-mail are masked for readers without pii:read (pii.ts): left to the schema.
  Contact: {
    name: column('contact_name'),
  },
  TimelineEvent: {
    id: leaf((a) => globalId('TimelineEvent', `${a}.id`)),
    position: column('position'),
    cursor: leaf((a) => `${a}.position::text`),
    sequence: leaf((a) => `${a}.id::text`),
    type: column('type'),
    visibility: column('visibility'),
    fromStatus: column('from_status'),
    toStatus: column('to_status'),
    body: column('body'),
    actorType: column('actor_type'),
    // As schema/timeline.ts: who acted for readers of internal events; a staff display name for everyone
    // else (defaultDisplayName in the domain package: 客服 + 1000 + the id's first 8 hex digits mod 9000).
    actorName: (s, sel) => (sel ? null : s.variant.timeline !== 'public' ? `${s.a}.actor_name` : publicActorName(s.a)),
    createdAt: instant('created_at'),
    // The event's feedback, read with its own ticket: visible whenever the event is (the roots that
    // yield events only yield those of feedback the caller reads).
    feedback: (s, sel) => {
      if (!sel) return null;
      const f = s.alias();
      const tk = s.alias();
      const inner = objectSql('Feedback', sel, { ...s, a: f, ticket: tk });
      return inner && `(select ${inner} from feedback ${f} join tickets ${tk} on ${tk}.id = ${f}.ticket_id where ${f}.id = ${s.a}.feedback_id)`;
    },
    // schema/attachment.ts: the event's files, oldest first; visible as the event is.
    attachments: (s, sel) => {
      if (!sel || !s.variant.attachments || !s.variant.request) return null;
      const x = s.alias();
      const inner = objectSql('Attachment', sel, { ...s, a: x });
      return inner && `coalesce((select json_agg(${inner} order by ${x}.created_at, ${x}.id) from attachments ${x} where ${x}.event_id = ${s.a}.id), '[]'::json)`;
    },
  },
  // Download links are signed in JavaScript (attachments.ts signedPath): the statement leaves a marker
  // that only this process knows, followed by the id and the mode, which signUrls replaces.
  Attachment: {
    id: leaf((a) => globalId('Attachment', `${a}.id`)),
    filename: column('filename'),
    mediaType: column('media_type'),
    size: column('size'),
    createdAt: instant('created_at'),
    url: (s, sel) => (sel || !s.variant.request ? null : `${s.variant.request.marker}::text || ${s.a}.id || ':a'`),
    inlineUrl: (s, sel) =>
      sel || !s.variant.request ? null
        : `case when ${s.a}.media_type in ('image/jpeg', 'image/png', 'image/webp') then ${s.variant.request.marker}::text || ${s.a}.id || ':i' end`,
    // Only once the upload's thumbnail exists (attachments.ts makes it after the upload).
    thumbnailUrl: (s, sel) => {
      if (sel || !s.variant.request) return null;
      const u = s.alias();
      return `case when (select ${u}.thumbnail_id from attachment_uploads ${u} where ${u}.id = ${s.a}.upload_id) is not null then ${s.variant.request.marker}::text || ${s.a}.id || ':t' end`;
    },
  },
  // feedbacks(first:, after:) — rows `f` in the connection's order (schema/feedback.ts: receivedAt desc, then
  // the drizzle plugin's tie-breaker, the primary key, in the same direction).
  // Numbered `rn` with one row past the page, like the queue; the same cursor form and pageInfo.
  QueryFeedbacksConnection: {
    edges: (s, sel) => {
      const edge = sel ? objectSql('QueryFeedbacksConnectionEdge', sel, s) : null;
      return edge && `coalesce(json_agg(${edge} order by ${s.a}.rn) filter (where ${s.a}.rn <= $2::int), '[]'::json)`;
    },
    pageInfo: sameRow('PageInfo'),
  },
  QueryFeedbacksConnectionEdge: {
    cursor: leaf((a) => ticketCursor(a)),
    node: sameRow('Feedback'),
  },
  // tickets(first:, after:) — rows `t` numbered `rn` in the queue's order with one row past the page (roots.ts).
  QueryTicketsConnection: {
    edges: (s, sel) => {
      const edge = sel ? objectSql('QueryTicketsConnectionEdge', sel, s) : null;
      return edge && `coalesce(json_agg(${edge} order by ${s.a}.rn) filter (where ${s.a}.rn <= $2::int), '[]'::json)`;
    },
    pageInfo: sameRow('PageInfo'),
  },
  QueryTicketsConnectionEdge: {
    cursor: (s, sel) => (sel ? null : ticketCursor(s.a, s.variant.order)),
    node: sameRow('Ticket'),
  },
  // Aggregates over the page's rows, as the drizzle plugin's wrapConnectionResult computes them for `first`.
  PageInfo: {
    hasNextPage: leaf(() => `count(*) > $2::int`),
    // The drizzle plugin answers true whenever `after` is given; the queue and the list bind the cursor's id at $14.
    hasPreviousPage: leaf(() => `($14::uuid is not null)`),
    startCursor: (s, sel) => (sel ? null : `(array_agg(${ticketCursor(s.a, s.variant.order)} order by ${s.a}.rn) filter (where ${s.a}.rn <= $2::int))[1]`),
    endCursor: (s, sel) => (sel ? null : `(array_agg(${ticketCursor(s.a, s.variant.order)} order by ${s.a}.rn desc) filter (where ${s.a}.rn <= $2::int))[1]`),
  },
  Ticket: {
    id: leaf((a) => globalId('Ticket', `${a}.id`)),
    status: column('status'),
    kind: column('kind'),
    channel: column('channel'),
    priority: column('priority'),
    level: column('level'),
    receivedAt: instant('received_at'),
    firstResponseDueAt: instant('first_response_due_at'),
    resolutionDueAt: instant('resolution_due_at'),
    firstRespondedAt: instant('first_responded_at'),
    resolvedAt: instant('resolved_at'),
    closedAt: instant('closed_at'),
    updatedAt: instant('updated_at'),
    outcome: column('outcome'),
    followUpRequired: column('follow_up_required'),
    reviewRequestedAt: instant('review_requested_at'),
    // schema/sla.ts: the stored warn and breach times; the overall state as the queue's filter reads it
    // (services/sla-state-sql.ts mirrors computeSla, test/sla-state-filter.test.ts), at the request's time.
    firstResponseWarnAt: instant('first_response_warn_at'),
    resolutionWarnAt: instant('resolution_warn_at'),
    firstResponseBreachedAt: instant('first_response_breached_at'),
    resolutionBreachedAt: instant('resolution_breached_at'),
    slaState: (s, sel) => (sel || !s.variant.request ? null : slaStateSqlText(s.a, fromMs(s.variant.request.now))),
    // Every linked feedback, oldest first (the relation's orderBy; the id only breaks ties).
    feedback: (s, sel) => {
      if (!sel) return null;
      const f = s.alias();
      const inner = objectSql('Feedback', sel, { ...s, a: f, ticket: s.a });
      return inner && `coalesce((select json_agg(${inner} order by ${f}.received_at, ${f}.id) from feedback ${f} where ${f}.ticket_id = ${s.a}.id), '[]'::json)`;
    },
    // schema/ticket.ts: the events recorded on this ticket, in commit order, leaving out those whose
    // feedback has since moved (a merge) to a ticket out of the caller's scope.
    timeline: (s, sel) => {
      const scope = s.variant.scope;
      if (!sel || scope === undefined) return null;
      const e = s.alias();
      const inner = objectSql('TimelineEvent', sel, { ...s, a: e });
      if (!inner) return null;
      const fx = s.alias();
      const tx = s.alias();
      const visible = scope === null ? '' : ` and exists (select 1 from feedback ${fx} join tickets ${tx} on ${tx}.id = ${fx}.ticket_id where ${fx}.id = ${e}.feedback_id and ${inScope(tx, scope)})`;
      return `coalesce((select json_agg(${inner} order by ${e}.id) from timeline_events ${e} where ${e}.ticket_id = ${s.a}.id${visible}), '[]'::json)`;
    },
    // schema/handling.ts: canWriteTicket, and the domain's transitions from the ticket's status.
    viewerCanChange: (s, sel) => (sel || !s.variant.write ? null : mayWrite(s.a, s.variant.write)),
    allowedTransitions: (s, sel) => (sel || !s.variant.write ? null : `case when ${mayWrite(s.a, s.variant.write)} then ${TRANSITIONS(s.a)} else '[]'::json end`),
    customer: related('Customer', 'customers', 'customer_id'),
    assignee: related('Staff', 'staff', 'assignee_id'),
    department: related('Department', 'departments', 'department_id'),
  },
  // Contact details (phone, email) are left to the schema, which decides who may read them.
  Customer: {
    id: leaf((a) => globalId('Customer', `${a}.id`)),
    externalId: column('external_id'),
    name: column('name'),
    tier: related('Tier', 'tiers', 'tier_id'),
    accountManager: related('Staff', 'staff', 'account_manager_id'),
  },
  Tier: {
    id: leaf((a) => globalId('Tier', `${a}.id`)),
    code: column('code'),
    name: column('name'),
    rank: column('rank'),
    dedicatedManager: column('dedicated_manager'),
  },
  Staff: {
    id: leaf((a) => globalId('Staff', `${a}.id`)),
    name: column('name'),
    role: column('role'),
    level: column('level'),
    active: column('active'),
  },
  Department: {
    id: leaf((a) => globalId('Department', `${a}.id`)),
    code: column('code'),
    name: column('name'),
  },
  SatisfactionRating: {
    rating: column('rating'),
    comment: column('comment'),
    createdAt: instant('created_at'),
  },
};

/** Response key → SQL expression, in response order, with fragments inlined; null if not compilable. */
function entries(type: string, sel: SelectionSetNode, s: Scope, out: Map<string, string>): boolean {
  const def = TYPES[type];
  if (!def) return false;
  s.types.add(type);
  for (const node of sel.selections) {
    if (node.directives?.length) return false;
    if (node.kind === Kind.FIELD) {
      if (node.arguments?.length) return false;
      const key = node.alias?.value ?? node.name.value;
      const expr = node.name.value === '__typename' ? (node.selectionSet ? null : `'${type}'`) : def[node.name.value]?.(s, node.selectionSet);
      if (!expr) return false;
      const seen = out.get(key);
      // GraphQL merges repeated leaves; repeated objects would need their selections merged: not taken.
      if (seen !== undefined && (seen !== expr || node.selectionSet)) return false;
      out.set(key, expr);
    } else {
      const frag = node.kind === Kind.INLINE_FRAGMENT ? node : s.fragments[node.name.value];
      if (!frag || frag.directives?.length) return false;
      if (frag.typeCondition && frag.typeCondition.name.value !== type) return false;
      if (!entries(type, frag.selectionSet, s, out)) return false;
    }
  }
  return true;
}

export function objectSql(type: string, sel: SelectionSetNode, s: Scope): string | null {
  const out = new Map<string, string>();
  // json_build_object takes at most 100 arguments.
  if (!entries(type, sel, s, out) || out.size === 0 || out.size > 50) return null;
  const pairs = [...out].map(([k, v]) => `'${k}', ${v}`);
  return `json_build_object(${pairs.join(', ')})`;
}

/** A scope for a root's row `a`; nested rows get aliases a1, a2, … */
export function rootScope(a: string, variant: Variant, fragments: Record<string, FragmentDefinitionNode>): Scope {
  let n = 0;
  return { a, ticket: 't', variant, fragments, alias: () => `${a}${++n}`, types: new Set() };
}
