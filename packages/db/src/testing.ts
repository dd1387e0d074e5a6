import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDatabase, type DatabaseHandle, type DatabaseOptions } from './client.ts';

export interface TestDatabase extends DatabaseHandle {
  /** The URL other processes can use (PostgreSQL only). */
  url?: string;
  /** Closes and, on PostgreSQL, drops the database. */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: PGlite in memory by default, or a new PostgreSQL
 * database created next to TEST_DATABASE_URL (and dropped afterwards) when that is set.
 */
export async function createTestDatabase(options: Omit<DatabaseOptions, 'url' | 'dataDir'> = {}): Promise<TestDatabase> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) {
    const h = await createDatabase({ ...options, dataDir: 'memory://' });
    await h.migrate();
    return { ...h, destroy: () => h.close() };
  }
  const name = `closeloop_test_${randomBytes(6).toString('hex')}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  await sql.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  const h = await createDatabase({ ...options, url });
  await h.migrate();
  return {
    ...h,
    url,
    async destroy() {
      await h.close();
      const s = postgres(admin, { max: 1, onnotice: () => {} });
      await s.unsafe(`drop database if exists ${name} with (force)`);
      await s.end();
    },
  };
}

export function testBackend(): 'postgres' | 'pglite' {
  return process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
}
