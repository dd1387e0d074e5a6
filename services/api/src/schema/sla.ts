// SLA figures on tickets and feedback, and the workflow mutations on tickets: escalation,
// reprioritisation, merging and unlinking, and an on-demand sweep.
import {
  calendarCoverage, computeSla, effectiveTargets, holidaysCoveredUntil,
  type BusinessCalendar, type CalendarCoverage, type Priority, type SlaResult, type StaffRole,
} from '@closeloop/domain';
import { builder } from './builder.ts';
import { PriorityEnum } from './enums.ts';
import { canReadFeedbackSla } from '../policy/access.ts';
import { ForbiddenError, InvalidTransitionError, NotFoundError, ValidationError } from '../policy/errors.ts';
import { inputId } from './ids.ts';
import { TicketPayload, TicketRef } from './ticket.ts';
import { FeedbackRef } from './feedback.ts';
import { eq } from 'drizzle-orm';
import { businessCalendars } from '@closeloop/db';
import { pausesOf, toBusinessCalendar, type StoredPause } from '../services/sla.ts';
import type { Context } from '../context.ts';
import './workflow.ts';

// Defined with the other enums: the ticket filter takes it too (TicketFilter.slaState).
export { SlaStateEnum } from './enums.ts';
import { SlaStateEnum } from './enums.ts';

interface SlaView {
  sla: SlaResult; targets: { firstResponseMinutes: number; resolutionMinutes: number }; paused: boolean;
  coverage: CalendarCoverage; coveredUntil: string | null;
}

export const CalendarCoverageEnum = builder.enumType('CalendarCoverage', {
  values: {
    COVERED: { description: "The calendar's public holidays are known for every year the clock runs through." },
    HOLIDAYS_MISSING: { description: 'The clock runs into a year whose holidays the calendar does not list: those days were counted as ordinary days, so a due time may be early. An admin should add that year (docs/workflow.md).' },
  } as const,
});

const SlaTargetsRef = builder.objectRef<SlaView['targets']>('SlaTargets').implement({
  fields: (t) => ({
    firstResponseMinutes: t.exposeInt('firstResponseMinutes', { description: 'Business minutes.' }),
    resolutionMinutes: t.exposeInt('resolutionMinutes', { description: 'Business minutes.' }),
  }),
});

const SlaStatusRef = builder.objectRef<SlaView>('SlaStatus').implement({
  description: 'SLA figures at the time of the request, measured on the business calendar.',
  fields: (t) => ({
    state: t.field({ type: SlaStateEnum, resolve: (v) => v.sla.state }),
    firstResponseState: t.field({ type: SlaStateEnum, resolve: (v) => v.sla.firstResponseState }),
    resolutionState: t.field({ type: SlaStateEnum, resolve: (v) => v.sla.resolutionState }),
    firstResponseDueAt: t.field({ type: 'DateTime', resolve: (v) => v.sla.firstResponseDueAt }),
    firstResponseWarnAt: t.field({ type: 'DateTime', resolve: (v) => v.sla.firstResponseWarnAt }),
    resolutionDueAt: t.field({ type: 'DateTime', resolve: (v) => v.sla.resolutionDueAt, description: 'While paused: as if the customer answered now.' }),
    resolutionWarnAt: t.field({ type: 'DateTime', resolve: (v) => v.sla.resolutionWarnAt }),
    businessMinutesRemaining: t.float({ resolve: (v) => v.sla.businessMinutesRemaining, description: 'Resolution clock; negative once breached.' }),
    targets: t.field({ type: SlaTargetsRef, resolve: (v) => v.targets }),
    paused: t.boolean({ resolve: (v) => v.paused }),
    calendarCoverage: t.field({
      type: CalendarCoverageEnum, resolve: (v) => v.coverage,
      description: 'Whether the business calendar knows the public holidays of every year from receipt to the due times (HOLIDAYS_MISSING: the figures may be wrong).',
    }),
    holidaysCoveredUntil: t.string({
      nullable: true, resolve: (v) => v.coveredUntil,
      description: "Last local date (YYYY-MM-DD) up to which the calendar's holidays are known, counting from receipt; null when not even that year is known.",
    }),
  }),
});

const SlaPauseRef = builder.objectRef<StoredPause>('SlaPause').implement({
  description: 'A period AWAITING_CUSTOMER, during which the resolution clock stops.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', resolve: (p) => new Date(p.from) }),
    to: t.field({ type: 'DateTime', nullable: true, resolve: (p) => (p.to ? new Date(p.to) : null) }),
  }),
});

interface SlaSource {
  receivedAt: Date; firstRespondedAt: Date | null; resolvedAt: Date | null; pauses: StoredPause[];
  targets: { firstResponseMinutes: number; resolutionMinutes: number } | null; calendarId: string | null;
}

/**
 * Calendars are loaded once per request and calendar id (rather than joined to every ticket row):
 * a page of tickets shares one or two calendars.
 */
