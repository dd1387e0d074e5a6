import { IANAZone } from 'luxon';
import type { FieldError } from './validation.ts';
import { CN_MAINLAND_HOLIDAY_DATA, holidayYear } from './holidays.ts';
import { DAY_MS, MAX_SUPPORTED_MS, MIN_SUPPORTED_MS, zoneOffsets, type ZoneOffsets } from './zone.ts';

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
 * - Working time is read off the wall clock: an instant is working time when its local date and time
 *   fall in one of that date's intervals. An interval starting inside a spring-forward gap starts when
 *   the clock jumps; the repeated hour of a fall-back inside an interval is worked twice.
 * - Supported instants and dates: years 1970–2399 (RangeError outside).
 */

import type { BusinessCalendar, IsoWeekday, WorkingInterval } from './calendar-types.ts';

export type { BusinessCalendar, IsoWeekday, WorkingInterval };

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
export const ISO_WEEKDAYS: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

/**
 * Mainland China 2026, from 国务院办公厅关于2026年部分节假日安排的通知 (State Council, 2025-11-04,
 * published by Xinhua), read from data/holidays-cn-mainland.json: every day of each official break,
 * weekends included, and the weekend days worked instead. Further years are added to that file.
 */
const CN_2026 = holidayYear(CN_MAINLAND_HOLIDAY_DATA, 2026);
export const CN_2026_HOLIDAYS: readonly string[] = Object.freeze(CN_2026.holidays);
export const CN_2026_MAKEUP_DAYS: readonly string[] = Object.freeze(CN_2026.workingDays);

const OFFICE_HOURS: readonly WorkingInterval[] = Object.freeze([
  { start: '09:00', end: '12:00' },
  { start: '13:00', end: '18:00' },
]);

export const DEFAULT_CALENDAR: BusinessCalendar = Object.freeze({
  timeZone: DEFAULT_TIME_ZONE,
  weeklyHours: Object.freeze({ 1: OFFICE_HOURS, 2: OFFICE_HOURS, 3: OFFICE_HOURS, 4: OFFICE_HOURS, 5: OFFICE_HOURS, 6: [], 7: [] }),
  holidays: CN_2026_HOLIDAYS,
  workingDays: CN_2026_MAKEUP_DAYS,
  holidayYears: Object.freeze([2026]),
});

const MS_PER_MINUTE = 60_000;
/** Longest run of consecutive days without working time a calendar may have (holidays included). */
export const MAX_IDLE_DAYS = 31;
/** Least working time per week a calendar must offer (minutes): less makes every due time absurd. */
export const MIN_WEEKLY_WORKING_MINUTES = 60;
/** Most holiday or make-up dates one calendar may list. */
export const MAX_CALENDAR_DATES = 5000;
/** Dates and instants the arithmetic supports: years 1970 to 2399. */
export const MIN_CALENDAR_YEAR = 1970;
export const MAX_CALENDAR_YEAR = 2399;
const LAST_DAY = MAX_SUPPORTED_MS / DAY_MS;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MARGIN_MS = 15 * 3_600_000; // wall time to instant: offsets lie within −12 h … +14 h
const EDGE_DAYS = 3; // days next to an argument's local date are measured exactly

type Span = readonly [start: number, end: number];
interface Compiled {
  zone: ZoneOffsets;
  week: Span[][]; // by ISO weekday (index 0 unused), minutes of the day
  weekMs: number[]; // nominal working ms by ISO weekday
  weeklyMs: number;
  makeup: Span[];
  holidays: Set<number>; // local day ordinals (days since 1970-01-01)
  workingDays: Set<number>;
  special: number[]; // holidays ∪ workingDays, sorted
  days: Map<number, Span[]>; // memoised spansOn
  years: Map<number, number | null>; // memoised yearMs
}

