// `closeloop doctor` and `closeloop holidays-import` as a real CLI process (issue 10, holiday coverage).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@closeloop/db/testing';

const run = promisify(execFile);
const BIN = new URL('../bin/closeloop.mjs', import.meta.url).pathname;
let dir: string;
let db: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'closeloop-doctor-'));
  env = { ...process.env, CLOSELOOP_DATA_DIR: dir, CLOSELOOP_DEMO: '0', DATABASE_URL: '', CLOSELOOP_HOLIDAY_WARNING_DAYS: '' };
  if (process.env.TEST_DATABASE_URL) {
    db = await createTestDatabase();
    env.DATABASE_URL = db.url;
  }
});
afterAll(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; json: any }> {
  try {
    const { stdout } = await run('node', [BIN, ...args], { env });
    return { code: 0, json: JSON.parse(stdout) };
  } catch (e: any) {
    return { code: e.code, json: e.stdout?.trim().startsWith('{') ? JSON.parse(e.stdout) : e.stdout };
  }
}

describe('closeloop doctor', { timeout: 300_000 }, () => {
  it('exits 1 listing a calendar whose holidays run out, 0 once the next years are imported', async () => {
    expect((await cli('seed', '--json')).code).toBe(0);
    const sick = await cli('doctor', '--within-days', '400', '--json');
    expect(sick.code).toBe(1);
    expect(sick.json).toMatchObject({ healthy: false, withinDays: 400 });
    expect(sick.json.calendarCoverage).toEqual([expect.objectContaining({ code: 'CN_MAINLAND' })]);

    // A test fixture (not real holidays): one listed day per year, this year and the next two.
    const year = new Date().getUTCFullYear();
    const file = join(dir, 'fixture.json');
    writeFileSync(file, JSON.stringify({ years: Object.fromEntries([year, year + 1, year + 2].map((y) => [y, { holidays: [{ from: `${y}-01-01`, to: `${y}-01-01` }], workingDays: [] }])) }));
    const imported = await cli('holidays-import', '--file', file, '--json');
    expect(imported.code).toBe(0);
    expect(imported.json.imported).toEqual([year, year + 1, year + 2]);
    const healthy = await cli('doctor', '--within-days', '400', '--json');
    expect(healthy).toMatchObject({ code: 0, json: { healthy: true, calendarCoverage: [] } });

    expect((await cli('holidays-import', '--calendar', 'NOPE', '--json')).code).toBe(2);
  });
});
