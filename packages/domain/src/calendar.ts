import { DateTime, IANAZone } from 'luxon';
import type { FieldError } from './validation.ts';

/**
 * Business-calendar maths. All wall-clock work is done by luxon in the calendar's zone: we walk local
 * calendar days and build each working interval's bounds from its local date and 'HH:mm', so DST days
 * (23 or 25 hours long) come out right without any offset arithmetic of our own.
 *
 * Conventions
 * - Working intervals are half-open [start, end): 18:00 itself is not working time.
 * - A due time that lands exactly on an interval end stays there (e.g. Friday 18:00), it does not jump
 *   to the next morning. Hence `addBusinessMinutes(cal, t, 0)` returns t when t is working time or an
 *   interval end, else the next interval start; this keeps add(add(t, a), b) === add(t, a + b).
 * - '24:00' is accepted as an end (midnight of the next local date), for round-the-clock calendars.
 * - Wall-clock times that do not exist (spring-forward gap) are moved forward by luxon; ambiguous ones
 *   (fall-back) resolve as luxon does. Office hours rarely touch either.
 */

export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export interface WorkingInterval { start: string; end: string }

export interface BusinessCalendar {
  /** IANA zone; `DEFAULT_TIME_ZONE` when absent. */
  timeZone: string;
  /** By ISO weekday (1 = Monday). Several intervals a day, sorted and non-overlapping. */
  weeklyHours: Readonly<Record<IsoWeekday, readonly WorkingInterval[]>>;
  /** Local dates ('YYYY-MM-DD') with no working time. Wins over `workingDays` if both list a date. */
  holidays: readonly string[];
  /** Make-up working days (调休上班), 'YYYY-MM-DD', worked with `makeupHours`, or Monday's hours. */
  workingDays: readonly string[];
  makeupHours?: readonly WorkingInterval[];
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
export const ISO_WEEKDAYS: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

const days = (from: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => DateTime.fromISO(from, { zone: 'UTC' }).plus({ days: i }).toISODate()!);

/**
 * Mainland China 2026, from 国务院办公厅关于2026年部分节假日安排的通知 (State Council, 2025-11-04,
 * published by Xinhua). Every day of each official break is listed, weekends included.
 */
export const CN_2026_HOLIDAYS: readonly string[] = Object.freeze([
  ...days('2026-01-01', 3), // 元旦 Jan 1–3
  ...days('2026-02-15', 9), // 春节 Feb 15–23
  ...days('2026-04-04', 3), // 清明 Apr 4–6
  ...days('2026-05-01', 5), // 劳动节 May 1–5
  ...days('2026-06-19', 3), // 端午 Jun 19–21
  ...days('2026-09-25', 3), // 中秋 Sep 25–27
  ...days('2026-10-01', 7), // 国庆 Oct 1–7
]);

/** Weekend days worked instead (same notice). */
export const CN_2026_MAKEUP_DAYS: readonly string[] = Object.freeze([
  '2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10',
]);

const OFFICE_HOURS: readonly WorkingInterval[] = Object.freeze([
  { start: '09:00', end: '12:00' },
  { start: '13:00', end: '18:00' },
]);

export const DEFAULT_CALENDAR: BusinessCalendar = Object.freeze({
  timeZone: DEFAULT_TIME_ZONE,
  weeklyHours: Object.freeze({ 1: OFFICE_HOURS, 2: OFFICE_HOURS, 3: OFFICE_HOURS, 4: OFFICE_HOURS, 5: OFFICE_HOURS, 6: [], 7: [] }),
  holidays: CN_2026_HOLIDAYS,
  workingDays: CN_2026_MAKEUP_DAYS,
});

const MS_PER_MINUTE = 60_000;
/** A search that meets no working time for this many consecutive days gives up rather than loop forever. */
const MAX_IDLE_DAYS = 3 * 366;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Span = readonly [start: number, end: number];
interface Compiled {
  zone: string;
  week: Map<number, Span[]>; // minutes of the day
  makeup: Span[];
  holidays: Set<string>;
  workingDays: Set<string>;
  days: Map<string, Span[]>; // memoised spansOn
}

function minutesOfDay(hhmm: string): number {
  if (!TIME.test(hhmm)) throw new RangeError(`invalid time '${hhmm}', expected HH:mm`);
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function parseIntervals(list: readonly WorkingInterval[] | undefined): Span[] {
  return (list ?? []).map((i) => [minutesOfDay(i.start), minutesOfDay(i.end)] as const).sort((a, b) => a[0] - b[0]);
}

/**
 * Compiled calendars and their per-date spans are memoised, keyed by the calendar's content (not its
 * identity), so results never depend on the cache: SLA recomputation over many tickets then costs
 * microseconds instead of one luxon conversion per interval bound per day.
 */
const CACHE_CALENDARS = 32;
const CACHE_DAYS = 20_000;
const compiled = new Map<string, Compiled>();

function compile(cal: BusinessCalendar): Compiled {
  const zone = cal.timeZone ?? DEFAULT_TIME_ZONE;
  const key = JSON.stringify([zone, cal.weeklyHours, cal.holidays, cal.workingDays, cal.makeupHours ?? null]);
  const hit = compiled.get(key);
  if (hit) {
    compiled.delete(key); // least-recently-used order
    compiled.set(key, hit);
    return hit;
  }
  if (!IANAZone.isValidZone(zone)) throw new RangeError(`invalid time zone '${zone}'`);
  const week = new Map(ISO_WEEKDAYS.map((d) => [d, parseIntervals(cal.weeklyHours[d])]));
  const c: Compiled = {
    zone,
    week,
    makeup: cal.makeupHours ? parseIntervals(cal.makeupHours) : week.get(1)!,
    holidays: new Set(cal.holidays),
    workingDays: new Set(cal.workingDays),
    days: new Map(),
  };
  compiled.set(key, c);
  if (compiled.size > CACHE_CALENDARS) compiled.delete(compiled.keys().next().value!);
  return c;
}

/** The local date (as a zone-less UTC date) on which the instant falls. */
function localDate(c: Compiled, ms: number): DateTime {
  const l = DateTime.fromMillis(ms, { zone: c.zone });
  return DateTime.utc(l.year, l.month, l.day);
}

function instantAt(c: Compiled, date: DateTime, minute: number): number {
  const d = minute >= 1440 ? date.plus({ days: 1 }) : date;
  const m = minute % 1440;
  return DateTime.fromObject(
    { year: d.year, month: d.month, day: d.day, hour: Math.floor(m / 60), minute: m % 60 },
    { zone: c.zone },
  ).toMillis();
}

/** Working intervals of one local date as epoch-ms spans, sorted, overlaps merged. */
function spansOn(c: Compiled, date: DateTime): Span[] {
  const key = date.toISODate()!;
  let spans = c.days.get(key);
  if (!spans) {
    if (c.days.size >= CACHE_DAYS) c.days.clear();
    spans = computeSpans(c, date, key);
    c.days.set(key, spans);
  }
  return spans;
}

function computeSpans(c: Compiled, date: DateTime, key: string): Span[] {
  if (c.holidays.has(key)) return [];
  const local = c.workingDays.has(key) ? c.makeup : c.week.get(date.weekday)!;
  const out: Array<[number, number]> = [];
  for (const [s, e] of local) {
    const start = instantAt(c, date, s);
    const end = instantAt(c, date, e);
    if (end <= start) continue; // swallowed by a DST gap
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/**
 * Working spans in time order, starting with the local date before `fromMs` (so an interval ending at
 * 24:00 right at `fromMs` is seen). Stops after the local date of `untilMs`; with no bound it throws
 * once MAX_IDLE_DAYS pass without any working time.
 */
function* spansFrom(c: Compiled, fromMs: number, untilMs = Infinity): Generator<Span> {
  const last = Number.isFinite(untilMs) ? localDate(c, untilMs) : null;
  let idle = 0;
  for (let date = localDate(c, fromMs).minus({ days: 1 }); !last || date.toMillis() <= last.toMillis(); date = date.plus({ days: 1 })) {
    const spans = spansOn(c, date);
    if (spans.length === 0) {
      if (!last && ++idle > MAX_IDLE_DAYS) {
        throw new RangeError(`calendar has no working time within ${MAX_IDLE_DAYS} days after ${date.minus({ days: idle }).toISODate()}`);
      }
      continue;
    }
    idle = 0;
    yield* spans;
  }
}

function millis(d: Date, name: string): number {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is not a valid date`);
  return ms;
}

export function isWorkingTime(cal: BusinessCalendar, instant: Date): boolean {
  const c = compile(cal);
  const t = millis(instant, 'instant');
  for (const [s, e] of spansFrom(c, t, t)) if (s <= t && t < e) return true;
  return false;
}

/** t itself when it is working time, else the start of the next working interval. */
export function nextWorkingInstant(cal: BusinessCalendar, t: Date): Date {
  const c = compile(cal);
  const ms = millis(t, 't');
  for (const [s, e] of spansFrom(c, ms)) if (e > ms) return new Date(Math.max(s, ms));
  throw new Error('unreachable'); // spansFrom throws first
}

/**
 * The instant at which `minutes` of working time have elapsed after `start` (fractions allowed,
 * rounded to the millisecond). Counting starts at the next working interval when `start` is outside
 * working time; a result exactly at an interval end stays there (see the conventions above).
 */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
  const c = compile(cal);
  let t = millis(start, 'start');
  let remaining = Math.round(minutes * MS_PER_MINUTE);
  for (const [s, e] of spansFrom(c, t)) {
    if (e < t || (e === t && remaining > 0)) continue;
    const from = Math.max(s, t);
    if (remaining <= e - from) return new Date(from + remaining);
    remaining -= e - from;
    t = e;
  }
  throw new Error('unreachable');
}

/**
 * Working minutes in [a, b). Antisymmetric: when b < a the result is minus the minutes in [b, a), and 0
 * when a equals b. Fractional when the instants are not on whole minutes.
 */
export function businessMinutesBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  const c = compile(cal);
  const from = millis(a, 'a');
  const to = millis(b, 'b');
  if (to < from) return 0 - businessMinutesBetween(cal, b, a); // 0 - x: never -0
  let total = 0;
  for (const [s, e] of spansFrom(c, from, to)) {
    if (s >= to) break;
    total += Math.max(0, Math.min(e, to) - Math.max(s, from));
  }
  return total / MS_PER_MINUTE;
}

/** The working intervals of one local date ('YYYY-MM-DD'), as instants. */
export function workingIntervalsOn(cal: BusinessCalendar, date: string): Array<{ start: Date; end: Date }> {
  const d = DateTime.fromISO(date, { zone: 'UTC' });
  if (!DATE.test(date) || !d.isValid) throw new RangeError(`invalid date '${date}', expected YYYY-MM-DD`);
  return spansOn(compile(cal), d).map(([s, e]) => ({ start: new Date(s), end: new Date(e) }));
}

/**
 * The nominal length of a working day in minutes: the most common non-zero weekday total of
 * `weeklyHours` (ties: the longer). 480 for DEFAULT_CALENDAR. SLA targets in "working days" use it.
 */
export function dailyWorkingMinutes(cal: BusinessCalendar): number {
  const c = compile(cal);
  const counts = new Map<number, number>();
  for (const spans of c.week.values()) {
    const total = spans.reduce((sum, [s, e]) => sum + Math.max(0, e - s), 0);
    if (total > 0) counts.set(total, (counts.get(total) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [total, n] of counts) {
    if (n > bestCount || (n === bestCount && total > best)) [best, bestCount] = [total, n];
  }
  return best;
}

function validateIntervals(value: unknown, path: string[], errors: FieldError[]): number {
  if (value === undefined) return 0;
  if (!Array.isArray(value)) {
    errors.push({ path, code: 'INVALID', message: 'must be a list of {start, end} intervals' });
    return 0;
  }
  let working = 0;
  let prevEnd = -1;
  value.forEach((iv: unknown, i) => {
    const at = [...path, String(i)];
    const { start, end } = (iv ?? {}) as { start?: unknown; end?: unknown };
    let ok = true;
    for (const [name, v] of [['start', start], ['end', end]] as const) {
      if (typeof v !== 'string' || !TIME.test(v) || (name === 'start' && v === '24:00')) {
        errors.push({ path: [...at, name], code: 'INVALID_TIME', message: `${name} must be a time HH:mm` });
        ok = false;
      }
    }
    if (!ok) return;
    const s = minutesOfDay(start as string);
    const e = minutesOfDay(end as string);
    if (s >= e) {
      errors.push({ path: at, code: 'INVALID_INTERVAL', message: 'start must be before end' });
      return;
    }
    if (s < prevEnd) {
      errors.push({ path: at, code: 'OVERLAP', message: 'intervals must be sorted and must not overlap' });
    }
    prevEnd = Math.max(prevEnd, e);
    working += e - s;
  });
  return working;
}

function validateDates(value: unknown, path: string[], errors: FieldError[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.push({ path, code: 'INVALID', message: 'must be a list of dates YYYY-MM-DD' });
    return [];
  }
  const valid: string[] = [];
  value.forEach((d: unknown, i) => {
    if (typeof d === 'string' && DATE.test(d) && DateTime.fromISO(d, { zone: 'UTC' }).isValid) valid.push(d);
    else errors.push({ path: [...path, String(i)], code: 'INVALID_DATE', message: 'must be a valid date YYYY-MM-DD' });
  });
  return valid;
}

/** Every problem of a calendar as submitted by an admin, with field paths; [] when usable. */
export function validateCalendar(input: unknown, base: string[] = ['input']): FieldError[] {
  const errors: FieldError[] = [];
  const at = (...p: string[]) => [...base, ...p];
  if (input === null || typeof input !== 'object') {
    return [{ path: base, code: 'INVALID', message: 'calendar must be an object' }];
  }
  const cal = input as Partial<Record<keyof BusinessCalendar, unknown>>;
  if (cal.timeZone !== undefined && (typeof cal.timeZone !== 'string' || !IANAZone.isValidZone(cal.timeZone))) {
    errors.push({ path: at('timeZone'), code: 'INVALID_TIME_ZONE', message: 'timeZone must be an IANA time zone such as Asia/Shanghai' });
  }
  let weekly = 0;
  if (cal.weeklyHours === null || typeof cal.weeklyHours !== 'object') {
    errors.push({ path: at('weeklyHours'), code: 'REQUIRED', message: 'weeklyHours must map ISO weekdays 1–7 to intervals' });
  } else {
    const wh = cal.weeklyHours as Record<string, unknown>;
    for (const key of Object.keys(wh)) {
      if (!ISO_WEEKDAYS.map(String).includes(key)) {
        errors.push({ path: at('weeklyHours', key), code: 'INVALID', message: 'weekday keys are 1 (Monday) to 7 (Sunday)' });
      }
    }
    for (const d of ISO_WEEKDAYS) weekly += validateIntervals(wh[d], at('weeklyHours', String(d)), errors);
    if (weekly === 0) {
      errors.push({ path: at('weeklyHours'), code: 'NO_WORKING_TIME', message: 'at least one working interval in the week is required' });
    }
  }
  const makeup = validateIntervals(cal.makeupHours, at('makeupHours'), errors);
  const holidays = new Set(validateDates(cal.holidays, at('holidays'), errors));
  const working = validateDates(cal.workingDays, at('workingDays'), errors);
  working.forEach((d) => {
    if (holidays.has(d)) {
      errors.push({ path: at('workingDays', String((cal.workingDays as unknown[]).indexOf(d))), code: 'CONFLICT', message: `${d} is both a holiday and a working day` });
    }
  });
  const monday = (cal.weeklyHours as Record<string, unknown> | undefined)?.[1];
  const mondayHours = Array.isArray(monday) && monday.length > 0;
  if (working.length > 0 && cal.makeupHours === undefined && !mondayHours) {
    errors.push({ path: at('makeupHours'), code: 'REQUIRED', message: 'make-up working days need makeupHours when Monday has no hours' });
  } else if (cal.makeupHours !== undefined && working.length > 0 && makeup === 0) {
    errors.push({ path: at('makeupHours'), code: 'NO_WORKING_TIME', message: 'makeupHours must contain a working interval' });
  }
  return errors;
}
