import { normalizeTrackingCode, type FeedbackKind, type TicketStatus, type Channel } from '@closeloop/domain';
import { builder } from './builder.ts';
import { canReadFeedback, mayEverSeeInternal, partnerReadsFeedback, ticketScopeWhere } from '../policy/access.ts';
import { rememberFeedback } from './visibility.ts';
import { contactValue } from './pii.ts';
import { ChannelEnum, FeedbackKindEnum, TicketStatusEnum } from './enums.ts';
import { ConflictError, ForbiddenError, RateLimitedError, ValidationError } from '../policy/errors.ts';
import { checkPage } from './ids.ts';
import type { FeedbackRow } from '../services/feedback.ts';
import type { Context } from '../context.ts';

interface ContactShape {
  name: string | null; phone: string | null; email: string | null;
  feedbackId: string; customerId: string | null; assigneeId: string | null;
}

const staffId = (ctx: Context) => (ctx.viewer.kind === 'STAFF' ? ctx.viewer.staff.id : null);
const subject = (c: ContactShape, ctx: Context) => ({
  type: 'Feedback' as const, id: c.feedbackId, customerId: c.customerId,
  assigned: c.assigneeId !== null && c.assigneeId === staffId(ctx), granted: ctx.grants.has(c.feedbackId),
});

const ContactRef = builder.objectRef<ContactShape>('Contact').implement({
  description: 'Phone and e-mail are masked (138****8000, z***@bank.com) for readers without pii:read; see docs/security.md.',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true }),
    phone: t.string({ nullable: true, resolve: (c, _a, ctx) => contactValue(ctx, subject(c, ctx), 'phone', c.phone) }),
    email: t.string({ nullable: true, resolve: (c, _a, ctx) => contactValue(ctx, subject(c, ctx), 'email', c.email) }),
  }),
});

export const FeedbackRef = builder.drizzleNode('feedback', {
  name: 'Feedback',
  description: 'One submission by one customer. Its status is the status of the ticket handling it.',
  id: { column: (f) => f.id },
  select: {
    columns: { id: true, customerId: true },
    with: { ticket: { columns: { departmentId: true, assigneeId: true, status: true, resolutionDueAt: true, collaboratorDepartmentIds: true, collaboratorStaffIds: true } } },
  },
  authScopes: (f, ctx) => {
    const ok = canReadFeedback(ctx.viewer, ctx.grants, f);
    // Its timeline events then need no query of their own to apply their rule (visibility.ts).
    if (ok) rememberFeedback(ctx, f);
    return ok;
  },
  runScopesOnType: true,
  fields: (t) => ({
    trackingCode: t.exposeString('trackingCode'),
    kind: t.expose('kind', { type: FeedbackKindEnum }),
    channel: t.expose('channel', { type: ChannelEnum }),
    status: t.field({ type: TicketStatusEnum, resolve: (f) => f.ticket.status }),
    content: t.exposeString('content', { description: 'Plain text as submitted; render as text, never as HTML.' }),
    category: t.exposeString('category', { nullable: true }),
    tags: t.exposeStringList('tags'),
    receivedAt: t.expose('receivedAt', { type: 'DateTime' }),
    expectedResolutionAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the institution committed to resolve it (the SLA resolution due time).',
      resolve: (f) => f.ticket.resolutionDueAt,
    }),
    contact: t.field({
      type: ContactRef,
      select: { columns: { contactName: true, contactPhone: true, contactEmail: true } },
      resolve: (f) => ({
        name: f.contactName, phone: f.contactPhone, email: f.contactEmail,
        feedbackId: f.id, customerId: f.customerId, assigneeId: f.ticket.assigneeId ?? null,
      }),
    }),
    timeline: t.relation('timeline', {
      description: 'Events in order. Customers and anonymous submitters receive PUBLIC events only; INTERNAL ones need the ticket.',
      query: (_args, ctx) => ({ where: timelineWhere(ctx) as never, orderBy: { position: 'asc' as const } }),
    }),
    customer: t.relation('customer', { nullable: true, description: 'null when the caller may not read customer records.' }),
    ticket: t.relation('ticket', { nullable: true, description: 'The handling case; null for callers who may not read tickets (customers, submitters).' }),
  }),
});

const FeedbackFilter = builder.inputType('FeedbackFilter', {
  fields: (t) => ({
    kind: t.field({ type: [FeedbackKindEnum] }),
    channel: t.field({ type: [ChannelEnum] }),
    status: t.field({ type: [TicketStatusEnum] }),
  }),
});

/** The SQL side of the TimelineEvent rule for events of a feedback the caller can already read. */
function timelineWhere(ctx: Context): Record<string, unknown> | undefined {
  const v = ctx.viewer;
  if (!mayEverSeeInternal(v)) return { visibility: 'PUBLIC' };
  const scope = ticketScopeWhere(v);
  // Department-bound staff reading through an access key see INTERNAL events of their own tickets only.
  return scope ? { OR: [{ visibility: 'PUBLIC' }, { feedback: { ticket: scope } }] } : undefined;
}

/** Matches nothing: for callers who may read no feedback on this path. */
const NONE = { id: { isNull: true } };

