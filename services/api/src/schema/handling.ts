// The console's handling features (issue 13): staff search, re-classification, collaborators, bulk
// assignment and merging, and the allowed next states of a ticket.
import { inArray, sql } from 'drizzle-orm';
import { departments, staff, tickets } from '@closeloop/db';
import { allowedTransitions, routeFeedback, ruleMatches, type TicketStatus } from '@closeloop/domain';
import { builder } from './builder.ts';
import { canWriteTicket, partnerHas } from '../policy/access.ts';
import { ChannelEnum, FeedbackKindEnum, TicketStatusEnum } from './enums.ts';
import { RoutingMatchInput } from './workflow.ts';
import { loadRules } from '../services/routing.ts';
import { planSearch } from '../services/search.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../policy/errors.ts';
import { checkPage, inputId } from './ids.ts';
import { TicketFilter, TicketPayload, TicketRef, ticketErrors, ticketWhere, writeScopes } from './ticket.ts';
import { DepartmentRef, StaffRef } from './directory.ts';
import type { BulkChange } from '../services/handling.ts';

/** Search text: 1–100 characters (code points). */
const MAX_QUERY = 100;

const CollaboratorRef = builder.objectRef<{ department: typeof departments.$inferSelect | null; staff: typeof staff.$inferSelect | null }>('TicketCollaborator').implement({
  description: 'A department or staff member consulted on a ticket: they read it and its internal notes and add notes; the assignee keeps it.',
  fields: (t) => ({
    department: t.field({ type: DepartmentRef, nullable: true, resolve: (c) => c.department as never }),
    staff: t.field({ type: StaffRef, nullable: true, resolve: (c) => c.staff as never }),
  }),
});

builder.drizzleObjectFields(TicketRef, (t) => ({
  collaborators: t.field({
    type: [CollaboratorRef],
    select: { columns: { collaboratorDepartmentIds: true, collaboratorStaffIds: true } },
    resolve: async (r, _a, ctx) => {
      const d = r.collaboratorDepartmentIds.length ? await ctx.db.select().from(departments).where(inArray(departments.id, r.collaboratorDepartmentIds)) : [];
      const s = r.collaboratorStaffIds.length ? await ctx.db.select().from(staff).where(inArray(staff.id, r.collaboratorStaffIds)) : [];
      return [...d.map((department) => ({ department, staff: null })), ...s.map((member) => ({ department: null, staff: member }))];
    },
  }),
  allowedTransitions: t.field({
    type: [TicketStatusEnum],
    description: 'The states this caller may move the ticket to now (empty when they may not change it).',
    resolve: (r, _a, ctx) => (canWriteTicket(ctx.viewer, r) ? [...allowedTransitions(r.status as TicketStatus)] : []),
  }),
  viewerCanChange: t.boolean({
    description: 'Whether the caller may handle this ticket (reply, transition, assign); collaborators and auditors may not.',
    resolve: (r, _a, ctx) => canWriteTicket(ctx.viewer, r),
  }),
}));

builder.queryFields((t) => ({
  searchTickets: t.drizzleConnection({
    type: 'tickets',
    description:
      'Staff search over tickets the caller may read: tracking code, customer name, phone, e-mail or external id, and feedback content ' +
      '(substring, case-insensitive, Chinese included; trigram and bigram indexes). Newest first.',
    authScopes: (_root, _args, ctx) => ctx.viewer.kind === 'STAFF' || partnerHas(ctx.viewer, 'tickets:read') || partnerHas(ctx.viewer, 'tickets:write'),
    args: { query: t.arg.string({ required: true }), filter: t.arg({ type: TicketFilter }) },
    resolve: async (query, _root, args, ctx) => {
      checkPage(args);
      const q = args.query.trim();
      if (!q || [...q].length > MAX_QUERY) throw new ValidationError([{ path: ['query'], code: 'INVALID', message: `query must be 1–${MAX_QUERY} characters` }]);
      // One transaction: the probe and the page see the same rows, and JIT is off for it. A
      // newest-first walk is estimated as a scan of every ticket, which made PostgreSQL spend 190 ms
      // compiling a query that runs in 10 (docs/performance.md, Staff search).
      return ctx.db.transaction(async (tx) => {
        await tx.execute(sql`set local jit = off`);
        const { match } = await planSearch(tx, q);
        return tx.query.tickets.findMany(
          query({
            where: { AND: [ticketWhere(ctx, args.filter), { RAW: (tk: typeof tickets) => match(tk.id) }] } as never,
            orderBy: { receivedAt: 'desc' },
          }),
        );
      });
    },
  }),
}));

const ReclassifyTicketInput = builder.inputType('ReclassifyTicketInput', {
  fields: (t) => ({
    ticketId: t.id({ required: true }),
    category: t.string({ description: 'null clears it.' }),
    tags: t.stringList({ required: true, description: 'The full new set (at most 10).' }),
  }),
});
const CollaboratorInput = builder.inputType('TicketCollaboratorInput', {
  description: 'Exactly one of departmentId and staffId.',
  fields: (t) => ({ ticketId: t.id({ required: true }), departmentId: t.id(), staffId: t.id() }),
});
const BulkAssignInput = builder.inputType('BulkAssignTicketsInput', {
  fields: (t) => ({
    ticketIds: t.idList({ required: true, description: '1 to 100 tickets; all are assigned or none.' }),
    assigneeId: t.id({ description: 'Staff ID; null unassigns.' }),
  }),
});
const MergeTicketsInput = builder.inputType('MergeTicketsInput', {
  fields: (t) => ({
    ticketId: t.id({ required: true, description: 'The open ticket that handles the incident.' }),
    sourceTicketIds: t.idList({ required: true, description: 'Tickets whose feedback moves to it (1 to 100, at most 200 feedback); they close.' }),
  }),
});

