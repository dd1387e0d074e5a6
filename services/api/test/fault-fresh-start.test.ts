// A fresh container: the server starts with any combination of DATABASE_URL, CLOSELOOP_SECRET_KEY and
// CLOSELOOP_DATA_DIR, and a data folder that does not exist yet.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@closeloop/db/testing';
import { BIN, startServer, stopServer, type ServerProcess } from './process-helpers.ts';

const postgres = Boolean(process.env.TEST_DATABASE_URL);

describe('fresh start', () => {
  let root = '';
  let db: TestDatabase | undefined;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'closeloop-fresh-'));
    if (postgres) db = await createTestDatabase();
  }, 90_000);

  afterAll(async () => {
    for (const s of servers) await stopServer(s);
    await db?.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  async function startsAndStops(env: Record<string, string>) {
    // A first start of the embedded database runs initdb in WebAssembly: generous on a loaded machine.
    const s = await startServer(env, [], 150_000);
    servers.push(s);
    expect((await fetch(`http://127.0.0.1:${s.port}/ready`)).status).toBe(200);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
  }

  it.skipIf(!postgres)('production on PostgreSQL with a secret key writes nothing to a data folder that does not exist', async () => {
    const dataDir = join(root, 'prod', 'does-not-exist');
    await startsAndStops({ NODE_ENV: 'production', DATABASE_URL: db!.url!, CLOSELOOP_SECRET_KEY: randomBytes(32).toString('hex'), CLOSELOOP_DATA_DIR: dataDir });
    expect(existsSync(dataDir)).toBe(false);
  }, 90_000);

  it.skipIf(!postgres)('development on PostgreSQL without a key creates the folder for its key', async () => {
    const dataDir = join(root, 'dev-pg', 'new');
    await startsAndStops({ DATABASE_URL: db!.url!, CLOSELOOP_SECRET_KEY: '', CLOSELOOP_DATA_DIR: dataDir });
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(true);
  }, 90_000);

  it('the embedded database in a folder that does not exist, with or without a key', async () => {
    const dataDir = join(root, 'embedded', 'new');
    await startsAndStops({ DATABASE_URL: '', CLOSELOOP_SECRET_KEY: randomBytes(32).toString('hex'), CLOSELOOP_DATA_DIR: dataDir });
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
    // server.json is removed again on a clean stop.
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
  }, 200_000);

  it('production without a secret key refuses to start with a clear message and exit code 2', async () => {
    const proc = spawn(process.execPath, [BIN, 'start'], {
      env: { ...process.env, NODE_ENV: 'production', PORT: '0', CLOSELOOP_SECRET_KEY: '', DATABASE_URL: db?.url ?? '', CLOSELOOP_DATA_DIR: join(root, 'nokey') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(stderr).toMatch(/CLOSELOOP_SECRET_KEY is required/);
  }, 90_000);
});
