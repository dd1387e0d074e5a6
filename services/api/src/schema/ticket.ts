import { sql } from 'drizzle-orm';
import type { Channel, FeedbackKind, TicketStatus } from '@closeloop/domain';
import { builder } from './builder.ts';
import { NO_DEPARTMENT, canListTickets, canReadTicket, departmentScope, ticketScopeWhere } from '../policy/access.ts';
import { ChannelEnum, EscalationLevelEnum, FeedbackKindEnum, PriorityEnum, SlaStateEnum, TicketStatusEnum, VisibilityEnum } from './enums.ts';
import { slaStateIn, type SlaStateName } from '../services/sla-state-sql.ts';
import { ForbiddenError, InvalidTransitionError, NotFoundError, ValidationError } from '../policy/errors.ts';
import { argId, checkPage, inputId } from './ids.ts';
import type { Context } from '../context.ts';
import type { TicketChange } from '../services/tickets.ts';
import './timeline.ts';

export const TicketRef = builder.drizzleNode('tickets', {
  name: 'Ticket',
  description: 'The handling case. Several feedback items may be linked to one ticket (an incident).',
  id: { column: (t) => t.id },
  // The columns the fields below read are in the type's selection and read with plain resolvers: with a
  // type-level `select`, `t.expose` gives each field its own selection, checked per field and per row
  // by the drizzle plugin, which dominated a 50-ticket page (npm run bench, README, Performance).
  select: {
    columns: {
      id: true, departmentId: true, assigneeId: true, status: true, kind: true, channel: true, priority: true, level: true,
      receivedAt: true, firstResponseDueAt: true, resolutionDueAt: true, firstRespondedAt: true, resolvedAt: true, closedAt: true, updatedAt: true,
      outcome: true, followUpRequired: true, reviewRequestedAt: true,
      collaboratorDepartmentIds: true, collaboratorStaffIds: true,
    },
  },
  authScopes: (t, ctx) => canReadTicket(ctx.viewer, t),
  runScopesOnType: true,
  fields: (t) => ({
    status: t.field({ type: TicketStatusEnum, resolve: (r) => r.status }),
    kind: t.field({ type: FeedbackKindEnum, resolve: (r) => r.kind }),
    channel: t.field({ type: ChannelEnum, resolve: (r) => r.channel }),
    priority: t.field({ type: PriorityEnum, resolve: (r) => r.priority }),
    level: t.field({ type: EscalationLevelEnum, description: 'Escalation level: L1 agent, L2 senior, L3 expert.', resolve: (r) => r.level }),
    receivedAt: t.field({ type: 'DateTime', resolve: (r) => r.receivedAt }),
    firstResponseDueAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.firstResponseDueAt }),
    resolutionDueAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.resolutionDueAt }),
    firstRespondedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.firstRespondedAt }),
    resolvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.resolvedAt }),
    closedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.closedAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updatedAt }),
    outcome: t.string({ nullable: true, description: 'WITHDRAWN when the customer withdrew the feedback; null otherwise.', resolve: (r) => r.outcome }),
    followUpRequired: t.boolean({ description: "In the supervisor's follow-up queue: a customer rated the handling 1 or 2 (FOLLOW_UP_REQUESTED event).", resolve: (r) => r.followUpRequired }),
    reviewRequestedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the customer asked for a review of the resolution (REVIEW_REQUESTED).', resolve: (r) => r.reviewRequestedAt }),
    department: t.relation('department', { nullable: true }),
    assignee: t.relation('assignee', { nullable: true }),
    customer: t.relation('customer', { nullable: true, description: 'The customer whose feedback opened the ticket.' }),
    feedback: t.relation('feedback', { description: 'Every feedback linked to this ticket.', query: { orderBy: { receivedAt: 'asc' } } }),
    timeline: t.relation('timeline', {
      description: 'All events, INTERNAL included, in commit order (events of feedback since merged into a ticket you may not read are left out).',
      query: (_args, ctx) => {
        // The TimelineEvent rule in SQL: an event is visible when its feedback's current ticket is.
        const scope = ticketScopeWhere(ctx.viewer);
        return { where: (scope ? { feedback: { ticket: scope } } : undefined) as never, orderBy: { id: 'asc' as const } };
      },
    }),
  }),
});

