// Issue 10: bounded business-time arithmetic, the wall-clock reading of DST changes, calendar limits
// and holiday coverage.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addBusinessMinutes as add,
  businessMinutesBetween as between,
  DEFAULT_CALENDAR as CN,
  isWorkingTime,
  MAX_IDLE_DAYS,
  validateCalendar,
  workingIntervalsOn,
  type BusinessCalendar,
  type IsoWeekday,
  type WorkingInterval,
} from './calendar.ts';
import { validateReceivedAt } from './sla.ts';
import { calendarCoverage, CN_MAINLAND_HOLIDAY_DATA, coveredYears, holidayDataDates, holidaysCoveredUntil } from './holidays.ts';

const d = (iso: string) => new Date(iso);
const MIN = 60_000;
const week = (byDay: Partial<Record<IsoWeekday, WorkingInterval[]>>) =>
  Object.fromEntries(([1, 2, 3, 4, 5, 6, 7] as const).map((w) => [w, byDay[w] ?? []])) as unknown as BusinessCalendar['weeklyHours'];
const cal = (timeZone: string, byDay: Partial<Record<IsoWeekday, WorkingInterval[]>>, extra: Partial<BusinessCalendar> = {}): BusinessCalendar =>
  ({ timeZone, weeklyHours: week(byDay), holidays: [], workingDays: [], ...extra });
const sundays = (start: string, end: string) => ({ 7: [{ start, end }] });
const minutesOn = (c: BusinessCalendar, date: string) =>
  workingIntervalsOn(c, date).reduce((m, i) => m + (i.end.getTime() - i.start.getTime()) / MIN, 0);

// ---------------------------------------------------------------------------------------------------
// The reference: minute by minute, reading each instant's wall clock with Intl (not the engine's code).

