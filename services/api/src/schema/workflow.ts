// Admin configuration of the handling workflow: business calendars, SLA policies, routing rules and
// customer tiers. Readable by staff and partner systems; changed by admins and supervisors.
import { GraphQLError } from 'graphql';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { addBusinessMinutes, workingIntervalsOn, type StaffRole, type WorkingInterval } from '@closeloop/domain';
import { builder } from './builder.ts';
import { ChannelEnum, EscalationLevelEnum, FeedbackKindEnum, PriorityEnum } from './enums.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../policy/errors.ts';
import { inputId } from './ids.ts';
import { toBusinessCalendar } from '../services/sla.ts';
import { DepartmentRef } from './directory.ts';
import { CustomerRef } from './customer.ts';

const WorkingIntervalRef = builder.objectRef<WorkingInterval>('WorkingInterval').implement({
  description: 'Half-open local working interval [start, end), e.g. 09:00–12:00; "24:00" ends at midnight.',
  fields: (t) => ({ start: t.exposeString('start'), end: t.exposeString('end') }),
});
const WeekdayHoursRef = builder.objectRef<{ weekday: number; intervals: WorkingInterval[] }>('WeekdayHours').implement({
  fields: (t) => ({
    weekday: t.exposeInt('weekday', { description: 'ISO weekday: 1 = Monday … 7 = Sunday.' }),
    intervals: t.field({ type: [WorkingIntervalRef], resolve: (w) => w.intervals }),
  }),
});
const IntervalInstantRef = builder.objectRef<{ start: Date; end: Date }>('WorkingPeriod').implement({
  fields: (t) => ({ start: t.expose('start', { type: 'DateTime' }), end: t.expose('end', { type: 'DateTime' }) }),
});

const admin = { staffRole: ['ADMIN', 'SUPERVISOR'] as StaffRole[] };
/** Calendars, SLA policies and routing rules: staff, and partners with workflow:read (access.ts). */
const reader = { workflowReader: true } as const;

export const BusinessCalendarRef = builder.drizzleNode('businessCalendars', {
  name: 'BusinessCalendar',
  description: 'Working time on which SLA targets are measured: time zone, weekly hours, holidays and make-up working days.',
  id: { column: (c) => c.id },
  authScopes: reader,
  runScopesOnType: true,
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone, e.g. Asia/Shanghai.' }),
    isDefault: t.exposeBoolean('isDefault', { description: 'Used by departments without a calendar of their own.' }),
    weeklyHours: t.field({
      type: [WeekdayHoursRef],
      select: { columns: { weeklyHours: true } },
      resolve: (c) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, intervals: ((c.weeklyHours as Record<string, WorkingInterval[]>)[weekday] ?? []) })),
    }),
    holidays: t.exposeStringList('holidays', { description: 'Local dates (YYYY-MM-DD) without working time.' }),
    workingDays: t.exposeStringList('workingDays', { description: 'Make-up working days (调休上班), YYYY-MM-DD.' }),
    makeupHours: t.field({
      type: [WorkingIntervalRef], nullable: true, description: "Hours worked on make-up days; null = Monday's hours.",
      select: { columns: { makeupHours: true } },
      resolve: (c) => (c.makeupHours as WorkingInterval[] | null) ?? null,
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    workingPeriodsOn: t.field({
      type: [IntervalInstantRef],
      description: 'The working periods of one local date, as instants (check a holiday or a make-up day).',
      args: { date: t.arg.string({ required: true }) },
      select: { columns: { timeZone: true, weeklyHours: true, holidays: true, workingDays: true, makeupHours: true } },
      resolve: (c, args) => {
        try {
          return workingIntervalsOn(toBusinessCalendar(c), args.date);
        } catch {
          throw new ValidationError([{ path: ['date'], code: 'INVALID_DATE', message: 'date must be YYYY-MM-DD in 1970–2399' }]);
        }
      },
    }),
    addBusinessMinutes: t.field({
      type: 'DateTime',
      description: 'When `minutes` of working time have elapsed after `from` on this calendar (what a due time will be).',
      args: { from: t.arg({ type: 'DateTime', required: true }), minutes: t.arg.int({ required: true }) },
      select: { columns: { timeZone: true, weeklyHours: true, holidays: true, workingDays: true, makeupHours: true } },
      resolve: async (c, args, ctx) => {
        if (args.minutes < 0 || args.minutes > 366 * 1440) throw new ValidationError([{ path: ['minutes'], code: 'OUT_OF_RANGE', message: 'minutes must be 0 to 527040' }]);
        // Each alias computes in its own turn of the event loop, so many of them never hold it for
        // long, and stop once the operation has timed out (plugins/execution-timeout.ts).
        await new Promise((r) => setImmediate(r));
        if (ctx.signal?.aborted) throw new GraphQLError('The operation timed out', { extensions: { code: 'TIMEOUT' } });
        try {
          return addBusinessMinutes(toBusinessCalendar(c), args.from, args.minutes);
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          throw new ValidationError([{ path: ['from'], code: 'OUT_OF_RANGE', message: e.message }]);
        }
      },
    }),
  }),
});