export const TicketFilter = builder.inputType('TicketFilter', {
  fields: (t) => ({
    status: t.field({ type: [TicketStatusEnum] }),
    kind: t.field({ type: [FeedbackKindEnum] }),
    channel: t.field({ type: [ChannelEnum] }),
    tier: t.stringList({ description: 'Tier codes, e.g. ["VIP", "PRIVATE_BANKING"].' }),
    departmentId: t.id(),
    assigneeId: t.id(),
    unassigned: t.boolean(),
    slaBreached: t.boolean({ description: 'true: tickets that breached a first-response or resolution target; false: those that did not.' }),
    followUpRequired: t.boolean({ description: "true: the supervisor's follow-up queue (ratings of 1–2)." }),
    slaState: t.field({
      type: [SlaStateEnum],
      description: "Tickets whose overall SLA state (Ticket.slaState) is one of these now, e.g. [AT_RISK] for those due soon; tickets without an SLA never match.",
    }),
  }),
});

export const TicketOrder = builder.enumType('TicketOrder', {
  values: {
    RECEIVED_DESC: { description: 'Newest first (default).' },
    RECEIVED_ASC: { description: 'Oldest first.' },
    DUE_SOONEST: { description: 'Resolution due time, soonest first; tickets without one last.' },
  } as const,
});

export interface TicketFilterShape {
  status?: TicketStatus[] | null; kind?: FeedbackKind[] | null; channel?: Channel[] | null; tier?: string[] | null;
  departmentId?: string | null; assigneeId?: string | null; unassigned?: boolean | null; slaBreached?: boolean | null;
  followUpRequired?: boolean | null; slaState?: SlaStateName[] | null;
}

export function ticketWhere(ctx: Context, f: TicketFilterShape | null | undefined) {
  const where: Record<string, unknown> = {};
  const dept = departmentScope(ctx.viewer);
  if (f?.departmentId) {
    const wanted = argId(f.departmentId, 'Department', 'filter.departmentId');
    // An agent asking for another department gets nothing rather than an error.
    where.departmentId = dept === null || dept === wanted ? wanted : NO_DEPARTMENT;
  } else {
    // Their department's queue, what was routed to them elsewhere and what they were consulted on.
    Object.assign(where, ticketScopeWhere(ctx.viewer) ?? {});
  }
  if (f?.status?.length) where.status = { in: f.status };
  if (f?.kind?.length) where.kind = { in: f.kind };
  if (f?.channel?.length) where.channel = { in: f.channel };
  if (f?.tier?.length) where.customer = { tier: { code: { in: f.tier } } };
  if (f?.assigneeId) where.assigneeId = argId(f.assigneeId, 'Staff', 'filter.assigneeId');
  else if (f?.unassigned) where.assigneeId = { isNull: true };
  if (f?.followUpRequired != null) where.followUpRequired = f.followUpRequired;
  const and: unknown[] = [];
  if (f?.slaState?.length) {
    const states = f.slaState;
    const now = new Date();
    and.push({ RAW: (tk: Record<string, unknown>) => slaStateIn(tk, states, now) });
  }
  if (f?.slaBreached != null) {
    and.push(
      f.slaBreached
        ? { OR: [{ firstResponseBreachedAt: { isNotNull: true } }, { resolutionBreachedAt: { isNotNull: true } }] }
        : { firstResponseBreachedAt: { isNull: true }, resolutionBreachedAt: { isNull: true } },
    );
  }
  if (and.length) where.AND = and;
  return where;
}

