// `closeloop doctor` and `closeloop holidays-import`: holiday coverage from the command line.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from '@closeloop/db';
import type { HolidayDataFile } from '@closeloop/domain';
import { UsageError } from './admin.ts';
import type { Args } from './cli-args.ts';
import { BUNDLED_HOLIDAY_DATA, coverageFindings, DEFAULT_HOLIDAY_WARNING_DAYS, importHolidays, SYSTEM_ACTOR } from './services/holidays.ts';
import { ValidationError, NotFoundError } from './policy/errors.ts';

export async function holidayCommand(db: Database, command: 'doctor' | 'holidays-import', args: Args): Promise<Record<string, unknown>> {
  if (command === 'doctor') {
    const raw = args['within-days'];
    const within = raw === undefined ? DEFAULT_HOLIDAY_WARNING_DAYS : Number(raw);
    if (!Number.isInteger(within) || within < 0 || within > 3660) throw new UsageError('--within-days must be a whole number from 0 to 3660');
    const findings = await coverageFindings(db, new Date(), within);
    const report = findings.length
      ? `closeloop doctor: ${findings.length} finding(s)\n${findings.map((f) => `  ! ${f.message} (${f.openTickets} open tickets)`).join('\n')}`
      : `closeloop doctor: healthy (every calendar's holidays are known for the next ${within} days)`;
    return { healthy: findings.length === 0, withinDays: within, calendarCoverage: findings, report };
  }
  const code = typeof args.calendar === 'string' ? args.calendar : 'CN_MAINLAND';
  let file: HolidayDataFile | undefined = BUNDLED_HOLIDAY_DATA[code];
  if (typeof args.file === 'string') {
    try {
      file = JSON.parse(readFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), args.file), 'utf8')) as HolidayDataFile;
    } catch (e) {
      throw new UsageError(`--file: ${(e as Error).message}`);
    }
  }
  if (!file) throw new UsageError(`No bundled holiday data for ${code}; give --file`);
  try {
    const r = await importHolidays(db, SYSTEM_ACTOR, { code }, file);
    return { ...r, report: `holidays-import: ${code} now covers ${r.holidayYears.join(', ')} (imported ${r.imported.join(', ') || 'nothing'})` };
  } catch (e) {
    if (e instanceof ValidationError) throw new UsageError(e.fieldErrors.map((f) => `${f.path.join('.')}: ${f.message}`).join('; '));
    if (e instanceof NotFoundError) throw new UsageError(e.message);
    throw e;
  }
}
