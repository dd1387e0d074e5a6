import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  addBusinessMinutes as add,
  businessMinutesBetween as between,
  CN_2026_HOLIDAYS,
  CN_2026_MAKEUP_DAYS,
  dailyWorkingMinutes,
  DEFAULT_CALENDAR as CN,
  isWorkingTime,
  nextWorkingInstant,
  validateCalendar,
  workingIntervalsOn,
  type BusinessCalendar,
  type IsoWeekday,
  type WorkingInterval,
} from './calendar.ts';

const d = (iso: string) => new Date(iso);
const week = (hours: WorkingInterval[], days: IsoWeekday[] = [1, 2, 3, 4, 5]) =>
  Object.fromEntries(([1, 2, 3, 4, 5, 6, 7] as const).map((w) => [w, days.includes(w) ? hours : []])) as unknown as BusinessCalendar['weeklyHours'];
const LONDON_OFFICE: BusinessCalendar = { timeZone: 'Europe/London', weeklyHours: week([{ start: '09:00', end: '17:00' }]), holidays: [], workingDays: [] };
const LONDON_ALWAYS: BusinessCalendar = { timeZone: 'Europe/London', weeklyHours: week([{ start: '00:00', end: '24:00' }], [1, 2, 3, 4, 5, 6, 7]), holidays: [], workingDays: [] };
const LONDON_NIGHT: BusinessCalendar = { ...LONDON_ALWAYS, weeklyHours: week([{ start: '00:30', end: '03:00' }], [1, 2, 3, 4, 5, 6, 7]) };

describe('2026 China calendar data', () => {
  it('lists the State Council 2026 holidays and make-up days', () => {
    expect(CN_2026_HOLIDAYS).toHaveLength(33);
    expect(CN_2026_HOLIDAYS).toContain('2026-02-23');
    expect(CN_2026_HOLIDAYS).toContain('2026-10-07');
    expect(CN_2026_MAKEUP_DAYS).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    // every make-up day is a weekend day; no date is both
    for (const m of CN_2026_MAKEUP_DAYS) expect(DateTime.fromISO(m).weekday).toBeGreaterThanOrEqual(6);
    expect(validateCalendar(CN)).toEqual([]);
    expect(dailyWorkingMinutes(CN)).toBe(480);
  });

  it('has 248 working days in 2026', () => {
    expect(between(CN, d('2026-01-01T00:00+08:00'), d('2027-01-01T00:00+08:00'))).toBe(248 * 480);
  });
});

