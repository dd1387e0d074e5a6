// `closeloop doctor` and `closeloop holidays-import` as a real CLI process (issue 10, holiday coverage).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorld } from './cli-helpers.ts';

const world = cliWorld('doctor', { CLOSELOOP_HOLIDAY_WARNING_DAYS: '' });
const cli = world.cli;

describe('closeloop doctor', { timeout: 300_000 }, () => {
  it('exits 1 listing a calendar whose holidays run out, 0 once the next years are imported', async () => {
    expect((await cli('seed', '--json')).code).toBe(0);
    const sick = await cli('doctor', '--within-days', '400', '--json');
    expect(sick.code).toBe(1);
    expect(sick.json).toMatchObject({ healthy: false, withinDays: 400 });
    expect(sick.json.calendarCoverage).toEqual([expect.objectContaining({ code: 'CN_MAINLAND' })]);

    // A test fixture (not real holidays): one listed day per year, this year and the next two.
    const year = new Date().getUTCFullYear();
    const file = join(world.dir, 'fixture.json');
    writeFileSync(file, JSON.stringify({ years: Object.fromEntries([year, year + 1, year + 2].map((y) => [y, { holidays: [{ from: `${y}-01-01`, to: `${y}-01-01` }], workingDays: [] }])) }));
    const imported = await cli('holidays-import', '--file', file, '--json');
    expect(imported.code).toBe(0);
    expect(imported.json.imported).toEqual([year, year + 1, year + 2]);
    const healthy = await cli('doctor', '--within-days', '400', '--json');
    expect(healthy).toMatchObject({ code: 0, json: { healthy: true, calendarCoverage: [] } });

    expect((await cli('holidays-import', '--calendar', 'NOPE', '--json')).code).toBe(2);
  });
});