export const SlaPolicyRef = builder.drizzleNode('slaPolicies', {
  name: 'SlaPolicy',
  description: 'Targets in business minutes for feedback of one kind × tier (null = any) × category (null = any). The most specific policy wins.',
  id: { column: (p) => p.id },
  authScopes: reader,
  runScopesOnType: true,
  fields: (t) => ({
    kind: t.expose('kind', { type: FeedbackKindEnum }),
    tierCode: t.exposeString('tierCode', { nullable: true }),
    category: t.exposeString('category', { nullable: true }),
    firstResponseMinutes: t.exposeInt('firstResponseMinutes'),
    resolutionMinutes: t.exposeInt('resolutionMinutes'),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const RoutingMatchRef = builder.objectRef<{ kinds: string[]; categories: string[]; keywords: string[]; tiers: string[]; channels: string[] }>('RoutingMatch').implement({
  description: 'All set criteria must match (AND); within one list any value matches (OR); an empty list sets no criterion.',
  fields: (t) => ({
    kinds: t.field({ type: [FeedbackKindEnum], resolve: (m) => m.kinds as never }),
    categories: t.exposeStringList('categories', { description: 'Case-insensitive equality with the feedback category.' }),
    keywords: t.exposeStringList('keywords', { description: 'Case-insensitive substrings of the content.' }),
    tiers: t.exposeStringList('tiers'),
    channels: t.field({ type: [ChannelEnum], resolve: (m) => m.channels as never }),
  }),
});

export const RoutingRuleRef = builder.drizzleNode('routingRules', {
  name: 'RoutingRule',
  description: 'Evaluated on submission by ascending position; the first enabled match decides department, level and priority.',
  id: { column: (r) => r.id },
  authScopes: reader,
  runScopesOnType: true,
  fields: (t) => ({
    name: t.exposeString('name'),
    position: t.exposeInt('position'),
    enabled: t.exposeBoolean('enabled'),
    isDefault: t.exposeBoolean('isDefault', { description: 'The catch-all: always evaluated last, cannot be deleted or disabled.' }),
    match: t.field({
      type: RoutingMatchRef,
      select: { columns: { kinds: true, categories: true, keywords: true, tiers: true, channels: true } },
      resolve: (r) => ({ kinds: r.kinds, categories: r.categories, keywords: r.keywords, tiers: r.tiers, channels: r.channels }),
    }),
    department: t.relation('department'),
    level: t.expose('level', { type: EscalationLevelEnum }),
    priority: t.expose('priority', { type: PriorityEnum }),
  }),
});

builder.drizzleObjectFields(DepartmentRef, (t) => ({
  calendar: t.relation('calendar', { nullable: true, authScopes: reader, description: 'Its business calendar; null = the default calendar.' }),
}));

builder.queryFields((t) => ({
  businessCalendars: t.drizzleField({
    type: ['businessCalendars'], authScopes: reader,
    resolve: (query, _r, _a, ctx) => ctx.db.query.businessCalendars.findMany(query({ orderBy: { isDefault: 'desc', code: 'asc' } })),
  }),
  slaPolicies: t.drizzleField({
    type: ['slaPolicies'], authScopes: reader,
    resolve: (query, _r, _a, ctx) => ctx.db.query.slaPolicies.findMany(query({ orderBy: { kind: 'asc', tierCode: 'asc', category: 'asc' } })),
  }),
  routingRules: t.drizzleField({
    type: ['routingRules'], authScopes: reader, description: 'In evaluation order (the default rule last).',
    resolve: (query, _r, _a, ctx) => ctx.db.query.routingRules.findMany(query({ orderBy: { isDefault: 'asc', position: 'asc', id: 'asc' } })),
  }),
}));

const IntervalInput = builder.inputType('WorkingIntervalInput', {
  fields: (t) => ({ start: t.string({ required: true, description: 'HH:mm' }), end: t.string({ required: true, description: 'HH:mm or 24:00' }) }),
});
const WeekdayHoursInput = builder.inputType('WeekdayHoursInput', {
  fields: (t) => ({ weekday: t.int({ required: true, description: '1 = Monday … 7 = Sunday' }), intervals: t.field({ type: [IntervalInput], required: true }) }),
});
const calendarFields = (t: any) => ({
  name: t.string(),
  timeZone: t.string({ description: 'IANA time zone; default Asia/Shanghai.' }),
  weeklyHours: t.field({ type: [WeekdayHoursInput], description: 'Weekdays not listed have no working time.' }),
  holidays: t.stringList(),
  workingDays: t.stringList({ description: 'Make-up working days.' }),
  makeupHours: t.field({ type: [IntervalInput], description: "Hours worked on make-up days; null = Monday's hours (omitted on update: unchanged)." }),
  holidayYears: t.intList({ description: 'Years whose public holidays and make-up days are fully listed (coverage; docs/workflow.md). Unset: the years the dates mention.' }),
  isDefault: t.boolean(),
});
const CreateCalendarInput = builder.inputType('CreateBusinessCalendarInput', { fields: (t) => ({ code: t.string({ required: true }), ...calendarFields(t) }) });
const UpdateCalendarInput = builder.inputType('UpdateBusinessCalendarInput', {
  description: 'Fields given replace the stored ones; open tickets on the calendar get new due times.',
  fields: (t) => ({ id: t.id({ required: true }), code: t.string(), ...calendarFields(t) }),
});
const SetDepartmentCalendarInput = builder.inputType('SetDepartmentCalendarInput', {
  fields: (t) => ({ departmentId: t.id({ required: true }), calendarId: t.id({ description: 'null = the default calendar' }) }),
});
const SetSlaPolicyInput = builder.inputType('SetSlaPolicyInput', {
  description: 'Creates or replaces the policy of kind × tier × category. Applies to feedback submitted afterwards.',
  fields: (t) => ({
    kind: t.field({ type: FeedbackKindEnum, required: true }),
    tierCode: t.string({ description: 'null = any tier' }),
    category: t.string({ description: 'null = any category' }),
    firstResponseMinutes: t.int({ required: true, description: 'Business minutes.' }),
    resolutionMinutes: t.int({ required: true, description: 'Business minutes.' }),
  }),
});
const IdInput = (name: string) => builder.inputType(name, { fields: (t) => ({ id: t.id({ required: true }) }) });
const DeleteSlaPolicyInput = IdInput('DeleteSlaPolicyInput');
const DeleteRoutingRuleInput = IdInput('DeleteRoutingRuleInput');
export const RoutingMatchInput = builder.inputType('RoutingMatchInput', {
  fields: (t) => ({
    kinds: t.field({ type: [FeedbackKindEnum] }), categories: t.stringList(), keywords: t.stringList(), tiers: t.stringList(),
    channels: t.field({ type: [ChannelEnum] }),
  }),
});
const ruleFields = (t: any) => ({
  name: t.string(),
  position: t.int({ description: 'Lower is evaluated first; new rules default to last before the default rule.' }),
  enabled: t.boolean(),
  match: t.field({ type: RoutingMatchInput }),
  departmentId: t.id(),
  level: t.field({ type: EscalationLevelEnum }),
  priority: t.field({ type: PriorityEnum }),
});
const CreateRoutingRuleInput = builder.inputType('CreateRoutingRuleInput', { fields: (t) => ruleFields(t) });
const UpdateRoutingRuleInput = builder.inputType('UpdateRoutingRuleInput', { fields: (t) => ({ id: t.id({ required: true }), ...ruleFields(t) }) });
const SetCustomerTierInput = builder.inputType('SetCustomerTierInput', {
  description: "Re-tiers a customer; the due times of their open tickets are recomputed with the new tier's targets.",
  fields: (t) => ({ customerId: t.id({ required: true }), tierCode: t.string({ required: true }) }),
});

export const DeletedRef = builder.objectRef<{ id: string }>('DeletedPayload').implement({
  fields: (t) => ({ deletedId: t.id({ resolve: (d) => d.id }) }),
});

const errs = (name: string) => ({ types: [ValidationError, NotFoundError, ForbiddenError, ConflictError], directResult: true as const, union: { name } });

function ruleInput(input: any, path = ['input']) {
  const { match, departmentId, ...rest } = input;
  return {
    ...rest,
    ...(match ?? {}),
    departmentId: departmentId ? inputId(departmentId, 'Department', [...path, 'departmentId']) : null,
  };
}

builder.mutationFields((t) => ({
  createBusinessCalendar: t.field({
    type: BusinessCalendarRef, authScopes: admin, errors: errs('CreateBusinessCalendarResult'),
    args: { input: t.arg({ type: CreateCalendarInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.workflow.saveCalendar(ctx.viewer, null, input as never) as never,
  }),
  updateBusinessCalendar: t.field({
    type: BusinessCalendarRef, authScopes: admin, errors: errs('UpdateBusinessCalendarResult'),
    args: { input: t.arg({ type: UpdateCalendarInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.workflow.saveCalendar(ctx.viewer, inputId(input.id, 'BusinessCalendar', ['input', 'id']), input as never) as never,
  }),
  setDepartmentCalendar: t.field({
    type: DepartmentRef, authScopes: admin, errors: errs('SetDepartmentCalendarResult'),
    args: { input: t.arg({ type: SetDepartmentCalendarInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.workflow.setDepartmentCalendar(
      ctx.viewer, inputId(input.departmentId, 'Department', ['input', 'departmentId']),
      input.calendarId ? inputId(input.calendarId, 'BusinessCalendar', ['input', 'calendarId']) : null,
    ) as never,
  }),
  setSlaPolicy: t.field({
    type: SlaPolicyRef, authScopes: admin, errors: errs('SetSlaPolicyResult'),
    args: { input: t.arg({ type: SetSlaPolicyInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.workflow.setPolicy(ctx.viewer, input) as never,
  }),
  deleteSlaPolicy: t.field({
    type: DeletedRef, authScopes: admin, errors: errs('DeleteSlaPolicyResult'),
    args: { input: t.arg({ type: DeleteSlaPolicyInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const row = await ctx.services.workflow.deletePolicy(ctx.viewer, inputId(input.id, 'SlaPolicy', ['input', 'id']));
      return { id: encodeGlobalID('SlaPolicy', row.id) };
    },
  }),
  createRoutingRule: t.field({
    type: RoutingRuleRef, authScopes: admin, errors: errs('CreateRoutingRuleResult'),
    args: { input: t.arg({ type: CreateRoutingRuleInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.workflow.createRule(ctx.viewer, ruleInput(input)) as never,
  }),
  updateRoutingRule: t.field({
    type: RoutingRuleRef, authScopes: admin, errors: errs('UpdateRoutingRuleResult'),
    args: { input: t.arg({ type: UpdateRoutingRuleInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.workflow.updateRule(ctx.viewer, inputId(input.id, 'RoutingRule', ['input', 'id']), ruleInput(input)) as never,
  }),
  deleteRoutingRule: t.field({
    type: DeletedRef, authScopes: admin, errors: errs('DeleteRoutingRuleResult'),
    args: { input: t.arg({ type: DeleteRoutingRuleInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const row = await ctx.services.workflow.deleteRule(ctx.viewer, inputId(input.id, 'RoutingRule', ['input', 'id']));
      return { id: encodeGlobalID('RoutingRule', row.id) };
    },
  }),
  setCustomerTier: t.field({
    type: CustomerRef, authScopes: admin, errors: errs('SetCustomerTierResult'),
    args: { input: t.arg({ type: SetCustomerTierInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.workflow.setCustomerTier(ctx.viewer, inputId(input.customerId, 'Customer', ['input', 'customerId']), input.tierCode) as never,
  }),
}));