const formats = new Map<string, Intl.DateTimeFormat>();
function wall(timeZone: string, ms: number) {
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' })));
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  const weekday = (['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday!) + 1) as IsoWeekday;
  return { date: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute), weekday };
}
const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
function refWorking(c: BusinessCalendar, ms: number): boolean {
  const w = wall(c.timeZone, ms);
  const list = c.holidays.includes(w.date) ? [] : c.workingDays.includes(w.date) ? (c.makeupHours ?? c.weeklyHours[1]) : c.weeklyHours[w.weekday];
  return list.some((i) => toMinutes(i.start) <= w.minute && w.minute < toMinutes(i.end));
}
function refAdd(c: BusinessCalendar, t: number, m: number): number {
  if (m === 0 && (refWorking(c, t) || refWorking(c, t - MIN))) return t;
  let counted = 0;
  for (let x = t; x < t + 60 * 1440 * MIN; x += MIN) {
    if (!refWorking(c, x)) continue;
    if (m === 0) return x;
    if (++counted === m) return x + MIN;
  }
  throw new Error('reference gave up');
}
function refBetween(c: BusinessCalendar, a: number, b: number): number {
  let n = 0;
  for (let x = a; x < b; x += MIN) if (refWorking(c, x)) n++;
  return n;
}

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (q: number) => `${pad(Math.floor(q / 2))}:${pad((q % 2) * 30)}`; // half hours, 48 → 24:00
const dayHours = fc.uniqueArray(fc.integer({ min: 0, max: 48 }), { maxLength: 4 }).map((bs) => {
  const s = [...bs].sort((a, b) => a - b);
  const out: WorkingInterval[] = [];
  for (let i = 0; i + 1 < s.length; i += 2) out.push({ start: hhmm(s[i]!), end: hhmm(s[i + 1]!) });
  return out;
});
// Changes: London 03-29 / 10-25, New York 03-08 / 11-01, Lord Howe (30 min) 04-05 / 10-04, Santiago 04-05 / 09-06.
const TRANSITIONS: Record<string, string[]> = {
  'Europe/London': ['2026-03-29T01:00Z', '2026-10-25T01:00Z'],
  'America/New_York': ['2026-03-08T07:00Z', '2026-11-01T06:00Z'],
  'Australia/Lord_Howe': ['2026-04-04T15:00Z', '2026-10-03T15:30Z'],
  'America/Santiago': ['2026-04-05T03:00Z', '2026-09-06T04:00Z'],
};
const zoneAndChange = fc.constantFrom(...Object.entries(TRANSITIONS).flatMap(([z, ts]) => ts.map((t) => [z, Date.parse(t)] as const)));
const scenario = fc.record({
  zc: zoneAndChange,
  hours: fc.tuple(dayHours, dayHours, dayHours, dayHours, dayHours, dayHours, dayHours),
  offsetMinutes: fc.integer({ min: -2 * 1440, max: 1440 }),
  minutes: fc.integer({ min: 0, max: 600 }),
  // at least two hours a week, so the reference finds 600 minutes within its 60 days
}).filter((s) => s.hours.reduce((m, h) => m + h.reduce((n, i) => n + toMinutes(i.end) - toMinutes(i.start), 0), 0) >= 120);

describe('fast arithmetic agrees with minute-by-minute counting on the wall clock', () => {
  const runs = { numRuns: Number(process.env.FC_RUNS ?? 60) };
  it('addBusinessMinutes and businessMinutesBetween, across DST changes in four zones', () => {
    fc.assert(fc.property(scenario, ({ zc: [zone, change], hours, offsetMinutes, minutes }) => {
      const c: BusinessCalendar = { timeZone: zone, weeklyHours: Object.fromEntries(hours.map((h, i) => [i + 1, h])) as never, holidays: [], workingDays: [] };
      const t = change + offsetMinutes * MIN;
      const expected = refAdd(c, t, minutes);
      expect(new Date(add(c, new Date(t), minutes)).toISOString()).toBe(new Date(expected).toISOString());
      const b = t + 2 * 1440 * MIN;
      expect(between(c, new Date(t), new Date(b))).toBe(refBetween(c, t, b));
    }), runs);
  }, 120_000); // the minute-by-minute reference is slow on purpose
});

describe('year and week skipping agree with summing every day over long spans', () => {
  // Independent of the skipping: add up each local date's working intervals, clipped to [a, b).
  const daySum = (c: BusinessCalendar, a: number, b: number) => {
    let total = 0;
    for (let day = Math.floor(a / 86_400_000) - 2; day <= Math.floor(b / 86_400_000) + 2; day++) {
      for (const i of workingIntervalsOn(c, new Date(day * 86_400_000).toISOString().slice(0, 10))) {
        total += Math.max(0, Math.min(i.end.getTime(), b) - Math.max(i.start.getTime(), a));
      }
    }
    return total / MIN;
  };
  const date = fc.integer({ min: 0, max: 729 }).map((n) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
  const longCalendar = fc.record({
    timeZone: fc.constantFrom('Asia/Shanghai', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe'),
    hours: fc.tuple(dayHours, dayHours, dayHours, dayHours, dayHours, dayHours, dayHours),
    holidays: fc.uniqueArray(date, { maxLength: 40 }),
    workingDays: fc.uniqueArray(date, { maxLength: 10 }),
  }).map(({ timeZone, hours, holidays, workingDays }): BusinessCalendar => ({
    timeZone, weeklyHours: Object.fromEntries(hours.map((h, i) => [i + 1, h])) as never, holidays,
    workingDays: workingDays.filter((w) => !holidays.includes(w)), makeupHours: [{ start: '09:00', end: '17:00' }],
  })).filter((c) => Object.values(c.weeklyHours).reduce((m, h) => m + h.reduce((n, i) => n + toMinutes(i.end) - toMinutes(i.start), 0), 0) >= 600);
  // Spans of several years: whole years are skipped at once (yearMs), the rest a week at a time.
  const instant = fc.integer({ min: Date.UTC(2025, 11, 1), max: Date.UTC(2030, 11, 31) });
  it('businessMinutesBetween over up to five years, and addBusinessMinutes round-trips', () => {
    fc.assert(fc.property(longCalendar, instant, instant, fc.integer({ min: 0, max: 600_000 }), (c, x, y, m) => {
      const [a, b] = x <= y ? [x, y] : [y, x];
      expect(between(c, new Date(a), new Date(b))).toBeCloseTo(daySum(c, a, b), 6);
      const due = add(c, new Date(a), m);
      expect(daySum(c, a, due.getTime())).toBeCloseTo(m, 6);
    }), { numRuns: Number(process.env.FC_RUNS ?? 40) });
  }, 120_000);
});

describe('DST gaps and repeated hours, read off the wall clock', () => {
  it.each([
    // [calendar, date, working minutes that day, why]
    [cal('Europe/London', sundays('01:30', '05:00')), '2026-03-29', 180, 'starts in the gap: work begins when the clock jumps to 02:00 BST'],
    [cal('Europe/London', sundays('00:00', '01:30')), '2026-03-29', 60, 'ends in the gap: 00:00–01:00 GMT only'],
    [cal('Europe/London', sundays('01:15', '01:45')), '2026-03-29', 0, 'wholly inside the gap'],
    [cal('Europe/London', sundays('01:30', '05:00')), '2026-10-25', 240, 'starts in the repeated hour: 01:30–02:00 BST, then 01:30–05:00 GMT'],
    [cal('Europe/London', sundays('00:00', '01:30')), '2026-10-25', 120, 'ends in the repeated hour: worked to 01:30 twice'],
    [cal('Europe/London', sundays('09:00', '17:00')), '2026-03-29', 480, 'office hours are untouched'],
    [cal('America/New_York', sundays('02:30', '06:00')), '2026-03-08', 180, 'New York gap 02:00–03:00'],
    [cal('America/New_York', sundays('01:30', '03:00')), '2026-11-01', 120, 'New York repeated hour 01:00–02:00'],
    [cal('America/New_York', sundays('00:00', '24:00')), '2026-11-01', 1500, 'a round-the-clock day lasts 25 hours'],
    [cal('Australia/Lord_Howe', sundays('01:00', '03:00')), '2026-10-04', 90, 'Lord Howe moves only 30 minutes'],
  ])('%#: %s %s → %i minutes (%s)', (c, date, expected) => {
    expect(minutesOn(c, date)).toBe(expected);
    const start = new Date(`${date}T00:00Z`).getTime() - 2 * 1440 * MIN;
    expect(between(c, new Date(start), new Date(start + 4 * 1440 * MIN))).toBe(refBetween(c, start, start + 4 * 1440 * MIN));
  });

  it.each([
    ['London: counting starts at the jump, not an hour late', cal('Europe/London', sundays('01:30', '05:00')), '2026-03-28T12:00Z', 1, '2026-03-29T01:01:00.000Z'],
    ['London: the repeated half hour is worked twice', cal('Europe/London', sundays('01:30', '05:00')), '2026-10-25T00:30Z', 31, '2026-10-25T01:31:00.000Z'],
    ['New York: gap', cal('America/New_York', sundays('02:30', '06:00')), '2026-03-07T12:00Z', 60, '2026-03-08T08:00:00.000Z'],
  ])('%s', (_name, c, start, minutes, expected) => {
    expect(add(c, d(start), minutes).toISOString()).toBe(expected);
  });

  it('an instant in the repeated hour is working time on both passes, a gap never is', () => {
    const c = cal('Europe/London', sundays('01:00', '02:00'));
    expect(isWorkingTime(c, d('2026-10-25T00:30Z'))).toBe(true); // 01:30 BST
    expect(isWorkingTime(c, d('2026-10-25T01:30Z'))).toBe(true); // 01:30 GMT
    expect(minutesOn(c, '2026-03-29')).toBe(0);
  });
});

describe('cost does not grow with the span', () => {
  const ONE_HOUR_A_WEEK = cal('Europe/London', { 1: [{ start: '09:00', end: '10:00' }] });
  const ALWAYS = cal('Europe/London', Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((w) => [w, [{ start: '00:00', end: '24:00' }]])));

  it('a year of targets on a one-hour-a-week calendar (168 years) is computed quickly and exactly', () => {
    const t0 = performance.now();
    const from = d('2026-01-05T09:00Z'); // a Monday, 09:00 GMT
    const due = add(ONE_HOUR_A_WEEK, from, 366 * 1440);
    expect(performance.now() - t0).toBeLessThan(2000); // generous: typically a few ms
    expect(between(ONE_HOUR_A_WEEK, from, due)).toBe(366 * 1440);
    expect(due.getUTCFullYear()).toBe(2194);
    expect(isWorkingTime(ONE_HOUR_A_WEEK, new Date(due.getTime() - 1))).toBe(true);
  });

  it('measures 1970 to 2399 in elapsed minutes on a round-the-clock calendar, quickly', () => {
    const t0 = performance.now();
    const a = d('1970-01-01T00:00Z');
    const b = d('2199-12-31T00:00Z');
    expect(between(ALWAYS, a, b)).toBe((b.getTime() - a.getTime()) / MIN);
    expect(between(CN, a, b)).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it.each([
    ['1000-01-01', d('1000-01-01T00:00Z')],
    ['year 0', d('0000-01-01T00:00Z')],
    ['far future', d('2500-01-01T00:00Z')],
  ])('refuses %s quickly with a RangeError', (_name, t) => {
    const t0 = performance.now();
    expect(() => add(CN, t, 480)).toThrow(RangeError);
    expect(() => between(CN, t, d('2026-01-01T00:00Z'))).toThrow(/supported years/);
    expect(() => isWorkingTime(CN, t)).toThrow(RangeError);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('a due time past 2399 is refused, not looped for', () => {
    const t0 = performance.now();
    expect(() => add(ONE_HOUR_A_WEEK, d('2399-06-01T00:00Z'), 1e7)).toThrow(/beyond the supported years/);
    expect(() => add(CN, d('2026-06-01T00:00Z'), 1e12)).toThrow(/beyond the supported years/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('calendar limits', () => {
  const codes = (input: unknown) => validateCalendar(input).map((e) => `${e.path.slice(1).join('.')}:${e.code}`);
  it('refuses a calendar with less than an hour a week', () => {
    expect(codes(cal('Asia/Shanghai', { 1: [{ start: '09:00', end: '09:01' }] }))).toEqual(['weeklyHours:TOO_LITTLE_WORKING_TIME']);
    expect(codes(cal('Asia/Shanghai', { 1: [{ start: '09:00', end: '09:30' }], 2: [{ start: '09:00', end: '09:30' }] }))).toEqual([]);
  });

  it(`refuses holidays that leave more than ${MAX_IDLE_DAYS} days without working time`, () => {
    const days = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2026, 6, 1 + i)).toISOString().slice(0, 10));
    expect(codes({ ...CN, holidays: days, workingDays: [] })).toEqual(['holidays:TOO_LITTLE_WORKING_TIME']);
    expect(codes({ ...CN, holidays: days.slice(0, 20), workingDays: [] })).toEqual([]);
  });

  it('refuses dates and years outside 1970–2399', () => {
    expect(codes({ ...CN, holidays: ['1000-01-01', '0000-01-01'], holidayYears: [2026, 3000, 1.5] })).toEqual([
      'holidays.0:INVALID_DATE', 'holidays.1:INVALID_DATE', 'holidayYears.1:OUT_OF_RANGE', 'holidayYears.2:OUT_OF_RANGE',
    ]);
  });
});

describe('holiday coverage', () => {
  it('the shipped data file is the 2026 State Council list', () => {
    const all = holidayDataDates(CN_MAINLAND_HOLIDAY_DATA);
    expect(all.holidayYears).toEqual([2026]);
    expect(all.holidays).toEqual([...CN.holidays]);
    expect(all.workingDays).toEqual([...CN.workingDays]);
  });

  it('knows which years a calendar covers and flags spans beyond them', () => {
    expect(coveredYears(CN)).toEqual([2026]);
    expect(coveredYears({ ...CN, holidayYears: undefined })).toEqual([2026]); // derived from the dates
    expect(coveredYears({ ...CN, holidays: [], workingDays: [], holidayYears: undefined })).toBeNull();
    expect(calendarCoverage(CN, d('2026-03-01T00:00Z'), d('2026-12-31T15:00Z'))).toBe('COVERED');
    expect(calendarCoverage(CN, d('2026-12-30T00:00Z'), d('2026-12-31T16:00Z'))).toBe('HOLIDAYS_MISSING'); // Jan 1 in Shanghai
    expect(calendarCoverage(cal('UTC', { 1: [{ start: '09:00', end: '17:00' }] }), d('2026-01-01T00:00Z'), d('2090-01-01T00:00Z'))).toBe('COVERED');
    expect(holidaysCoveredUntil(CN, d('2026-06-01T00:00Z'))).toBe('2026-12-31');
    expect(holidaysCoveredUntil(CN, d('2027-06-01T00:00Z'))).toBeNull();
  });
});

describe('validateReceivedAt', () => {
  const now = d('2026-11-30T09:00:00Z');
  it.each([
    ['now', now, []],
    ['365 days back', new Date(now.getTime() - 365 * 86_400_000), []],
    ['366 days back', new Date(now.getTime() - 366 * 86_400_000), ['TOO_OLD']],
    ['year 1000', d('1000-01-01T00:00:00Z'), ['TOO_OLD']],
    ['59 s ahead (clock skew)', new Date(now.getTime() + 59_000), []],
    ['61 s ahead', new Date(now.getTime() + 61_000), ['IN_FUTURE']],
    ['invalid', new Date(Number.NaN), ['INVALID_DATE']],
  ])('%s', (_name, t, codes) => {
    expect(validateReceivedAt(t, now).map((e) => e.code)).toEqual(codes);
  });
  it('takes configured limits', () => {
    expect(validateReceivedAt(d('2026-11-01T00:00:00Z'), now, { maxAgeDays: 7, maxFutureSkewMs: 0 }).map((e) => e.code)).toEqual(['TOO_OLD']);
  });
});
