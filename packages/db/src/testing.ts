import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type DatabaseHandle, type DatabaseOptions } from './client.ts';

export interface TestDatabase extends DatabaseHandle {
  /** The URL other processes can use (PostgreSQL only). */
  url?: string;
  /** Closes and, on PostgreSQL, drops the database. */
  destroy(): Promise<void>;
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
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
  await adminQuery(admin, `create database ${name}`);
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
      await adminQuery(admin, `drop database if exists ${name} with (force)`);
    },
  };
}

export function testBackend(): 'postgres' | 'pglite' {
  return process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
}
