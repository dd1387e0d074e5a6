// Holiday coverage of business calendars: which calendars' public holidays run out soon (start banner,
// `closeloop doctor`, the systemHealth query) and importing a year of holidays from a data file
// (`closeloop holidays-import`, the importHolidays mutation, and the seed).
import { and, count, eq, inArray } from 'drizzle-orm';
import { businessCalendars, tickets, type Database } from '@closeloop/db';
import {
  coveredYears, holidayDataDates, holidaysCoveredUntil, validateCalendar, CN_MAINLAND_HOLIDAY_DATA,
  type FieldError, type HolidayDataFile,
} from '@closeloop/domain';
import { NotFoundError, ValidationError } from '../schema/errors.ts';
import { audit } from './audit.ts';
import type { Actor } from './events.ts';
import { OPEN_STATUSES, recomputeOpenTickets, toBusinessCalendar } from './sla.ts';

export const SYSTEM_ACTOR: Actor = { type: 'SYSTEM', id: null, name: 'holiday data' };

/** Days ahead the start banner and `closeloop doctor` look by default (CLOSELOOP_HOLIDAY_WARNING_DAYS). */
export const DEFAULT_HOLIDAY_WARNING_DAYS = 60;

export interface CoverageFinding {
  calendarId: string;
  code: string;
  name: string;
  /** Last local date whose holidays are known (from today), null when not even this year is known. */
  holidaysCoveredUntil: string | null;
  /** Days from today until the holidays run out (0 when they already have). */
  daysLeft: number;
  openTickets: number;
  message: string;
}

/** Calendars whose holidays run out within `withinDays` of `now`; calendars without holidays never do. */
export async function coverageFindings(db: Database, now: Date, withinDays: number): Promise<CoverageFinding[]> {
  const rows = await db.select().from(businessCalendars).orderBy(businessCalendars.code);
  const findings: CoverageFinding[] = [];
  for (const row of rows) {
    const cal = toBusinessCalendar(row);
    if (coveredYears(cal) === null) continue;
    const until = holidaysCoveredUntil(cal, now);
    const daysLeft = until ? Math.max(0, Math.floor((Date.parse(`${until}T23:59:59Z`) - now.getTime()) / 86_400_000)) : 0;
    if (until && daysLeft >= withinDays) continue;
    const [open] = await db.select({ n: count() }).from(tickets)
      .where(and(eq(tickets.calendarId, row.id), inArray(tickets.status, [...OPEN_STATUSES])));
    findings.push({
      calendarId: row.id, code: row.code, name: row.name, holidaysCoveredUntil: until, daysLeft, openTickets: open?.n ?? 0,
      message: until
        ? `calendar ${row.code}: public holidays are listed only until ${until} (${daysLeft} days); add the next year (docs/workflow.md)`
        : `calendar ${row.code}: no public holidays are listed for this year; due times treat holidays as working days (docs/workflow.md)`,
    });
  }
  return findings;
}

/**
 * Replaces the holidays and make-up days of every year in `file` on one calendar and marks those
 * years covered; other years stay. Validated like any calendar edit, audited, and the calendar's open
 * tickets get new due times. `onlyMissing`: skip years the calendar already covers (the seed).
 */
export async function importHolidays(
  db: Database, actor: Actor, calendar: { id?: string; code?: string }, file: HolidayDataFile, options: { onlyMissing?: boolean } = {},
): Promise<{ calendarId: string; code: string; imported: number[]; holidayYears: number[] }> {
  let data: ReturnType<typeof holidayDataDates>;
  try {
    data = holidayDataDates(file);
  } catch (e) {
    throw new ValidationError([{ path: ['input', 'data'], code: 'INVALID', message: (e as Error).message }]);
  }
  return db.transaction(async (tx) => {
    const where = calendar.id ? eq(businessCalendars.id, calendar.id) : eq(businessCalendars.code, calendar.code ?? '');
    const [row] = await tx.select().from(businessCalendars).where(where).for('update');
    if (!row) throw new NotFoundError(`No calendar ${calendar.code ?? calendar.id ?? ''}`);
    const current = toBusinessCalendar(row);
    const had = coveredYears(current) ?? [];
    const years = data.holidayYears.filter((y) => !(options.onlyMissing && had.includes(y)));
    if (years.length === 0) return { calendarId: row.id, code: row.code, imported: [], holidayYears: had };
    const inYears = (d: string) => years.includes(Number(d.slice(0, 4)));
    const holidays = [...current.holidays.filter((d) => !inYears(d)), ...data.holidays.filter(inYears)].sort();
    const workingDays = [...current.workingDays.filter((d) => !inYears(d)), ...data.workingDays.filter(inYears)].sort();
    const holidayYears = [...new Set([...had, ...years])].sort((a, b) => a - b);
    const errors: FieldError[] = validateCalendar({ ...current, holidays, workingDays, holidayYears });
    if (errors.length) throw new ValidationError(errors.map((e) => ({ ...e, path: ['input', 'data', ...e.path.slice(1)] })));
    await tx.update(businessCalendars).set({ holidays, workingDays, holidayYears, updatedAt: new Date() }).where(eq(businessCalendars.id, row.id));
    const rescheduled = await recomputeOpenTickets(tx, eq(tickets.calendarId, row.id), new Date());
    await audit(tx, actor, 'calendar.holidays_import', { type: 'BusinessCalendar', id: row.id }, { code: row.code, years, rescheduled });
    return { calendarId: row.id, code: row.code, imported: years, holidayYears };
  });
}

/** The holiday data shipped with the product, by calendar code. */
export const BUNDLED_HOLIDAY_DATA: Readonly<Record<string, HolidayDataFile>> = { CN_MAINLAND: CN_MAINLAND_HOLIDAY_DATA };