builder.queryFields((t) => ({
  tickets: t.drizzleConnection({
    type: 'tickets',
    description: 'The handling queue. Agents, seniors and experts see their own department; supervisors, admins and auditors see all.',
    authScopes: (_root, _args, ctx) => canListTickets(ctx.viewer),
    args: {
      filter: t.arg({ type: TicketFilter }),
      orderBy: t.arg({ type: TicketOrder, defaultValue: 'RECEIVED_DESC' }),
    },
    resolve: (query, _root, args, ctx) => {
      checkPage(args);
      const where = ticketWhere(ctx, args.filter) as never;
      if (args.orderBy === 'DUE_SOONEST') {
        // The same expression as the tickets_due_idx index, so the first page is read in index order and
        // stops after `first` rows instead of sorting every open ticket (10,000 in the console's test:
        // formatting each due time as text to sort it cost more than the rest of the request). Tickets
        // without a due time sort last ('infinity').
        return ctx.db.query.tickets.findMany(
          query({
            where,
            extras: { dueKey: (t) => sql<string>`coalesce(${t.resolutionDueAt}, 'infinity'::timestamptz)` },
            orderBy: { dueKey: 'asc' },
          }),
        );
      }
      return ctx.db.query.tickets.findMany(query({ where, orderBy: { receivedAt: args.orderBy === 'RECEIVED_ASC' ? 'asc' : 'desc' } }));
    },
  }),
}));

export const TicketPayload = builder.objectRef<TicketChange>('TicketPayload').implement({
  description: 'The ticket after the change, and the timeline events the change produced (one per linked feedback).',
  fields: (t) => ({
    ticket: t.drizzleField({
      type: 'tickets',
      resolve: async (query, p, _args, ctx) => (await ctx.db.query.tickets.findFirst(query({ where: { id: p.ticket.id } })))!,
    }),
    events: t.drizzleField({
      type: ['timelineEvents'],
      resolve: (query, p, _args, ctx) =>
        p.events.length ? ctx.db.query.timelineEvents.findMany(query({ where: { id: { in: p.events.map((e) => e.id) } }, orderBy: { id: 'asc' } })) : [],
    }),
  }),
});

export const ticketErrors = {
  types: [ValidationError, NotFoundError, ForbiddenError, InvalidTransitionError],
  directResult: true as const,
};
export const writeScopes = { staffWriter: true, partner: 'tickets:write' } as const;

const TransitionTicketInput = builder.inputType('TransitionTicketInput', {
  fields: (t) => ({
    ticketId: t.id({ required: true }),
    status: t.field({ type: TicketStatusEnum, required: true }),
    note: t.string({ description: 'Optional public message shown to the customer with the status change.' }),
  }),
});
const AssignTicketInput = builder.inputType('AssignTicketInput', {
  fields: (t) => ({
    ticketId: t.id({ required: true }),
    assigneeId: t.id({ description: 'Staff ID; null unassigns.' }),
  }),
});
const AddTicketNoteInput = builder.inputType('AddTicketNoteInput', {
  fields: (t) => ({
    ticketId: t.id({ required: true }),
    body: t.string({ required: true }),
    visibility: t.field({ type: VisibilityEnum, required: true, description: 'PUBLIC replies reach the customer; INTERNAL notes never do.' }),
    attachments: t.idList({ description: 'Upload ids from createAttachmentUpload (with this ticketId); visible exactly as the note is.' }),
  }),
});

builder.mutationFields((t) => ({
  transitionTicket: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    errors: { ...ticketErrors, union: { name: 'TransitionTicketResult' } },
    args: { input: t.arg({ type: TransitionTicketInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.tickets.transition(ctx.viewer, inputId(input.ticketId, 'Ticket', ['input', 'ticketId']), input.status, input.note),
  }),
  assignTicket: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    errors: { ...ticketErrors, union: { name: 'AssignTicketResult' } },
    args: { input: t.arg({ type: AssignTicketInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const ticketId = inputId(input.ticketId, 'Ticket', ['input', 'ticketId']);
      const assigneeId = input.assigneeId ? inputId(input.assigneeId, 'Staff', ['input', 'assigneeId']) : null;
      return ctx.services.tickets.assign(ctx.viewer, ticketId, assigneeId);
    },
  }),
  addTicketNote: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    errors: { ...ticketErrors, union: { name: 'AddTicketNoteResult' } },
    args: { input: t.arg({ type: AddTicketNoteInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const uploads = (input.attachments ?? []).map((id, i) => inputId(String(id), 'AttachmentUpload', ['input', 'attachments', String(i)]));
      return ctx.services.tickets.addNote(ctx.viewer, inputId(input.ticketId, 'Ticket', ['input', 'ticketId']), input.body, input.visibility, uploads);
    },
  }),
}));