const BulkPayload = builder.objectRef<BulkChange>('BulkAssignTicketsPayload').implement({
  fields: (t) => ({
    tickets: t.drizzleField({
      type: ['tickets'],
      resolve: (query, p, _a, ctx) => ctx.db.query.tickets.findMany(query({ where: { id: { in: p.tickets.map((x) => x.id) } }, orderBy: { receivedAt: 'desc' } })),
    }),
  }),
});

const who = (input: { departmentId?: string | null; staffId?: string | null }) => ({
  departmentId: input.departmentId ? inputId(input.departmentId, 'Department', ['input', 'departmentId']) : null,
  staffId: input.staffId ? inputId(input.staffId, 'Staff', ['input', 'staffId']) : null,
});
const ticketIdOf = (input: { ticketId: string }) => inputId(input.ticketId, 'Ticket', ['input', 'ticketId']);

builder.mutationFields((t) => ({
  reclassifyTicket: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    description: 'Sets the category and tags of every feedback on the ticket, with an INTERNAL RECLASSIFIED event. SLA targets stay as committed.',
    errors: { ...ticketErrors, union: { name: 'ReclassifyTicketResult' } },
    args: { input: t.arg({ type: ReclassifyTicketInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.handling.reclassify(ctx.viewer, ticketIdOf(input), input.category ?? null, input.tags),
  }),
  addTicketCollaborator: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    description: 'Consults a department or staff member without handing over: they see the ticket and its internal notes and may add notes.',
    errors: { ...ticketErrors, union: { name: 'AddTicketCollaboratorResult' } },
    args: { input: t.arg({ type: CollaboratorInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.handling.setCollaborator(ctx.viewer, ticketIdOf(input), who(input), true),
  }),
  removeTicketCollaborator: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    errors: { ...ticketErrors, union: { name: 'RemoveTicketCollaboratorResult' } },
    args: { input: t.arg({ type: CollaboratorInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.handling.setCollaborator(ctx.viewer, ticketIdOf(input), who(input), false),
  }),
  bulkAssignTickets: t.field({
    type: BulkPayload,
    authScopes: writeScopes,
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], directResult: true, union: { name: 'BulkAssignTicketsResult' } },
    args: { input: t.arg({ type: BulkAssignInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.handling.bulkAssign(
        ctx.viewer,
        input.ticketIds.map((id, i) => inputId(String(id), 'Ticket', ['input', 'ticketIds', String(i)])),
        input.assigneeId ? inputId(input.assigneeId, 'Staff', ['input', 'assigneeId']) : null,
      ),
  }),
  mergeTickets: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    description: 'Merges whole tickets into one (every feedback of the sources moves to it); resolving it informs every linked customer.',
    errors: { ...ticketErrors, union: { name: 'MergeTicketsResult' } },
    args: { input: t.arg({ type: MergeTicketsInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.handling.mergeTickets(
        ctx.viewer,
        ticketIdOf(input),
        input.sourceTicketIds.map((id, i) => inputId(String(id), 'Ticket', ['input', 'sourceTicketIds', String(i)])),
      ),
  }),
}));

const RoutingSampleInput = builder.inputType('RoutingSampleInput', {
  description: 'A feedback as routing sees it, to try the rules on before it exists.',
  fields: (t) => ({
    kind: t.field({ type: FeedbackKindEnum, required: true }),
    content: t.string({ required: true }),
    category: t.string(),
    tierCode: t.string(),
    channel: t.field({ type: ChannelEnum }),
  }),
});
const RoutingTestRef = builder.objectRef<{ ruleId: string | null; draftMatches: boolean | null }>('RoutingTest').implement({
  fields: (t) => ({
    rule: t.drizzleField({
      type: 'routingRules', nullable: true, description: 'The saved rule that would route the sample (first enabled match by position).',
      resolve: (query, r, _a, ctx) => (r.ruleId ? ctx.db.query.routingRules.findFirst(query({ where: { id: r.ruleId } })).then((x) => x ?? null) : null),
    }),
    draftMatches: t.boolean({ nullable: true, description: 'Whether the draft rule given as `match` would match the sample.', resolve: (r) => r.draftMatches }),
  }),
});

builder.queryField('testRouting', (t) =>
  t.field({
    type: RoutingTestRef,
    description: 'Tries the routing rules (and optionally a draft rule not yet saved) on a sample feedback. Changes nothing.',
    authScopes: { workflowReader: true },
    args: { sample: t.arg({ type: RoutingSampleInput, required: true }), match: t.arg({ type: RoutingMatchInput }) },
    resolve: async (_r, { sample, match }, ctx) => {
      if ([...sample.content].length > 5000) throw new ValidationError([{ path: ['sample', 'content'], code: 'TOO_LONG', message: 'content must be at most 5000 characters' }]);
      const input = { kind: sample.kind, content: sample.content, category: sample.category ?? null, tierCode: sample.tierCode ?? null, channel: sample.channel ?? null };
      const rules = await ctx.db.transaction((tx) => loadRules(tx));
      const decision = routeFeedback(rules, input);
      const draft = match ? ruleMatches({ kinds: match.kinds ?? [], categories: match.categories ?? [], keywords: match.keywords ?? [], tiers: match.tiers ?? [], channels: match.channels ?? [] }, input) : null;
      return { ruleId: decision.ruleId, draftMatches: draft };
    },
  }),
);
