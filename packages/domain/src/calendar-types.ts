// The shape of a business calendar, apart from its maths so the holiday data can name it without a circle.
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
  /**
   * Years whose public holidays and make-up days are fully listed (see holidays.ts, coverage). Absent:
   * the years that `holidays` and `workingDays` mention; a calendar listing none observes no holidays.
   */
  holidayYears?: readonly number[] | null;
}