const calendarsByRequest = new WeakMap<object, Map<string, Promise<BusinessCalendar | null>>>();
function calendarFor(ctx: Context, id: string): Promise<BusinessCalendar | null> {
  let cache = calendarsByRequest.get(ctx);
  if (!cache) calendarsByRequest.set(ctx, (cache = new Map()));
  let hit = cache.get(id);
  if (!hit) {
    hit = ctx.db.select().from(businessCalendars).where(eq(businessCalendars.id, id)).limit(1).then(([row]) => (row ? toBusinessCalendar(row) : null));
    cache.set(id, hit);
  }
  return hit;
}

async function view(ctx: Context, s: SlaSource): Promise<SlaView | null> {
  if (!s.targets || !s.calendarId) return null;
  const calendar = await calendarFor(ctx, s.calendarId);
  if (!calendar) return null;
  const pauses = pausesOf(s.pauses);
  const now = new Date();
  let sla: SlaResult;
  try {
    sla = computeSla({ calendar, targets: s.targets, receivedAt: s.receivedAt, now, pauses, firstRespondedAt: s.firstRespondedAt, resolvedAt: s.resolvedAt });
  } catch (e) {
    if (e instanceof RangeError) return null; // outside the supported years (services/sla.ts, safeSlaOf)
    throw e;
  }
  const until = new Date(Math.max(sla.firstResponseDueAt.getTime(), sla.resolutionDueAt.getTime(), (s.resolvedAt ?? now).getTime()));
  return {
    sla, targets: s.targets, paused: !s.resolvedAt && pauses.some((p) => p.to === null),
    coverage: calendarCoverage(calendar, s.receivedAt, until), coveredUntil: holidaysCoveredUntil(calendar, s.receivedAt),
  };
}

const ticketSlaSelect = {
  columns: { receivedAt: true, firstRespondedAt: true, resolvedAt: true, slaPauses: true, slaFirstResponseMinutes: true, slaResolutionMinutes: true, calendarId: true },
} as const;

type TicketSlaRow = {
  receivedAt: Date; firstRespondedAt: Date | null; resolvedAt: Date | null; slaPauses: StoredPause[];
  slaFirstResponseMinutes: number | null; slaResolutionMinutes: number | null; calendarId: string | null;
};
const ticketView = (ctx: Context, t: TicketSlaRow) => view(ctx, {
  receivedAt: t.receivedAt, firstRespondedAt: t.firstRespondedAt, resolvedAt: t.resolvedAt, pauses: t.slaPauses, calendarId: t.calendarId,
  targets: t.slaFirstResponseMinutes == null || t.slaResolutionMinutes == null ? null
    : { firstResponseMinutes: t.slaFirstResponseMinutes, resolutionMinutes: t.slaResolutionMinutes },
});

builder.drizzleObjectFields(TicketRef, (t) => ({
  sla: t.field({ type: SlaStatusRef, nullable: true, select: ticketSlaSelect, resolve: (r, _a, ctx) => ticketView(ctx, r as never), description: 'null when no SLA policy applies.' }),
  slaState: t.field({ type: SlaStateEnum, nullable: true, select: ticketSlaSelect, resolve: async (r, _a, ctx) => (await ticketView(ctx, r as never))?.sla.state ?? null }),
  businessMinutesRemaining: t.float({
    nullable: true, select: ticketSlaSelect, description: 'Business minutes left on the resolution clock (pauses excluded); negative once breached.',
    resolve: async (r, _a, ctx) => (await ticketView(ctx, r as never))?.sla.businessMinutesRemaining ?? null,
  }),
  firstResponseWarnAt: t.expose('firstResponseWarnAt', { type: 'DateTime', nullable: true }),
  resolutionWarnAt: t.expose('resolutionWarnAt', { type: 'DateTime', nullable: true }),
  firstResponseBreachedAt: t.expose('firstResponseBreachedAt', { type: 'DateTime', nullable: true, description: 'When the sweeper recorded the breach.' }),
  resolutionBreachedAt: t.expose('resolutionBreachedAt', { type: 'DateTime', nullable: true }),
  slaPauses: t.field({ type: [SlaPauseRef], select: { columns: { slaPauses: true } }, resolve: (r) => r.slaPauses }),
  calendar: t.relation('calendar', { nullable: true }),
  mergedInto: t.relation('mergedInto', { nullable: true, description: 'Set when all its feedback were merged into that ticket (this one is then CLOSED).' }),
}));