describe('addBusinessMinutes, hand-computed (Asia/Shanghai)', () => {
  it.each([
    ['complaint before National Day: 420 on Sep 30, Oct 8+9, 60 on make-up Sat Oct 10', '2026-09-30T10:00+08:00', 1440, '2026-10-10T10:00+08:00'],
    ['first response before National Day', '2026-09-30T10:00+08:00', 480, '2026-10-08T10:00+08:00'],
    ['complaint before Spring Festival: 60 Fri, 480 make-up Sat Feb 14, Feb 24, 420 Feb 25', '2026-02-13T17:00+08:00', 1440, '2026-02-25T17:00+08:00'],
    ['first response before Spring Festival lands on the make-up Saturday', '2026-02-13T17:00+08:00', 480, '2026-02-14T17:00+08:00'],
    ['17:59 Friday, 1 minute: stays at the 18:00 interval end', '2026-03-06T17:59+08:00', 1, '2026-03-06T18:00+08:00'],
    ['17:59 Friday, 2 minutes: 1 that day, 1 on Monday', '2026-03-06T17:59+08:00', 2, '2026-03-09T09:01+08:00'],
    ['17:59 Friday, one working day', '2026-03-06T17:59+08:00', 480, '2026-03-09T17:59+08:00'],
    ['received on Labour Day: counting starts May 6, ends at 18:00 May 8', '2026-05-01T10:00+08:00', 1440, '2026-05-08T18:00+08:00'],
    ['one minute more runs into the make-up Saturday May 9', '2026-05-01T10:00+08:00', 1441, '2026-05-09T09:01+08:00'],
    ['lunch break is skipped', '2026-03-09T11:45+08:00', 30, '2026-03-09T13:15+08:00'],
    ['received during lunch', '2026-03-09T12:30+08:00', 30, '2026-03-09T13:30+08:00'],
    ['New Year: Jan 1–3 off, Sunday Jan 4 worked', '2025-12-31T17:00+08:00', 120, '2026-01-04T10:00+08:00'],
    ['Qingming: Sat–Mon Apr 4–6 off', '2026-04-03T17:30+08:00', 60, '2026-04-07T09:30+08:00'],
    ['zero minutes at an interval end stays', '2026-03-06T18:00+08:00', 0, '2026-03-06T18:00+08:00'],
    ['zero minutes at night moves to the next start', '2026-03-06T20:00+08:00', 0, '2026-03-09T09:00+08:00'],
  ])('%s', (_name, start, minutes, expected) => {
    expect(add(CN, d(start), minutes).toISOString()).toBe(d(expected).toISOString());
  });

  it('adds 30 working days day by day, quickly', () => {
    const fresh = { ...CN, holidays: [...CN.holidays, '2099-01-01'] }; // not memoised yet
    const t0 = performance.now();
    // March has no holidays; Apr 4–6 are off: the 30th working day is Apr 13
    expect(add(fresh, d('2026-03-02T09:00+08:00'), 30 * 480).toISOString()).toBe(d('2026-04-13T18:00+08:00').toISOString());
    // A generous bound: a day-by-day loop without the memoised day table takes far longer.
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('throws clearly instead of looping on a calendar without working time', () => {
    const none: BusinessCalendar = { ...CN, weeklyHours: week([]), workingDays: [] };
    expect(() => add(none, d('2026-03-02T09:00+08:00'), 1)).toThrow(/no working time/);
    expect(() => nextWorkingInstant(none, d('2026-03-02T09:00+08:00'))).toThrow(/no working time/);
    expect(between(none, d('2026-01-01T00:00Z'), d('2026-12-31T00:00Z'))).toBe(0);
  });

  it('rejects bad arguments', () => {
    expect(() => add(CN, d('2026-03-02T09:00Z'), -1)).toThrow(RangeError);
    expect(() => add(CN, d('2026-03-02T09:00Z'), Number.NaN)).toThrow(RangeError);
    expect(() => add(CN, new Date(Number.NaN), 1)).toThrow(RangeError);
    expect(() => isWorkingTime({ ...CN, timeZone: 'Mars/Olympus' }, d('2026-03-02T09:00Z'))).toThrow(/time zone/);
  });
});

describe('isWorkingTime, nextWorkingInstant, businessMinutesBetween (Asia/Shanghai)', () => {
  it.each([
    ['2026-03-09T09:00+08:00', true], ['2026-03-09T08:59+08:00', false], ['2026-03-09T11:59+08:00', true],
    ['2026-03-09T12:00+08:00', false], ['2026-03-09T13:00+08:00', true], ['2026-03-09T18:00+08:00', false],
    ['2026-03-07T10:00+08:00', false], ['2026-10-01T10:00+08:00', false], ['2026-10-10T10:00+08:00', true],
    ['2026-02-14T10:00+08:00', true], ['2026-02-23T10:00+08:00', false],
  ])('%s working: %s', (t, expected) => expect(isWorkingTime(CN, d(t))).toBe(expected));

  it.each([
    ['2026-03-06T18:00+08:00', '2026-03-09T09:00+08:00'],
    ['2026-03-09T12:00+08:00', '2026-03-09T13:00+08:00'],
    ['2026-03-09T10:17+08:00', '2026-03-09T10:17+08:00'],
    ['2026-09-30T18:30+08:00', '2026-10-08T09:00+08:00'],
  ])('next working instant after %s is %s', (t, expected) => {
    expect(nextWorkingInstant(CN, d(t)).toISOString()).toBe(d(expected).toISOString());
  });

  it('counts minutes over National Day and is antisymmetric', () => {
    const a = d('2026-09-30T00:00+08:00');
    const b = d('2026-10-11T00:00+08:00');
    expect(between(CN, a, b)).toBe(4 * 480); // Sep 30, Oct 8, 9 and make-up Oct 10
    expect(between(CN, b, a)).toBe(-4 * 480);
    expect(between(CN, a, a)).toBe(0);
    expect(between(CN, d('2026-03-09T11:59:30+08:00'), d('2026-03-09T13:00:30+08:00'))).toBe(1);
  });
});

describe('DST in Europe/London (2026-03-29 and 2026-10-25)', () => {
  it.each([
    ['spring: Friday 16:00 GMT + 2h → Monday 10:00 BST', '2026-03-27T16:00Z', 120, '2026-03-30T09:00Z'],
    ['autumn: Friday 16:00 BST + 2h → Monday 10:00 GMT', '2026-10-23T15:00Z', 120, '2026-10-26T10:00Z'],
  ])('%s', (_name, start, minutes, expected) => {
    expect(add(LONDON_OFFICE, d(start), minutes).toISOString()).toBe(d(expected).toISOString());
  });

  it('measures the short and the long day', () => {
    expect(between(LONDON_ALWAYS, d('2026-03-29T00:00Z'), d('2026-03-29T23:00Z'))).toBe(23 * 60);
    expect(between(LONDON_ALWAYS, d('2026-10-24T23:00Z'), d('2026-10-26T00:00Z'))).toBe(25 * 60);
    const span = (cal: BusinessCalendar, date: string) =>
      workingIntervalsOn(cal, date).reduce((m, i) => m + (i.end.getTime() - i.start.getTime()) / 60_000, 0);
    expect(span(LONDON_ALWAYS, '2026-03-29')).toBe(1380);
    expect(span(LONDON_ALWAYS, '2026-10-25')).toBe(1500);
    expect(span(LONDON_NIGHT, '2026-03-29')).toBe(90); // 00:30 GMT – 03:00 BST
    expect(span(LONDON_NIGHT, '2026-10-25')).toBe(210); // 00:30 BST – 03:00 GMT
    expect(between(LONDON_OFFICE, d('2026-03-27T09:00Z'), d('2026-03-30T16:00Z'))).toBe(960);
  });
});

describe('validateCalendar', () => {
  const ok: BusinessCalendar = { ...LONDON_OFFICE };
  const codes = (input: unknown) => validateCalendar(input).map((e) => `${e.path.slice(1).join('.')}:${e.code}`);

  it('accepts a valid calendar, 24:00 ends and a missing time zone (default)', () => {
    expect(validateCalendar(ok)).toEqual([]);
    expect(validateCalendar(LONDON_ALWAYS)).toEqual([]);
    const { timeZone: _tz, ...noZone } = ok;
    expect(validateCalendar(noZone)).toEqual([]);
  });

  it('reports each problem with its path', () => {
    expect(codes(null)).toEqual([':INVALID']);
    expect(codes({ ...ok, timeZone: 'Asia/Beijing' })).toEqual(['timeZone:INVALID_TIME_ZONE']);
    expect(codes({ ...ok, weeklyHours: { 1: [{ start: '9:00', end: '25:00' }] } })).toEqual([
      'weeklyHours.1.0.start:INVALID_TIME', 'weeklyHours.1.0.end:INVALID_TIME', 'weeklyHours:NO_WORKING_TIME',
    ]);
    expect(codes({ ...ok, weeklyHours: { 2: [{ start: '18:00', end: '09:00' }, { start: '24:00', end: '24:00' }] } })).toEqual([
      'weeklyHours.2.0:INVALID_INTERVAL', 'weeklyHours.2.1.start:INVALID_TIME', 'weeklyHours:NO_WORKING_TIME',
    ]);
    expect(codes({ ...ok, weeklyHours: { 3: [{ start: '13:00', end: '18:00' }, { start: '09:00', end: '13:30' }] } })).toEqual([
      'weeklyHours.3.1:OVERLAP',
    ]);
    expect(codes({ ...ok, weeklyHours: { 8: [] } })).toEqual(['weeklyHours.8:INVALID', 'weeklyHours:NO_WORKING_TIME']);
    expect(codes({ ...ok, weeklyHours: undefined })).toEqual(['weeklyHours:REQUIRED']);
    expect(codes({ ...ok, holidays: ['2026-02-30', '2026-1-1', 7] })).toEqual([
      'holidays.0:INVALID_DATE', 'holidays.1:INVALID_DATE', 'holidays.2:INVALID_DATE',
    ]);
    expect(codes({ ...ok, holidays: ['2026-05-09'], workingDays: ['2026-05-09'] })).toEqual(['workingDays.0:CONFLICT']);
    expect(codes({ ...ok, weeklyHours: week([], []), workingDays: [] })).toEqual(['weeklyHours:NO_WORKING_TIME']);
    expect(codes({ ...ok, weeklyHours: week([{ start: '09:00', end: '12:00' }], [2]), workingDays: ['2026-05-09'] })).toEqual([
      'makeupHours:REQUIRED',
    ]);
    expect(codes({ ...ok, makeupHours: [], workingDays: ['2026-05-09'] })).toEqual(['makeupHours:NO_WORKING_TIME']);
  });

  it('uses makeupHours on make-up days when given', () => {
    const cal: BusinessCalendar = { ...CN, makeupHours: [{ start: '10:00', end: '11:00' }] };
    expect(workingIntervalsOn(cal, '2026-10-10').map((i) => i.start.toISOString())).toEqual(['2026-10-10T02:00:00.000Z']);
    expect(isWorkingTime(cal, d('2026-10-10T09:30+08:00'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties, over the default calendar, London and random calendars in zones with DST quirks.

const pad = (n: number) => String(n).padStart(2, '0');
const quarter = (q: number) => `${pad(Math.floor(q / 4))}:${pad((q % 4) * 15)}`; // 96 → '24:00'
const dayHours = fc.uniqueArray(fc.integer({ min: 0, max: 96 }), { maxLength: 6 }).map((bs) => {
  const s = [...bs].sort((a, b) => a - b);
  const out: WorkingInterval[] = [];
  for (let i = 0; i + 1 < s.length; i += 2) out.push({ start: quarter(s[i]!), end: quarter(s[i + 1]!) });
  return out;
});
const minutesOf = (list: readonly WorkingInterval[]) =>
  list.reduce((m, i) => m + (Number(i.end.slice(0, 2)) * 60 + Number(i.end.slice(3))) - (Number(i.start.slice(0, 2)) * 60 + Number(i.start.slice(3))), 0);
const date2026 = fc.integer({ min: 0, max: 364 }).map((n) => DateTime.utc(2026, 1, 1).plus({ days: n }).toISODate()!);
const randomCalendar: fc.Arbitrary<BusinessCalendar> = fc
  .record({
    timeZone: fc.constantFrom('Asia/Shanghai', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC'),
    weeklyHours: fc.tuple(dayHours, dayHours, dayHours, dayHours, dayHours, dayHours, dayHours)
      .map((w) => Object.fromEntries(w.map((h, i) => [i + 1, h])) as unknown as BusinessCalendar['weeklyHours']),
    holidays: fc.uniqueArray(date2026, { maxLength: 30 }),
    workingDays: fc.uniqueArray(date2026, { maxLength: 10 }),
    makeupHours: fc.option(dayHours, { nil: undefined }),
  })
  .map((c) => ({ ...c, workingDays: c.workingDays.filter((w) => !c.holidays.includes(w)) }))
  .filter((c) => Object.values(c.weeklyHours).reduce((m, h) => m + minutesOf(h), 0) >= 240)
  // make-up days need some hours to work (validateCalendar insists)
  .filter((c) => c.workingDays.length === 0 || (c.makeupHours ?? c.weeklyHours[1]).length > 0);

const calendars = fc.oneof(fc.constant(CN), fc.constant(LONDON_OFFICE), fc.constant(LONDON_NIGHT), randomCalendar);
const MIN = Date.UTC(2025, 11, 1);
const MAX = Date.UTC(2027, 0, 31);
// Quarter-hour instants hit interval bounds often; millisecond ones catch off-by-one errors.
const instant = fc.oneof(
  fc.integer({ min: MIN / 900_000, max: MAX / 900_000 }).map((q) => new Date(q * 900_000)),
  fc.integer({ min: MIN, max: MAX }).map((ms) => new Date(ms)),
);
const minutes = fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.constantFrom(0, 1, 480, 1440));
const runs = { numRuns: Number(process.env.FC_RUNS ?? 150) }; // FC_RUNS=5000 for a deeper search

function isIntervalEnd(cal: BusinessCalendar, t: Date): boolean {
  const local = DateTime.fromJSDate(t, { zone: cal.timeZone });
  return [local.minus({ days: 1 }), local].some((day) =>
    workingIntervalsOn(cal, day.toISODate()!).some((i) => i.end.getTime() === t.getTime()));
}

// Property tests run hundreds of cases: an explicit budget instead of vitest's 5 s default, which a
// loaded CI machine exceeded. numRuns is fixed (FC_RUNS), so the work per run does not depend on time.
describe('properties', { timeout: 60_000 }, () => {
  it('random calendars are valid', () => {
    fc.assert(fc.property(randomCalendar, (cal) => { expect(validateCalendar(cal)).toEqual([]); }), runs);
  });

  it('is monotonic in the minutes added', () => {
    fc.assert(fc.property(calendars, instant, minutes, minutes, (cal, t, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(add(cal, t, lo).getTime()).toBeLessThanOrEqual(add(cal, t, hi).getTime());
      expect(add(cal, t, lo).getTime()).toBeGreaterThanOrEqual(t.getTime());
    }), runs);
  });

  it('is additive: add(add(t, a), b) = add(t, a + b)', () => {
    fc.assert(fc.property(calendars, instant, minutes, minutes, (cal, t, a, b) => {
      expect(add(cal, add(cal, t, a), b).toISOString()).toBe(add(cal, t, a + b).toISOString());
    }), runs);
  });

  it('never ends in non-working time, except exactly at an interval end', () => {
    fc.assert(fc.property(calendars, instant, minutes, (cal, t, m) => {
      const r = add(cal, t, m);
      expect(isWorkingTime(cal, r) || isIntervalEnd(cal, r)).toBe(true);
      // the last minute counted was working time, so never a holiday
      if (m > 0) expect(isWorkingTime(cal, new Date(r.getTime() - 1))).toBe(true);
    }), runs);
  });

  it('round-trips: businessMinutesBetween(t, add(t, m)) = m', () => {
    fc.assert(fc.property(calendars, instant, minutes, (cal, t, m) => {
      expect(between(cal, t, add(cal, t, m))).toBe(m);
    }), runs);
  });

  it('measures additively and antisymmetrically', () => {
    fc.assert(fc.property(calendars, instant, instant, instant, (cal, a, b, c) => {
      expect(between(cal, a, b) + between(cal, b, c)).toBeCloseTo(between(cal, a, c), 9);
      expect(between(cal, b, a)).toBe(-between(cal, a, b) || 0);
    }), { numRuns: Math.ceil(runs.numRuns / 2) });
  });

  it('nextWorkingInstant is the first working instant at or after t', () => {
    fc.assert(fc.property(calendars, instant, (cal, t) => {
      const n = nextWorkingInstant(cal, t);
      expect(n.getTime()).toBeGreaterThanOrEqual(t.getTime());
      expect(isWorkingTime(cal, n)).toBe(true);
      expect(between(cal, t, n)).toBe(0);
      if (isWorkingTime(cal, t)) expect(n.getTime()).toBe(t.getTime());
    }), runs);
  });

  it('skips holidays and honours make-up days', () => {
    const minuteOfDay = fc.integer({ min: 0, max: 1439 });
    const at = (date: string, m: number) =>
      DateTime.fromISO(date, { zone: CN.timeZone }).plus({ minutes: m }).toJSDate();
    fc.assert(fc.property(fc.constantFrom(...CN_2026_HOLIDAYS), minuteOfDay, (date, m) => {
      expect(isWorkingTime(CN, at(date, m))).toBe(false);
    }), runs);
    fc.assert(fc.property(fc.constantFrom(...CN_2026_MAKEUP_DAYS), minuteOfDay, (date, m) => {
      const working = (m >= 540 && m < 720) || (m >= 780 && m < 1080);
      expect(isWorkingTime(CN, at(date, m))).toBe(working);
    }), runs);
    // removing holidays only brings due times earlier; removing make-up days only later
    const noHolidays = { ...CN, holidays: [] };
    const noMakeup = { ...CN, workingDays: [] };
    fc.assert(fc.property(instant, minutes, (t, m) => {
      const due = add(CN, t, m).getTime();
      expect(add(noHolidays, t, m).getTime()).toBeLessThanOrEqual(due);
      expect(add(noMakeup, t, m).getTime()).toBeGreaterThanOrEqual(due);
    }), runs);
  });

  it('in a round-the-clock London calendar business time is elapsed time, across both DST changes', () => {
    const dstWindow = fc.oneof(
      fc.integer({ min: Date.UTC(2026, 2, 27), max: Date.UTC(2026, 3, 1) }),
      fc.integer({ min: Date.UTC(2026, 9, 23), max: Date.UTC(2026, 9, 28) }),
    ).map((ms) => new Date(ms));
    fc.assert(fc.property(dstWindow, fc.integer({ min: 0, max: 4 * 1440 }), dstWindow, (t, m, u) => {
      expect(add(LONDON_ALWAYS, t, m).getTime()).toBe(t.getTime() + m * 60_000);
      expect(between(LONDON_ALWAYS, t, u)).toBeCloseTo((u.getTime() - t.getTime()) / 60_000, 9);
    }), runs);
    // office hours across the change: every result is on a weekday between 09:00 and 17:00 local
    fc.assert(fc.property(dstWindow, fc.integer({ min: 1, max: 3000 }), (t, m) => {
      const r = DateTime.fromJSDate(add(LONDON_OFFICE, t, m), { zone: 'Europe/London' });
      expect(r.weekday).toBeLessThanOrEqual(5);
      const minute = r.hour * 60 + r.minute + r.second / 60 + r.millisecond / 60_000;
      expect(minute).toBeGreaterThan(9 * 60);
      expect(minute).toBeLessThanOrEqual(17 * 60);
    }), runs);
  });
});

describe('more properties (issue 6)', { timeout: 60_000 }, () => {
  const dayStart = (cal: BusinessCalendar, date: string) => DateTime.fromISO(date, { zone: cal.timeZone }).toJSDate();
  const nextDayStart = (cal: BusinessCalendar, date: string) => DateTime.fromISO(date, { zone: cal.timeZone }).plus({ days: 1 }).toJSDate();

  it('a holiday contributes no working minutes, on any calendar, even on a weekday with hours', () => {
    for (const h of CN_2026_HOLIDAYS) expect(between(CN, dayStart(CN, h), nextDayStart(CN, h))).toBe(0);
    fc.assert(fc.property(randomCalendar, date2026, (cal, date) => {
      const withHoliday = { ...cal, holidays: [...cal.holidays, date], workingDays: cal.workingDays.filter((w) => w !== date) };
      expect(between(withHoliday, dayStart(cal, date), nextDayStart(cal, date))).toBe(0);
    }), runs);
  });

  it('a make-up day counts exactly the make-up hours (Monday hours by default)', () => {
    for (const m of CN_2026_MAKEUP_DAYS) expect(between(CN, dayStart(CN, m), nextDayStart(CN, m))).toBe(480);
    fc.assert(fc.property(randomCalendar, date2026, (cal, date) => {
      const hours = cal.makeupHours ?? cal.weeklyHours[1];
      fc.pre(hours.length > 0 && !cal.holidays.includes(date));
      const withMakeup = { ...cal, workingDays: [...new Set([...cal.workingDays, date])] };
      const measured = workingIntervalsOn(withMakeup, date).reduce((m, i) => m + (i.end.getTime() - i.start.getTime()) / 60_000, 0);
      // equal to the nominal hours except on a DST-change day, where the wall clock skips or repeats
      const local = DateTime.fromISO(date, { zone: cal.timeZone });
      const dstDay = local.offset !== local.plus({ days: 1 }).offset;
      if (!dstDay) expect(measured).toBe(minutesOf(hours));
    }), runs);
  });

  it('is additive and round-trips on office calendars right across the London DST changes', () => {
    const dstWindow = fc.oneof(
      fc.integer({ min: Date.UTC(2026, 2, 26), max: Date.UTC(2026, 2, 31) }),
      fc.integer({ min: Date.UTC(2026, 9, 22), max: Date.UTC(2026, 9, 27) }),
    ).map((ms) => new Date(ms));
    const cals = fc.constantFrom(LONDON_OFFICE, LONDON_NIGHT, LONDON_ALWAYS);
    fc.assert(fc.property(cals, dstWindow, fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 1500 }), (cal, t, a, b) => {
      expect(add(cal, add(cal, t, a), b).getTime()).toBe(add(cal, t, a + b).getTime());
      expect(between(cal, t, add(cal, t, a))).toBe(a);
    }), runs);
  });
});
