// Holiday coverage of business calendars in the API: per calendar, in the systemHealth query for
// admins and supervisors, and the importHolidays mutation (a year of holidays as a data file).
import { coveredYears, holidaysCoveredUntil, type HolidayDataFile, type StaffRole } from '@closeloop/domain';
import { builder } from './builder.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from './errors.ts';
import { inputId } from './ids.ts';
import { BusinessCalendarRef } from './workflow.ts';
import { toBusinessCalendar } from '../services/sla.ts';
import { actorOf } from '../services/feedback.ts';
import { coverageFindings, importHolidays, DEFAULT_HOLIDAY_WARNING_DAYS, type CoverageFinding } from '../services/holidays.ts';

const admin = { staffRole: ['ADMIN', 'SUPERVISOR'] as StaffRole[] };
const calendarColumns = { columns: { timeZone: true, weeklyHours: true, holidays: true, workingDays: true, makeupHours: true, holidayYears: true } } as const;

builder.drizzleObjectFields(BusinessCalendarRef, (t) => ({
  holidayYears: t.field({
    type: ['Int'], nullable: true, select: calendarColumns,
    description: 'Years whose public holidays are fully listed (given, or else the years the dates mention); null: the calendar observes no public holidays.',
    resolve: (c) => coveredYears(toBusinessCalendar(c)),
  }),
  holidaysCoveredUntil: t.string({
    nullable: true, select: calendarColumns,
    description: "Last local date (YYYY-MM-DD) up to which the holidays are known without a gap, from today; null when this year's are not; 9999-12-31 for a calendar without holidays.",
    resolve: (c) => holidaysCoveredUntil(toBusinessCalendar(c), new Date()),
  }),
}));

const FindingRef = builder.objectRef<CoverageFinding>('CalendarCoverageFinding').implement({
  description: "A calendar whose public holidays run out soon: due times past that date count holidays as working days.",
  fields: (t) => ({
    calendar: t.field({ type: BusinessCalendarRef, resolve: (f, _a, ctx) => ctx.db.query.businessCalendars.findFirst({ where: { id: f.calendarId } }) as never }),
    holidaysCoveredUntil: t.string({ nullable: true, resolve: (f) => f.holidaysCoveredUntil }),
    daysLeft: t.int({ resolve: (f) => f.daysLeft }),
    openTickets: t.int({ resolve: (f) => f.openTickets, description: 'Open tickets on this calendar.' }),
    message: t.string({ resolve: (f) => f.message }),
  }),
});

const SystemHealthRef = builder.objectRef<{ calendars: CoverageFinding[] }>('SystemHealth').implement({
  description: 'What an administrator should fix (the same findings as `closeloop doctor`).',
  fields: (t) => ({
    healthy: t.boolean({ resolve: (h) => h.calendars.length === 0 }),
    calendarCoverage: t.field({ type: [FindingRef], resolve: (h) => h.calendars }),
  }),
});

builder.queryFields((t) => ({
  systemHealth: t.field({
    type: SystemHealthRef, authScopes: admin,
    args: { withinDays: t.arg.int({ defaultValue: DEFAULT_HOLIDAY_WARNING_DAYS, description: 'Report calendars whose holidays run out within this many days (0–3660).' }) },
    resolve: async (_r, args, ctx) => {
      const within = args.withinDays ?? DEFAULT_HOLIDAY_WARNING_DAYS;
      if (within < 0 || within > 3660) throw new ValidationError([{ path: ['withinDays'], code: 'OUT_OF_RANGE', message: 'withinDays must be 0 to 3660' }]);
      return { calendars: await coverageFindings(ctx.db, new Date(), within) };
    },
  }),
}));

const ImportHolidaysInput = builder.inputType('ImportHolidaysInput', {
  description: 'A holiday data file (packages/domain/data/holidays-*.json format): its years replace those years on the calendar.',
  fields: (t) => ({ calendarId: t.id({ required: true }), data: t.string({ required: true, description: 'The data file as JSON text (at most 256 KB).' }) }),
});

builder.mutationFields((t) => ({
  importHolidays: t.field({
    type: BusinessCalendarRef, authScopes: admin,
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError], directResult: true, union: { name: 'ImportHolidaysResult' } },
    args: { input: t.arg({ type: ImportHolidaysInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const id = inputId(input.calendarId, 'BusinessCalendar', ['input', 'calendarId']);
      let file: HolidayDataFile;
      try {
        if (input.data.length > 256 * 1024) throw new Error('too large');
        file = JSON.parse(input.data) as HolidayDataFile;
        if (!file || typeof file !== 'object' || typeof file.years !== 'object' || file.years === null) throw new Error('no years');
      } catch (e) {
        throw new ValidationError([{ path: ['input', 'data'], code: 'INVALID', message: `data must be a holiday data file with "years" (${(e as Error).message})` }]);
      }
      await importHolidays(ctx.db, actorOf(ctx.viewer), { id }, file);
      return ctx.db.query.businessCalendars.findFirst({ where: { id } }) as never;
    },
  }),
}));
