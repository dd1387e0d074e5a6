// Throw-away PostgreSQL databases of the benchmarks: created next to an admin URL (same server,
// another database name), dropped afterwards.
import { spawnSync } from 'node:child_process';
import postgres from 'postgres';

export interface ScratchDatabase {
  url: string;
  name: string;
  /** Drops the database (once; later calls do nothing). */
  drop(): Promise<void>;
  /** The same through `psql`, synchronously: usable from a failure path that exits right after. */
  dropSync(): void;
}

/** Runs `work` on one admin connection, closed afterwards. */
export async function withAdmin<T>(adminUrl: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}

/** Creates the empty database `name` (lower case, digits, `_`) on the server of `adminUrl`. */
export async function createScratchDatabase(adminUrl: string, name: string): Promise<ScratchDatabase> {
  await withAdmin(adminUrl, (sql) => sql.unsafe(`create database "${name}"`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const dropSql = `drop database if exists "${name}" with (force)`;
  let dropped = false;
  return {
    url: u.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, (sql) => sql.unsafe(dropSql));
    },
    dropSync() {
      if (dropped) return;
      dropped = true;
      spawnSync('psql', [adminUrl, '-qc', dropSql], { stdio: 'ignore' });
    },
  };
}
