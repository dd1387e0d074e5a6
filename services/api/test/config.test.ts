// Configuration: the schema in config.ts is the documentation, and bad values stop the start clearly.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { DOC, withCurrentTable } from '../scripts/config-docs.ts';

const run = promisify(execFile);
const BIN = new URL('../bin/closeloop.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'closeloop-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = 'ab'.repeat(32);

describe('configuration', () => {
  it('documents every variable in docs/operations.md (npm run docs:config)', () => {
    const page = readFileSync(DOC, 'utf8');
    expect(withCurrentTable(page), 'the table is stale: run `npm run docs:config`').toBe(page);
    // Every variable config.ts reads is in the table.
    for (const name of [...readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8').matchAll(/^ {2}([A-Z][A-Z_]+): /gm)].map((m) => m[1])) {
      expect(page).toContain(`| \`${name}\` |`);
    }
  });

  it('turns each invalid value into one line naming the variable, and never echoes a secret', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig({ CLOSELOOP_SECRET_KEY: KEY, CLOSELOOP_DATA_DIR: dir, ...env });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ PORT: 'abc' })).toBe('PORT must be a whole number from 0 to 65535 (got "abc")');
    expect(bad({ PORT: '70000' })).toMatch(/^PORT must be/);
    expect(bad({ CLOSELOOP_SESSION_TTL: '-5' })).toMatch(/^CLOSELOOP_SESSION_TTL must be a whole number of at least 60/);
    expect(bad({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL /);
    const secret = bad({ CLOSELOOP_SECRET_KEY: 'too-short-secret-value' });
    expect(secret).toMatch(/^CLOSELOOP_SECRET_KEY must be 32 bytes/);
    expect(secret).not.toContain('too-short-secret-value');
    expect(bad({ NODE_ENV: 'production', CLOSELOOP_SECRET_KEY: '' })).toMatch(/CLOSELOOP_SECRET_KEY is required/);
    // Empty means unset; defaults apply.
    const ok = loadConfig({ CLOSELOOP_SECRET_KEY: KEY, CLOSELOOP_DATA_DIR: dir, PORT: '', DATABASE_URL: '' });
    expect(ok).toMatchObject({ port: 4000, databaseUrl: undefined, logLevel: 'info', demo: true, sweepIntervalMs: 30_000 });
  });

  it('says which port is taken and how to choose another, with exit code 2 and no stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      // A data folder that does not exist yet is created (with a secret key set, nothing else would).
      const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', CLOSELOOP_DATA_DIR: join(dir, 'new', 'folder'), CLOSELOOP_SECRET_KEY: KEY, CLOSELOOP_DEMO: '0', DATABASE_URL: '' };
      const r = await run('node', [BIN, 'start'], { env }).then(() => ({ code: 0, stderr: '' }), (e) => ({ code: e.code as number, stderr: e.stderr as string }));
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`closeloop: port ${port} is already in use on 127.0.0.1: stop the other server or choose another port, e.g. PORT=4000 npm start`);
    } finally {
      blocker.close();
    }
  }, 120_000);
});
