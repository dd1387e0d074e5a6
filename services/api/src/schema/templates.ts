// Reply templates, saved queue views (with counts) and the auditor's audit trail (issue 13).
import { encodeGlobalID } from '@pothos/plugin-relay';
import { asc, eq, gt, lt, desc, sql } from 'drizzle-orm';
import { auditLog, savedViews, tickets } from '@closeloop/db';
import type { StaffRole } from '@closeloop/domain';
import { builder } from './builder.ts';
import { canReadTicket } from '../policy/access.ts';
import { ChannelEnum, FeedbackKindEnum, SlaStateEnum, TicketStatusEnum } from './enums.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../policy/errors.ts';
import { argId, inputId } from './ids.ts';
import { TicketFilter, TicketOrder, ticketWhere, type TicketFilterShape } from './ticket.ts';
import { DeletedRef } from './workflow.ts';
import { PLACEHOLDERS, type SavedViewRow } from '../services/templates.ts';
import { GENESIS_HASH, auditHash } from '../services/audit.ts';

const admin = { staffRole: ['ADMIN', 'SUPERVISOR'] as StaffRole[] };
const errs = (name: string) => ({ types: [ValidationError, NotFoundError, ForbiddenError, ConflictError], directResult: true as const, union: { name } });

export const ReplyTemplateRef = builder.drizzleNode('replyTemplates', {
  name: 'ReplyTemplate',
  description: `A canned reply in one locale. Placeholders: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`,
  id: { column: (r) => r.id },
  authScopes: { staff: true },
  runScopesOnType: true,
  fields: (t) => ({
    name: t.exposeString('name'),
    locale: t.exposeString('locale', { description: 'zh-CN, zh-TW or en.' }),
    body: t.exposeString('body'),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const SavedFilterRef = builder.objectRef<TicketFilterShape>('SavedTicketFilter').implement({
  description: 'The TicketFilter a saved view applies.',
  fields: (t) => ({
    status: t.field({ type: [TicketStatusEnum], nullable: true, resolve: (f) => f.status ?? null }),
    kind: t.field({ type: [FeedbackKindEnum], nullable: true, resolve: (f) => f.kind ?? null }),
    channel: t.field({ type: [ChannelEnum], nullable: true, resolve: (f) => f.channel ?? null }),
    tier: t.stringList({ nullable: true, resolve: (f) => f.tier ?? null }),
    departmentId: t.id({ nullable: true, resolve: (f) => f.departmentId ?? null }),
    assigneeId: t.id({ nullable: true, resolve: (f) => f.assigneeId ?? null }),
    unassigned: t.boolean({ nullable: true, resolve: (f) => f.unassigned ?? null }),
    slaBreached: t.boolean({ nullable: true, resolve: (f) => f.slaBreached ?? null }),
    slaState: t.field({ type: [SlaStateEnum], nullable: true, resolve: (f) => f.slaState ?? null }),
    followUpRequired: t.boolean({ nullable: true, resolve: (f) => f.followUpRequired ?? null }),
  }),
});

const SavedViewRef = builder.objectRef<SavedViewRow>('SavedView').implement({
  description: "A staff member's own saved queue filter.",
  fields: (t) => ({
    id: t.id({ resolve: (v) => encodeGlobalID('SavedView', v.id) }),
    name: t.exposeString('name'),
    filter: t.field({ type: SavedFilterRef, resolve: (v) => v.filter as TicketFilterShape }),
    orderBy: t.field({ type: TicketOrder, resolve: (v) => v.orderBy as never }),
    count: t.int({
      description: 'Tickets matching it now, within what the caller may read.',
      resolve: async (v, _a, ctx) => {
        // count(*) over () is taken before the LIMIT: one row carries the total.
        const row = await ctx.db.query.tickets.findFirst({
          where: ticketWhere(ctx, v.filter as TicketFilterShape) as never,
          columns: { id: true },
          extras: { total: () => sql<number>`(count(*) over ())::int` },
        });
        return (row as { total?: number } | undefined)?.total ?? 0;
      },
    }),
  }),
});

interface AuditRow { id: number; at: Date; actorType: string; actorId: string | null; action: string; targetType: string | null; targetId: string | null; data: unknown }
const AuditEntryRef = builder.objectRef<AuditRow>('AuditEntry').implement({
  description: 'One append-only, hash-chained audit record.',
  fields: (t) => ({
    sequence: t.string({ resolve: (r) => String(r.id) }),
    at: t.expose('at', { type: 'DateTime' }),
    actorType: t.exposeString('actorType'),
    actorId: t.exposeString('actorId', { nullable: true }),
    action: t.exposeString('action'),
    targetType: t.exposeString('targetType', { nullable: true }),
    targetId: t.exposeString('targetId', { nullable: true }),
    data: t.string({ nullable: true, description: 'The recorded details as JSON text.', resolve: (r) => (r.data == null ? null : JSON.stringify(r.data)) }),
  }),
});
const AuditChainRef = builder.objectRef<{ intact: boolean; checked: number; firstBrokenSequence: string | null }>('AuditChainCheck').implement({
  fields: (t) => ({
    intact: t.exposeBoolean('intact'),
    checked: t.exposeInt('checked', { description: 'Records verified.' }),
    firstBrokenSequence: t.exposeString('firstBrokenSequence', { nullable: true }),
  }),
});

const auditors = { staffRole: ['AUDITOR', 'ADMIN'] as StaffRole[] };
const CHAIN_PAGE = 2000;

builder.queryFields((t) => ({
  replyTemplates: t.drizzleField({
    type: ['replyTemplates'],
    authScopes: { staff: true },
    args: { locale: t.arg.string({ description: 'Only this locale (zh-CN, zh-TW, en).' }) },
    resolve: (query, _r, args, ctx) =>
      ctx.db.query.replyTemplates.findMany(query({ where: args.locale ? { locale: args.locale } : undefined, orderBy: { name: 'asc', locale: 'asc' }, limit: 500 })),
  }),
  renderReplyTemplate: t.string({
    description: "A template filled in for one ticket: what a reply would say. Staff who may read the ticket.",
    authScopes: { staff: true },
    args: { templateId: t.arg.id({ required: true }), ticketId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const ticketId = argId(String(args.ticketId), 'Ticket', 'ticketId');
      const [row] = await ctx.db.select().from(tickets).where(eq(tickets.id, ticketId)).limit(1);
      if (!row || !canReadTicket(ctx.viewer, row)) throw new NotFoundError('No such ticket');
      return ctx.services.templates.render(ctx.viewer, argId(String(args.templateId), 'ReplyTemplate', 'templateId'), ticketId);
    },
  }),
  savedViews: t.field({
    type: [SavedViewRef],
    description: "The signed-in staff member's saved queue views, in their order.",
    authScopes: { staff: true },
    resolve: (_r, _a, ctx) =>
      ctx.viewer.kind === 'STAFF'
        ? ctx.db.select().from(savedViews).where(eq(savedViews.staffId, ctx.viewer.staff.id)).orderBy(asc(savedViews.position), asc(savedViews.name))
        : [],
  }),
  auditTrail: t.field({
    type: [AuditEntryRef],
    description: 'Audit records, newest first, 1–100 at a time; pass the last `sequence` as `before` for older ones. Auditors and admins.',
    authScopes: auditors,
    args: { first: t.arg.int({ defaultValue: 50 }), before: t.arg.string() },
    resolve: (_r, args, ctx) => {
      const first = args.first ?? 50;
      if (first < 1 || first > 100) throw new ValidationError([{ path: ['first'], code: 'OUT_OF_RANGE', message: 'first must be 1–100' }]);
      const before = args.before != null ? Number(args.before) : null;
      if (before !== null && !Number.isSafeInteger(before)) throw new ValidationError([{ path: ['before'], code: 'INVALID', message: 'before must be a sequence' }]);
      return ctx.db.select().from(auditLog).where(before !== null ? lt(auditLog.id, before) : undefined).orderBy(desc(auditLog.id)).limit(first) as Promise<AuditRow[]>;
    },
  }),
  auditChainCheck: t.field({
    type: AuditChainRef,
    description: 'Recomputes every hash of the audit trail from the first record: intact, or where the chain breaks.',
    authScopes: auditors,
    resolve: async (_r, _a, ctx) => {
      let prev = GENESIS_HASH;
      let checked = 0;
      let after = 0;
      for (;;) {
        const rows = await ctx.db.select().from(auditLog).where(gt(auditLog.id, after)).orderBy(asc(auditLog.id)).limit(CHAIN_PAGE);
        for (const r of rows) {
          if (r.prevHash !== prev || auditHash(prev, { ...r, at: r.at.toISOString() }) !== r.hash) {
            return { intact: false, checked, firstBrokenSequence: String(r.id) };
          }
          prev = r.hash;
          checked++;
        }
        if (rows.length < CHAIN_PAGE) return { intact: true, checked, firstBrokenSequence: null };
        after = rows.at(-1)!.id;
      }
    },
  }),
}));

const CreateTemplateInput = builder.inputType('CreateReplyTemplateInput', {
  fields: (t) => ({ name: t.string({ required: true }), locale: t.string({ required: true }), body: t.string({ required: true }) }),
});
const UpdateTemplateInput = builder.inputType('UpdateReplyTemplateInput', {
  fields: (t) => ({ id: t.id({ required: true }), name: t.string(), locale: t.string(), body: t.string() }),
});
const IdInput = builder.inputType('DeleteByIdInput', { fields: (t) => ({ id: t.id({ required: true }) }) });
const SaveViewInput = builder.inputType('SaveQueueViewInput', {
  fields: (t) => ({
    id: t.id({ description: 'Updates this view; omitted, a new one is created.' }),
    name: t.string({ required: true }),
    filter: t.field({ type: TicketFilter, required: true }),
    orderBy: t.field({ type: TicketOrder, defaultValue: 'DUE_SOONEST' }),
  }),
});

/** Only the filter's own keys, with IDs checked now so a saved view never fails later. */
function cleanFilter(f: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) if (v != null && (!Array.isArray(v) || v.length)) out[k] = v;
  if (out.departmentId) inputId(String(out.departmentId), 'Department', ['input', 'filter', 'departmentId']);
  if (out.assigneeId) inputId(String(out.assigneeId), 'Staff', ['input', 'filter', 'assigneeId']);
  return out;
}

builder.mutationFields((t) => ({
  createReplyTemplate: t.field({
    type: ReplyTemplateRef, authScopes: admin, errors: errs('CreateReplyTemplateResult'),
    args: { input: t.arg({ type: CreateTemplateInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.templates.createTemplate(ctx.viewer, input) as never,
  }),
  updateReplyTemplate: t.field({
    type: ReplyTemplateRef, authScopes: admin, errors: errs('UpdateReplyTemplateResult'),
    args: { input: t.arg({ type: UpdateTemplateInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.templates.updateTemplate(ctx.viewer, inputId(input.id, 'ReplyTemplate', ['input', 'id']), input) as never,
  }),
  deleteReplyTemplate: t.field({
    type: DeletedRef, authScopes: admin, errors: errs('DeleteReplyTemplateResult'),
    args: { input: t.arg({ type: IdInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      await ctx.services.templates.deleteTemplate(ctx.viewer, inputId(input.id, 'ReplyTemplate', ['input', 'id']));
      return { id: input.id };
    },
  }),
  saveQueueView: t.field({
    type: SavedViewRef, authScopes: { staffWriter: true }, errors: errs('SaveQueueViewResult'),
    args: { input: t.arg({ type: SaveViewInput, required: true }) },
    resolve: (_r, { input }, ctx) => {
      if (ctx.viewer.kind !== 'STAFF') throw new ForbiddenError('Only staff have saved views');
      return ctx.services.templates.saveView(ctx.viewer, {
        id: input.id ? inputId(input.id, 'SavedView', ['input', 'id']) : null,
        name: input.name,
        filter: cleanFilter(input.filter as Record<string, unknown>),
        orderBy: input.orderBy ?? 'DUE_SOONEST',
      });
    },
  }),
  deleteQueueView: t.field({
    type: DeletedRef, authScopes: { staffWriter: true }, errors: errs('DeleteQueueViewResult'),
    args: { input: t.arg({ type: IdInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      if (ctx.viewer.kind !== 'STAFF') throw new ForbiddenError('Only staff have saved views');
      await ctx.services.templates.deleteView(ctx.viewer, inputId(input.id, 'SavedView', ['input', 'id']));
      return { id: input.id };
    },
  }),
}));