builder.drizzleObjectFields(FeedbackRef, (t) => ({
  sla: t.field({
    type: SlaStatusRef,
    nullable: true,
    authScopes: (_f, _a, ctx) => canReadFeedbackSla(ctx.viewer),
    description: "This customer's own SLA figures: from this feedback's receivedAt with its own targets (a merged ticket runs on the strictest).",
    select: {
      columns: { receivedAt: true, firstRespondedAt: true, slaFirstResponseMinutes: true, slaResolutionMinutes: true },
      with: { ticket: { columns: { priority: true, resolvedAt: true, slaPauses: true, calendarId: true } } },
    },
    resolve: (f, _a, ctx) => {
      const r = f as unknown as {
        receivedAt: Date; firstRespondedAt: Date | null; slaFirstResponseMinutes: number | null; slaResolutionMinutes: number | null;
        ticket: { priority: Priority; resolvedAt: Date | null; slaPauses: StoredPause[]; calendarId: string | null };
      };
      const base = r.slaFirstResponseMinutes == null || r.slaResolutionMinutes == null ? null
        : { firstResponseMinutes: r.slaFirstResponseMinutes, resolutionMinutes: r.slaResolutionMinutes };
      return view(ctx, {
        receivedAt: r.receivedAt, firstRespondedAt: r.firstRespondedAt ?? r.ticket.resolvedAt, resolvedAt: r.ticket.resolvedAt,
        pauses: r.ticket.slaPauses, calendarId: r.ticket.calendarId, targets: effectiveTargets([base], r.ticket.priority),
      });
    },
  }),
}));

const ticketErrors = { types: [ValidationError, NotFoundError, ForbiddenError, InvalidTransitionError], directResult: true as const };
const writeScopes = { staffWriter: true, partner: 'tickets:write' } as const;

const EscalateTicketInput = builder.inputType('EscalateTicketInput', {
  fields: (t) => ({ ticketId: t.id({ required: true }), reason: t.string({ required: true, description: 'Why; shown to staff only.' }) }),
});
const SetTicketPriorityInput = builder.inputType('SetTicketPriorityInput', {
  fields: (t) => ({ ticketId: t.id({ required: true }), priority: t.field({ type: PriorityEnum, required: true }) }),
});
const MergeFeedbackInput = builder.inputType('MergeFeedbackInput', {
  fields: (t) => ({
    ticketId: t.id({ required: true, description: 'The open ticket that handles the incident.' }),
    feedbackIds: t.idList({ required: true, description: 'Feedback to link to it; tickets left without feedback are closed.' }),
  }),
});
const UnlinkFeedbackInput = builder.inputType('UnlinkFeedbackInput', { fields: (t) => ({ feedbackId: t.id({ required: true }) }) });

const SweepResultRef = builder.objectRef<{ tickets: number; warnings: number; breaches: number; escalations: number }>('SlaSweepResult').implement({
  fields: (t) => ({
    tickets: t.exposeInt('tickets'), warnings: t.exposeInt('warnings'), breaches: t.exposeInt('breaches'), escalations: t.exposeInt('escalations'),
  }),
});

builder.mutationFields((t) => ({
  escalateTicket: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    description: 'One level up (L1 → L2 → L3) and reassignment to the least-loaded handler at that level in the department.',
    errors: { ...ticketErrors, union: { name: 'EscalateTicketResult' } },
    args: { input: t.arg({ type: EscalateTicketInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.tickets.escalate(ctx.viewer, inputId(input.ticketId, 'Ticket', ['input', 'ticketId']), input.reason),
  }),
  setTicketPriority: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    description: 'Reprioritises; URGENT halves the SLA targets and due times are recomputed.',
    errors: { ...ticketErrors, union: { name: 'SetTicketPriorityResult' } },
    args: { input: t.arg({ type: SetTicketPriorityInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.tickets.setPriority(ctx.viewer, inputId(input.ticketId, 'Ticket', ['input', 'ticketId']), input.priority),
  }),
  mergeFeedback: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    errors: { ...ticketErrors, union: { name: 'MergeFeedbackResult' } },
    args: { input: t.arg({ type: MergeFeedbackInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.merge.merge(
      ctx.viewer, inputId(input.ticketId, 'Ticket', ['input', 'ticketId']),
      input.feedbackIds.map((id, i) => inputId(String(id), 'Feedback', ['input', 'feedbackIds', String(i)])),
    ),
  }),
  unlinkFeedback: t.field({
    type: TicketPayload,
    authScopes: writeScopes,
    description: 'Gives a merged feedback a new ticket of its own (routed afresh); returns the new ticket.',
    errors: { ...ticketErrors, union: { name: 'UnlinkFeedbackResult' } },
    args: { input: t.arg({ type: UnlinkFeedbackInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.merge.unlink(ctx.viewer, inputId(input.feedbackId, 'Feedback', ['input', 'feedbackId'])),
  }),
  runSlaSweep: t.field({
    type: SweepResultRef,
    authScopes: { staffRole: ['ADMIN', 'SUPERVISOR'] as StaffRole[] },
    description: 'Runs the SLA sweep now (it also runs on a timer in every API process).',
    errors: { types: [ForbiddenError], directResult: true, union: { name: 'RunSlaSweepResult' } },
    resolve: (_r, _a, ctx) => ctx.services.sweeper.sweepOnce(),
  }),
}));
