import type { BusinessCalendar } from './calendar-types.ts';
import data from '../data/holidays-cn-mainland.json' with { type: 'json' };

/**
 * Public-holiday data files and calendar coverage.
 *
 * A holiday data file (data/holidays-*.json) lists, per year, the breaks (ranges of dates, weekends
 * included) and the make-up working days of one official notice. Adding a year is a data change: add
 * the year to the file from the official notice, then load it with `closeloop holidays import`
 * (docs/workflow.md, "Business calendars: coverage and limits").
 *
 * Coverage: a calendar covers the years in `holidayYears` (or, when absent, the years its holidays and
 * make-up days mention). A due time or an SLA span that reaches a year outside them is measured as if
 * that year had no holidays, and is flagged (`HOLIDAYS_MISSING`) so that nobody relies on it silently.
 */
export interface HolidayRange { name?: string; from: string; to: string }
export interface HolidayYearData { notice?: string; url?: string; holidays: HolidayRange[]; workingDays: string[] }
export interface HolidayDataFile { calendar?: string; timeZone?: string; source?: string; years: Record<string, HolidayYearData> }

export const CN_MAINLAND_HOLIDAY_DATA: HolidayDataFile = data as HolidayDataFile;

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (d: unknown): d is string =>
  typeof d === 'string' && DATE.test(d) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d;

/** One year of a data file as date lists; throws RangeError on a malformed or missing year. */
export function holidayYear(file: HolidayDataFile, year: number): { holidays: string[]; workingDays: string[] } {
  const y = file.years?.[String(year)];
  if (!y || !Array.isArray(y.holidays) || !Array.isArray(y.workingDays)) throw new RangeError(`no holiday data for ${year}`);
  const holidays: string[] = [];
  for (const r of y.holidays) {
    if (!validDate(r?.from) || !validDate(r?.to) || r.to < r.from || !r.from.startsWith(`${year}-`)) {
      throw new RangeError(`${year}: a holiday range needs from <= to, dates YYYY-MM-DD in ${year}`);
    }
    for (let t = Date.parse(`${r.from}T00:00:00Z`); t <= Date.parse(`${r.to}T00:00:00Z`); t += DAY_MS) {
      holidays.push(new Date(t).toISOString().slice(0, 10));
    }
    if (holidays.length > 366) throw new RangeError(`${year}: more than 366 holidays`);
  }
  for (const d of y.workingDays) if (!validDate(d)) throw new RangeError(`${year}: make-up day '${String(d)}' is not a date`);
  return { holidays: [...new Set(holidays)].sort(), workingDays: [...new Set(y.workingDays)].sort() };
}

/** Every year of a data file, merged: what a calendar gets when it imports the file. */
export function holidayDataDates(file: HolidayDataFile): { holidays: string[]; workingDays: string[]; holidayYears: number[] } {
  const holidayYears = Object.keys(file.years ?? {}).map(Number).sort((a, b) => a - b);
  if (holidayYears.some((y) => !Number.isInteger(y))) throw new RangeError('years must be keyed by a four-digit year');
  const holidays: string[] = [];
  const workingDays: string[] = [];
  for (const y of holidayYears) {
    const one = holidayYear(file, y);
    holidays.push(...one.holidays);
    workingDays.push(...one.workingDays);
  }
  return { holidays, workingDays, holidayYears };
}

/** The years a calendar's holiday list covers, sorted; null when it observes no public holidays. */
export function coveredYears(cal: Pick<BusinessCalendar, 'holidays' | 'workingDays' | 'holidayYears'>): number[] | null {
  if (cal.holidayYears != null) return [...new Set(cal.holidayYears)].sort((a, b) => a - b);
  const years = new Set([...cal.holidays, ...cal.workingDays].map((d) => Number(d.slice(0, 4))));
  return years.size ? [...years].sort((a, b) => a - b) : null;
}

export type CalendarCoverage = 'COVERED' | 'HOLIDAYS_MISSING';

const yearFormats = new Map<string, Intl.DateTimeFormat>();
/** Local year of an instant in the calendar's zone (formatters are costly to build: one per zone). */
function localYear(timeZone: string, at: Date): number {
  let f = yearFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' });
    if (yearFormats.size < 64) yearFormats.set(timeZone, f);
  }
  return Number(f.format(at));
}

/**
 * Whether every local year from `from` to `to` (inclusive) has its holidays listed. A calendar that
 * observes no holidays is always covered.
 */
export function calendarCoverage(cal: BusinessCalendar, from: Date, to: Date): CalendarCoverage {
  const years = coveredYears(cal);
  if (!years) return 'COVERED';
  const [a, b] = [localYear(cal.timeZone, from), localYear(cal.timeZone, to)].sort((x, y) => x - y) as [number, number];
  const set = new Set(years);
  for (let y = a; y <= b; y++) if (!set.has(y)) return 'HOLIDAYS_MISSING';
  return 'COVERED';
}

/**
 * The last local date ('YYYY-MM-DD') up to which the holidays are known without a gap, counting from
 * the year of `at`; null when that year is itself not covered. Infinity-like '9999-12-31' for a
 * calendar that observes no holidays.
 */
export function holidaysCoveredUntil(cal: BusinessCalendar, at: Date): string | null {
  const years = coveredYears(cal);
  if (!years) return '9999-12-31';
  const set = new Set(years);
  let y = localYear(cal.timeZone, at);
  if (!set.has(y)) return null;
  while (set.has(y + 1)) y++;
  return `${y}-12-31`;
}
