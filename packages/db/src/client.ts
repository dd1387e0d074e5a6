import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pgDriver from 'pg';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgAsyncDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger } from 'drizzle-orm';
import { relations } from './relations.ts';

export type Database = PgAsyncDatabase<PgQueryResultHKT, typeof relations>;
/** A transaction handle has the same query API as the database. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../migrations');

export interface DatabaseOptions {
  /** postgres://… selects PostgreSQL; otherwise the embedded PGlite database. */
  url?: string | undefined;
  /** PGlite data folder; `memory://` keeps it in memory. */
  dataDir?: string | undefined;
  /** Pool size for PostgreSQL. */
  max?: number | undefined;
  /** PostgreSQL: how long a request waits for a new connection before it fails (ms). */
  connectTimeoutMs?: number | undefined;
  /** Called with every SQL statement drizzle sends (tests count them). */
  onQuery?: ((sql: string, params: unknown[]) => void) | undefined;
}

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  /** Human-readable location, never containing a password. */
  location: string;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(
      `The embedded database at ${dataDir} is in use by another Closeloop process (pid ${pid}). ` +
        'PGlite allows one process per data folder: stop that process first, or set DATABASE_URL to use PostgreSQL.',
    );
    this.name = 'DataDirInUseError';
  }
}

/** Whether a process with this pid exists (EPERM means it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// shared_buffers lives in PGlite's WebAssembly memory, which never shrinks: PostgreSQL's default
// (128 MB) ends up resident once enough pages have been read. 32 MB holds the embedded default's hot
// data (docs/performance.md, Memory); the operating system's page cache keeps the rest of the folder.
const PGLITE_SETTINGS = ['-c', 'shared_buffers=32MB'];

/**
 * A new folder's initdb and migrations, in a short-lived node process of its own. That is PGlite's
 * heaviest work, and the process that does it keeps ≈ 150 MB of native memory for good: glibc's malloc
 * arenas (of the main thread and of the threads that compiled the WebAssembly) keep what was freed
 * resident, on top of the WebAssembly memory a closed instance does release. The server then opens an
 * initialised, migrated folder as on every later start, and its own migrate() finds nothing to do
 * (docs/performance.md, Memory of the embedded default).
 */
async function initialiseInChildProcess(location: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const paths = [
    require.resolve('@electric-sql/pglite'), require.resolve('@electric-sql/pglite/contrib/pg_trgm'),
    require.resolve('drizzle-orm/pglite'), require.resolve('drizzle-orm/pglite/migrator'),
  ];
  // Plain CommonJS with resolved paths: no loader (tsx) needed, and the release build runs it too.
  const script = `const [pglite, trgm, driver, migrator, location, settings, migrationsFolder] = process.argv.slice(1);
(async () => {
  const { PGlite } = require(pglite);
  const db = await PGlite.create(location, { extensions: { pg_trgm: require(trgm).pg_trgm }, startParams: [...PGlite.defaultStartParams, ...JSON.parse(settings)] });
  try {
    await require(migrator).migrate(require(driver).drizzle({ client: db }), { migrationsFolder });
  } finally {
    await db.close();
  }
})().catch((e) => { process.stderr.write(String((e && e.stack) || e)); process.exit(1); });`;
  // NODE_OPTIONS is the server's (an inspector port, a loader): the child needs none of it.
  const { NODE_OPTIONS: _, ...env } = process.env;
  const child = spawn(process.execPath, ['-e', script, ...paths, location, JSON.stringify(PGLITE_SETTINGS), migrationsFolder], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (c, s) => done([c, s]));
  });
  if (code !== 0) throw new Error(`initialising the embedded database in ${location} failed (${signal ?? `exit code ${code}`}): ${stderr.trim() || 'no message'}`);
}

/** One process per PGlite folder: a second opener would corrupt it, so it is refused. */
function lockDataDir(dir: string): () => void {
  const lockFile = `${dir}.lock`;
  mkdirSync(dirname(lockFile), { recursive: true });
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid)) throw new DataDirInUseError(dir, pid);
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

/**
 * Connection errors are expected in bursts (a failover drops every connection at once): one line when
 * they start, a count when they stop, so an outage does not flood the log.
 */
const connectionErrors = {
  count: 0,
  timer: null as NodeJS.Timeout | null,
  report(e: Error) {
    if (this.count++ === 0) console.error(`closeloop: database connection lost (${e.message}); new connections are opened as requests need them`);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.count > 1) console.error(`closeloop: ${this.count} database connections were dropped in that burst`);
      this.count = 0;
      this.timer = null;
    }, 5000).unref();
  },
};

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

export async function createDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  const logger: Logger | undefined = options.onQuery
    ? { logQuery: (q, p) => options.onQuery!(q, p) }
    : undefined;

  if (options.url && /^postgres(ql)?:\/\//.test(options.url)) {
    const url = options.url;
    // node-postgres (pg), not postgres.js: postgres.js 3.4.9 crashes the process when the server
    // terminates its connections under load (docs/operations.md, Connection loss).
    const pool = new pgDriver.Pool({
      connectionString: url,
      max: options.max ?? 10,
      application_name: 'closeloop',
      // A request waits at most this long for a connection, then fails (masked, retryable) instead of hanging.
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    });
    // A connection the server drops (failover, idle reaper, pg_terminate_backend) emits 'error': on an idle
    // one the pool removes it; on a checked-out one the query in flight fails and the pool discards it at
    // release. Without these listeners an 'error' event would end the process.
    const onConnectionError = (e: Error) => connectionErrors.report(e);
    pool.on('error', onConnectionError);
    pool.on('connect', (c) => c.on('error', onConnectionError));
    const db = drizzlePostgres({ client: pool, relations, logger }) as unknown as Database;
    return {
      db,
      kind: 'postgres',
      location: redact(url),
      async migrate() {
        const one = new pgDriver.Client({ connectionString: url });
        await one.connect();
        try {
          await one.query('select pg_advisory_lock(72022601)');
          await migratePostgres(drizzlePostgres({ client: one, relations }), { migrationsFolder });
        } finally {
          await one.end();
        }
      },
      async ping() {
        await pool.query('select 1');
      },
      close: () => pool.end(),
    };
  }

  const dataDir = options.dataDir ?? '.data/pglite';
  const inMemory = dataDir.startsWith('memory://');
  const unlock = inMemory ? () => {} : lockDataDir(resolve(dataDir));
  let client: PGlite;
  try {
    if (!inMemory) mkdirSync(resolve(dataDir), { recursive: true });
    const location = inMemory ? dataDir : resolve(dataDir);
    // pg_trgm: the trigram indexes of staff search (migration pg_trgm creates the extension).
    const open = () => PGlite.create(location, { extensions: { pg_trgm }, startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS] });
    // A new folder is initialised and migrated in a process of its own (see initialiseInChildProcess).
    if (!inMemory && !existsSync(join(location, 'PG_VERSION'))) await initialiseInChildProcess(location);
    client = await open();
  } catch (e) {
    unlock();
    throw e;
  }
  // drizzle's PGlite typings reject a client built with create(); the runtime accepts it (see STACK-NOTES).
  const pg = drizzlePglite({ client, relations, logger } as Parameters<typeof drizzlePglite>[0] & object);
  const db = pg as unknown as Database;
  return {
    db,
    kind: 'pglite',
    location: inMemory ? dataDir : resolve(dataDir),
    async migrate() {
      await migratePglite(pg as never, { migrationsFolder });
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      await client.close();
      unlock();
    },
  };
}
