// `closeloop <command>` as a real process, for the CLI test files: a data folder of the file's own (the
// embedded database), or a PostgreSQL database of its own when the project has one.
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@closeloop/db/testing';

const run = promisify(execFile);
export const CLI_BIN = new URL('../bin/closeloop.mjs', import.meta.url).pathname;

export interface CliResult {
  code: number;
  /** stdout parsed when it is a JSON object (`--json`), else the text. */
  json: any;
  stderr: string;
}

export interface CliWorld {
  /** The data folder (made in beforeAll, removed in afterAll). */
  readonly dir: string;
  /** The environment every command and server of the file runs with. */
  readonly env: NodeJS.ProcessEnv;
  cli(...args: string[]): Promise<CliResult>;
  /** The same with variables on top of `env` for this one command. */
  cliWith(extra: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult>;
}

const parsed = (stdout: string | undefined) => (stdout?.trim().startsWith('{') ? JSON.parse(stdout) : stdout);

/**
 * Registers the file's beforeAll/afterAll: a fresh data folder (prefix `closeloop-<name>-`), demo data
 * off, limit counters of the file's own (other runs may share the machine's Redis), and `extra` on top.
 */
export function cliWorld(name: string, extra: NodeJS.ProcessEnv = {}): CliWorld {
  let dir = '';
  let db: TestDatabase | undefined;
  let env: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `closeloop-${name}-`));
    env = { ...process.env, CLOSELOOP_DATA_DIR: dir, CLOSELOOP_DEMO: '0', DATABASE_URL: '', CLOSELOOP_RATE_LIMIT_PREFIX: `closeloop:test:${randomUUID()}`, ...extra };
    if (process.env.TEST_DATABASE_URL) {
      db = await createTestDatabase();
      env.DATABASE_URL = db.url;
    }
  });
  afterAll(async () => {
    await db?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  async function cliWith(more: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run('node', [CLI_BIN, ...args], { env: { ...env, ...more } });
      return { code: 0, json: parsed(stdout), stderr };
    } catch (e: any) {
      if (typeof e.code !== 'number') throw e; // not an exit code: the process could not run at all
      return { code: e.code, json: parsed(e.stdout), stderr: e.stderr };
    }
  }
  return {
    get dir() {
      return dir;
    },
    get env() {
      return env;
    },
    cli: (...args) => cliWith({}, ...args),
    cliWith,
  };
}