export function feedbackWhere(ctx: Context, filter: { kind?: FeedbackKind[] | null; channel?: Channel[] | null; status?: TicketStatus[] | null } | null | undefined) {
  const v = ctx.viewer;
  const ticket: Record<string, unknown> = {};
  const where: Record<string, unknown> = {};
  if (v.kind === 'CUSTOMER') where.customerId = v.customer.id;
  else if (v.kind === 'PARTNER' && !partnerReadsFeedback(v)) return NONE;
  else if (v.kind === 'ANONYMOUS') return NONE;
  const scope = ticketScopeWhere(v);
  if (scope) Object.assign(ticket, scope);
  if (filter?.kind?.length) where.kind = { in: filter.kind };
  if (filter?.channel?.length) where.channel = { in: filter.channel };
  if (filter?.status?.length) ticket.status = { in: filter.status };
  if (Object.keys(ticket).length) where.ticket = ticket;
  return where;
}

builder.queryFields((t) => ({
  trackFeedback: t.drizzleField({
    type: 'feedback',
    nullable: true,
    description:
      'Follow a feedback by its tracking code. Anonymous submitters must pass the access key they received; ' +
      'the signed-in owner and staff need none. Returns null when the code is unknown or the key does not match.',
    args: {
      trackingCode: t.arg.string({ required: true }),
      accessKey: t.arg.string(),
    },
    resolve: async (query, _root, args, ctx) => {
      await ctx.limits?.accessCheck(ctx.viewer, ctx.clientAddress, args.trackingCode);
      const code = normalizeTrackingCode(args.trackingCode);
      if (code.length > 32) return null;
      // The documents the widget sends are answered by compiled/ before they reach this resolver.
      const row = await ctx.db.query.feedback.findFirst(query({ where: { trackingCode: code } }));
      if (!row) return null;
      // The type's selection always loads these, whatever the client asked for.
      const f = row as unknown as { id: string; customerId: string | null; ticket: { departmentId: string | null } };
      if (args.accessKey && ctx.services.feedback.verifyAccessKey(f.id, args.accessKey)) {
        ctx.grants.add(f.id);
        return row;
      }
      return canReadFeedback(ctx.viewer, ctx.grants, f) ? row : null;
    },
  }),
  feedbacks: t.drizzleConnection({
    type: 'feedback',
    description: 'Feedback visible to the caller, newest first: a customer sees their own, staff their departments.',
    authScopes: (_r, _a, ctx) => ctx.viewer.kind === 'CUSTOMER' || ctx.viewer.kind === 'STAFF' || partnerReadsFeedback(ctx.viewer),
    args: { filter: t.arg({ type: FeedbackFilter }) },
    resolve: (query, _root, args, ctx) => {
      checkPage(args);
      return ctx.db.query.feedback.findMany(query({ where: feedbackWhere(ctx, args.filter) as never, orderBy: { receivedAt: 'desc' } }));
    },
  }),
}));

const ContactInput = builder.inputType('ContactInput', {
  fields: (t) => ({
    name: t.string(),
    phone: t.string(),
    email: t.string(),
  }),
});

const SubmitFeedbackInput = builder.inputType('SubmitFeedbackInput', {
  fields: (t) => ({
    kind: t.field({ type: FeedbackKindEnum, required: true }),
    content: t.string({ required: true, description: '5–5000 characters.' }),
    category: t.string(),
    tags: t.stringList(),
    contact: t.field({ type: ContactInput, description: 'How to reach an anonymous submitter.' }),
    channel: t.field({ type: ChannelEnum, description: 'Staff and partners only: where the feedback came in (PHONE, BRANCH, …).' }),
    receivedAt: t.field({ type: 'DateTime', description: 'Staff and partners only: when it was really received.' }),
    customerExternalId: t.string({ description: "Staff and partners only: the host's customer id." }),
    idempotencyKey: t.string({
      description: 'Retry-safe submission: the same key with the same input returns the first result; with different input, a ConflictError.',
    }),
  }),
});

interface SubmitPayloadShape { feedback: FeedbackRow; accessKey: string | null; replayed: boolean }

const SubmitFeedbackPayload = builder.objectRef<SubmitPayloadShape>('SubmitFeedbackPayload').implement({
  fields: (t) => ({
    feedback: t.drizzleField({
      type: 'feedback',
      resolve: async (query, p, _args, ctx) => (await ctx.db.query.feedback.findFirst(query({ where: { id: p.feedback.id } })))!,
    }),
    trackingCode: t.string({ resolve: (p) => p.feedback.trackingCode }),
    accessKey: t.string({
      nullable: true,
      description: 'Anonymous submissions only: keep it with the tracking code to follow the feedback. Shown again only on an idempotent retry.',
      resolve: (p) => p.accessKey,
    }),
    replayed: t.boolean({ description: 'True when an idempotent retry returned the first result.', resolve: (p) => p.replayed }),
  }),
});

builder.mutationFields((t) => ({
  submitFeedback: t.field({
    type: SubmitFeedbackPayload,
    errors: { types: [ValidationError, ForbiddenError, ConflictError, RateLimitedError], directResult: true, union: { name: 'SubmitFeedbackResult' } },
    args: { input: t.arg({ type: SubmitFeedbackInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await ctx.limits?.submission(ctx.viewer, ctx.clientAddress);
      const result = await ctx.services.feedback.submit(ctx.viewer, input);
      ctx.grants.add(result.feedback.id);
      return result;
    },
  }),
}));