function minutesOfDay(hhmm: string): number {
  if (!TIME.test(hhmm)) throw new RangeError(`invalid time '${hhmm}', expected HH:mm`);
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function parseIntervals(list: readonly WorkingInterval[] | undefined): Span[] {
  return (list ?? []).map((i) => [minutesOfDay(i.start), minutesOfDay(i.end)] as const).sort((a, b) => a[0] - b[0]);
}

const ordinalOf = (date: string): number => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / DAY_MS;
const isoOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const weekdayOf = (day: number): IsoWeekday => ((((day + 3) % 7) + 7) % 7 + 1) as IsoWeekday;
const spanMs = (spans: readonly Span[]) => spans.reduce((m, [s, e]) => m + Math.max(0, e - s) * MS_PER_MINUTE, 0);

/**
 * Compiled calendars and their per-date spans are memoised, keyed by the calendar's content (not its
 * identity), so results never depend on the cache.
 */
const CACHE_CALENDARS = 32;
const CACHE_DAYS = 20_000;
const compiled = new Map<string, Compiled>();

// Calendars are read-only values: the same object (one computeSla calls this a dozen times) skips
// building the content key.
const byIdentity = new WeakMap<BusinessCalendar, Compiled>();

function compile(cal: BusinessCalendar): Compiled {
  let c = byIdentity.get(cal);
  if (!c) byIdentity.set(cal, (c = compileByContent(cal)));
  return c;
}

function compileByContent(cal: BusinessCalendar): Compiled {
  const zone = cal.timeZone ?? DEFAULT_TIME_ZONE;
  const key = JSON.stringify([zone, cal.weeklyHours, cal.holidays, cal.workingDays, cal.makeupHours ?? null]);
  const hit = compiled.get(key);
  if (hit) {
    compiled.delete(key); // least-recently-used order
    compiled.set(key, hit);
    return hit;
  }
  if (!IANAZone.isValidZone(zone)) throw new RangeError(`invalid time zone '${zone}'`);
  const week: Span[][] = [[], ...ISO_WEEKDAYS.map((d) => parseIntervals(cal.weeklyHours[d]))];
  const weekMs = week.map(spanMs);
  const holidays = new Set(cal.holidays.map(ordinalOf));
  const workingDays = new Set(cal.workingDays.map(ordinalOf).filter((d) => !holidays.has(d)));
  const c: Compiled = {
    zone: zoneOffsets(zone),
    week,
    weekMs,
    weeklyMs: weekMs.reduce((a, b) => a + b, 0),
    makeup: cal.makeupHours ? parseIntervals(cal.makeupHours) : week[1]!,
    holidays,
    workingDays,
    special: [...new Set([...holidays, ...workingDays])].sort((a, b) => a - b),
    days: new Map(),
    years: new Map(),
  };
  compiled.set(key, c);
  if (compiled.size > CACHE_CALENDARS) compiled.delete(compiled.keys().next().value!);
  return c;
}

/** Local day ordinal on which the instant falls. */
const localDay = (c: Compiled, ms: number): number => Math.floor((ms + c.zone.offsetAt(ms)) / DAY_MS);

const wallSpans = (c: Compiled, day: number): Span[] =>
  c.holidays.has(day) ? [] : c.workingDays.has(day) ? c.makeup : c.week[weekdayOf(day)]!;

/**
 * Working time of one local date as instants: every instant whose wall-clock reading lies in one of the
 * date's intervals. So an interval that starts inside a spring-forward gap starts when the clock jumps
 * (not an hour later), and a repeated hour of a fall-back is worked twice, as a person at the office
 * would. Sorted; pieces that touch are merged.
 */
function spansOn(c: Compiled, day: number): Span[] {
  let spans = c.days.get(day);
  if (spans) return spans;
  if (c.days.size >= CACHE_DAYS) c.days.clear();
  const local = wallSpans(c, day);
  const out: Array<[number, number]> = [];
  if (local.length > 0) {
    const base = day * DAY_MS;
    const lo = base + local[0]![0] * MS_PER_MINUTE - MARGIN_MS;
    const hi = base + local[local.length - 1]![1] * MS_PER_MINUTE + MARGIN_MS;
    // Pieces of real time with one offset each, covering [lo, hi].
    const pieces: Array<[from: number, to: number, offset: number]> = [];
    let from = -Infinity;
    let offset = c.zone.offsetAt(lo);
    for (const t of c.zone.transitionsIn(lo, hi)) {
      pieces.push([from, t.at, offset]);
      [from, offset] = [t.at, t.after];
    }
    pieces.push([from, Infinity, offset]);
    const raw: Array<[number, number]> = [];
    for (const [s, e] of local) {
      for (const [pf, pt, o] of pieces) {
        const a = Math.max(base + s * MS_PER_MINUTE - o, pf);
        const b = Math.min(base + e * MS_PER_MINUTE - o, pt);
        if (b > a) raw.push([a, b]);
      }
    }
    raw.sort((p, q) => p[0] - q[0]);
    for (const [a, b] of raw) {
      const last = out[out.length - 1];
      if (last && a <= last[1]) last[1] = Math.max(last[1], b);
      else out.push([a, b]);
    }
  }
  spans = out;
  c.days.set(day, spans);
  return spans;
}

/** A day whose working time is not its nominal weekly hours: holiday, make-up day, or near a DST change. */
const isSpecial = (c: Compiled, day: number): boolean => c.holidays.has(day) || c.workingDays.has(day) || c.zone.isTouched(day);

/** The first special day in [day, limit], else limit + 1. */
function nextSpecial(c: Compiled, day: number, limit: number): number {
  let lo = 0;
  let hi = c.special.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c.special[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  const listed = c.special[lo] ?? Infinity;
  const touched = c.zone.nextTouchedDay(day, Math.min(limit, listed));
  return Math.min(listed, touched, limit + 1);
}

/** Nominal working ms of the ordinary days [from, to): whole weeks at once, then the odd days. */
function ordinaryMs(c: Compiled, from: number, to: number): number {
  const n = to - from;
  let total = Math.floor(n / 7) * c.weeklyMs;
  for (let i = 0; i < n % 7; i++) total += c.weekMs[weekdayOf(from + i)]!;
  return total;
}

/**
 * Spans of `day` and, when it sits near a DST change, of the following days also near it, merged in
 * time order (around a fall-back at midnight the spans of two dates interleave). Returns the spans and
 * the first day not included.
 */
function chunk(c: Compiled, day: number, last: number): [Span[], number] {
  let end = day + 1;
  if (!c.zone.isTouched(day)) return [spansOn(c, day), end];
  while (end <= last && c.zone.isTouched(end)) end++;
  const spans: Span[] = [];
  for (let d = day; d < end; d++) spans.push(...spansOn(c, d));
  return [spans.sort((p, q) => p[0] - q[0]), end];
}

const yearStart = (y: number): number => Date.UTC(y, 0, 1) / DAY_MS;
const yearOfDay = (day: number): number => new Date(day * DAY_MS).getUTCFullYear();

/**
 * Exact working ms of local year y, memoised: the nominal hours of all its days, corrected on its
 * holidays, make-up days and days near a DST change. Lets long spans skip a year at a time, so even
 * in zones with daylight saving the cost hardly grows with the span. null when a DST change comes near
 * its first or last day (spans there may belong to the neighbouring year): such a year is walked.
 */
function yearMs(c: Compiled, y: number): number | null {
  if (c.years.has(y)) return c.years.get(y)!;
  const from = yearStart(y);
  const to = yearStart(y + 1);
  let total: number | null = ordinaryMs(c, from, to);
  for (let i = -EDGE_DAYS; i <= EDGE_DAYS && total !== null; i++) {
    if (c.zone.isTouched(from + i) || c.zone.isTouched(to + i)) total = null;
  }
  if (total !== null) {
    const special = new Set(c.zone.year(y).touched.filter((d) => d >= from && d < to));
    for (const d of c.special) if (d >= from && d < to) special.add(d);
    for (const d of special) {
      total += spansOn(c, d).reduce((m, [s, e]) => m + (e - s), 0) - c.weekMs[weekdayOf(d)]!;
    }
  }
  c.years.set(y, total);
  return total;
}

function millis(d: Date, name: string): number {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is not a valid date`);
  if (ms < MIN_SUPPORTED_MS || ms >= MAX_SUPPORTED_MS) {
    throw new RangeError(`${name} ${d.toISOString()} is outside the supported years ${MIN_CALENDAR_YEAR}–${MAX_CALENDAR_YEAR}`);
  }
  return ms;
}

export function isWorkingTime(cal: BusinessCalendar, instant: Date): boolean {
  const c = compile(cal);
  const t = millis(instant, 'instant');
  const day = localDay(c, t);
  for (let d = day - EDGE_DAYS; d <= day + EDGE_DAYS; d++) {
    for (const [s, e] of spansOn(c, d)) if (s <= t && t < e) return true;
  }
  return false;
}

/** t itself when it is working time, else the start of the next working interval. */
export function nextWorkingInstant(cal: BusinessCalendar, t: Date): Date {
  const r = addBusinessMinutes(cal, t, 0);
  // add(t, 0) stays at an interval end; the next working instant is the next start.
  return r.getTime() === t.getTime() && !isWorkingTime(cal, t) ? addBusinessMinutes(cal, new Date(t.getTime() + 1), 0) : r;
}

/**
 * The instant at which `minutes` of working time have elapsed after `start` (fractions allowed,
 * rounded to the millisecond). Counting starts at the next working interval when `start` is outside
 * working time; a result exactly at an interval end stays there (see the conventions above).
 *
 * Cost does not grow with the span: days near `start`, holidays, make-up days and days near a DST
 * change are measured exactly; runs of ordinary days between them are skipped a week at a time by
 * arithmetic on the nominal weekly hours.
 */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
  const c = compile(cal);
  let t = millis(start, 'start');
  let remaining = Math.round(minutes * MS_PER_MINUTE);
  const first = localDay(c, t);
  let day = first - EDGE_DAYS;
  const consume = (spans: readonly Span[]): number | null => {
    for (const [s, e] of spans) {
      if (e < t || (e === t && remaining > 0)) continue;
      const from = Math.max(s, t);
      if (remaining <= e - from) return from + remaining;
      remaining -= e - from;
      t = e;
    }
    return null;
  };
  while (day < LAST_DAY) {
    const year = yearOfDay(day);
    if (day > first + EDGE_DAYS && day === yearStart(year) && yearStart(year + 1) < LAST_DAY) {
      const ms = yearMs(c, year);
      if (ms !== null && remaining > ms) {
        remaining -= ms;
        day = yearStart(year + 1);
        continue;
      }
    }
    if (day <= first + EDGE_DAYS || isSpecial(c, day)) {
      const [spans, end] = chunk(c, day, LAST_DAY - 1);
      const r = consume(spans);
      if (r !== null) return new Date(r);
      day = end;
      continue;
    }
    // Ordinary days up to the next special one; look no further than the weeks the minutes could need.
    // Runs also end at New Year, where a whole year may be skipped.
    const horizon = c.weeklyMs > 0 ? day + 7 * (Math.ceil(remaining / c.weeklyMs) + 1) : LAST_DAY - 1;
    const next = nextSpecial(c, day, Math.min(horizon, yearStart(year + 1) - 1, LAST_DAY - 1));
    const available = ordinaryMs(c, day, next);
    if (available === 0 || remaining > available) {
      remaining -= available;
      day = next;
      if (c.weeklyMs === 0 && next >= LAST_DAY) break;
      continue;
    }
    const weeks = c.weeklyMs > 0 ? Math.max(0, Math.ceil(remaining / c.weeklyMs) - 1) : 0;
    remaining -= weeks * c.weeklyMs;
    for (day += 7 * weeks; day < next; day++) {
      const r = consume(spansOn(c, day));
      if (r !== null) return new Date(r);
    }
  }
  throw new RangeError(c.weeklyMs === 0
    ? `calendar has no working time after ${isoOf(first)}`
    : `the due time lies beyond the supported years (${MIN_CALENDAR_YEAR}–${MAX_CALENDAR_YEAR})`);
}

/**
 * Working minutes in [a, b). Antisymmetric: when b < a the result is minus the minutes in [b, a), and 0
 * when a equals b. Fractional when the instants are not on whole minutes. Cost as for addBusinessMinutes.
 */
export function businessMinutesBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  const c = compile(cal);
  const from = millis(a, 'a');
  const to = millis(b, 'b');
  if (to < from) return 0 - businessMinutesBetween(cal, b, a); // 0 - x: never -0
  if (to === from) return 0;
  const firstDay = localDay(c, from);
  const lastDay = localDay(c, to);
  let total = 0;
  for (let day = firstDay - EDGE_DAYS; day <= lastDay + EDGE_DAYS;) {
    const year = yearOfDay(day);
    if (day > firstDay + EDGE_DAYS && day === yearStart(year) && yearStart(year + 1) <= lastDay - EDGE_DAYS) {
      const ms = yearMs(c, year);
      if (ms !== null) {
        total += ms;
        day = yearStart(year + 1);
        continue;
      }
    }
    if (day <= firstDay + EDGE_DAYS || day >= lastDay - EDGE_DAYS || isSpecial(c, day)) {
      const [spans, end] = chunk(c, day, lastDay + EDGE_DAYS);
      for (const [s, e] of spans) total += Math.max(0, Math.min(e, to) - Math.max(s, from));
      day = end;
      continue;
    }
    const next = Math.min(nextSpecial(c, day, Math.min(lastDay - EDGE_DAYS, yearStart(year + 1)) - 1), lastDay - EDGE_DAYS, yearStart(year + 1));
    total += ordinaryMs(c, day, next);
    day = next;
  }
  return total / MS_PER_MINUTE;
}

/** The working intervals of one local date ('YYYY-MM-DD'), as instants. */
export function workingIntervalsOn(cal: BusinessCalendar, date: string): Array<{ start: Date; end: Date }> {
  if (!isCalendarDate(date)) throw new RangeError(`invalid date '${date}', expected YYYY-MM-DD in ${MIN_CALENDAR_YEAR}–${MAX_CALENDAR_YEAR}`);
  return spansOn(compile(cal), ordinalOf(date)).map(([s, e]) => ({ start: new Date(s), end: new Date(e) }));
}

/** A real date 'YYYY-MM-DD' within the supported years. */
export function isCalendarDate(date: unknown): date is string {
  if (typeof date !== 'string' || !DATE.test(date)) return false;
  const year = Number(date.slice(0, 4));
  return year >= MIN_CALENDAR_YEAR && year <= MAX_CALENDAR_YEAR && isoOf(ordinalOf(date)) === date;
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
    if (isCalendarDate(d)) valid.push(d);
    else errors.push({ path: [...path, String(i)], code: 'INVALID_DATE', message: `must be a valid date YYYY-MM-DD in ${MIN_CALENDAR_YEAR}–${MAX_CALENDAR_YEAR}` });
  });
  if (value.length > MAX_CALENDAR_DATES) errors.push({ path, code: 'TOO_MANY', message: `at most ${MAX_CALENDAR_DATES} dates` });
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
    } else if (weekly < MIN_WEEKLY_WORKING_MINUTES) {
      errors.push({ path: at('weeklyHours'), code: 'TOO_LITTLE_WORKING_TIME', message: `a calendar must offer at least ${MIN_WEEKLY_WORKING_MINUTES} working minutes a week` });
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
  if (errors.length === 0 && weekly > 0) {
    const idle = longestIdleRun(cal as BusinessCalendar);
    if (idle) errors.push({ path: at('holidays'), code: 'TOO_LITTLE_WORKING_TIME', message: `no working time for more than ${MAX_IDLE_DAYS} days from ${idle}` });
  }
  if (cal.holidayYears != null) {
    if (!Array.isArray(cal.holidayYears) || cal.holidayYears.length > MAX_CALENDAR_YEAR - MIN_CALENDAR_YEAR + 1) {
      errors.push({ path: at('holidayYears'), code: 'INVALID', message: 'holidayYears must be a list of years' });
    } else {
      cal.holidayYears.forEach((y: unknown, i) => {
        if (!Number.isInteger(y) || (y as number) < MIN_CALENDAR_YEAR || (y as number) > MAX_CALENDAR_YEAR) {
          errors.push({ path: at('holidayYears', String(i)), code: 'OUT_OF_RANGE', message: `a year from ${MIN_CALENDAR_YEAR} to ${MAX_CALENDAR_YEAR}` });
        }
      });
    }
  }
  return errors;
}

/**
 * The first date of a run of more than MAX_IDLE_DAYS days without working time that the holidays
 * create, else null. Nominal hours only (integer maths over the listed range, no time zones).
 */
function longestIdleRun(cal: BusinessCalendar): string | null {
  if (cal.holidays.length === 0) return null;
  const holidays = new Set(cal.holidays.map(ordinalOf));
  const working = new Set(cal.workingDays.map(ordinalOf));
  const makeup = cal.makeupHours ? cal.makeupHours.length > 0 : (cal.weeklyHours[1]?.length ?? 0) > 0;
  const works = (d: number) => !holidays.has(d) && (working.has(d) ? makeup : (cal.weeklyHours[weekdayOf(d)]?.length ?? 0) > 0);
  const sorted = [...holidays].sort((a, b) => a - b);
  let runStart: number | null = null;
  for (let d = sorted[0]! - 7; d <= sorted[sorted.length - 1]! + 7; d++) {
    if (works(d)) runStart = null;
    else if (runStart === null) runStart = d;
    else if (d - runStart >= MAX_IDLE_DAYS) return isoOf(runStart);
  }
  return null;
}
