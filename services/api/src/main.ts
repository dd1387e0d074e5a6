import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createDatabase, DataDirInUseError } from '@closeloop/db';
import { ConfigError, ensureDataDir, type Config } from './config.ts';
import { log } from './log.ts';
import { createApp } from './http/server.ts';
import { adminRoute } from './http/admin-route.ts';
import { randomToken } from './auth/keys.ts';
import { demoInfo, isEmpty, seedBase, seedDemo } from './seed.ts';
import { seedDemoVolume } from './demo-volume.ts';
import { webRoutes } from './web/routes.ts';
import { loadBundle } from './web/bundle.ts';
import { loadConsole } from './web/console.ts';
import { createMemoryBus, createRedisBus } from './realtime/bus.ts';
import { Redis } from 'ioredis';
import { loadTrustedDocuments } from './limits/trusted-documents.ts';
import { seedDemoOrigins } from './seed.ts';
import { coverageFindings } from './services/holidays.ts';

/** Stops esbuild's service process if a bundle build started it (development only; a later build starts another). */
function stopBundler(): void {
  try {
    const require = createRequire(import.meta.url);
    (require.cache[require.resolve('esbuild')]?.exports as { stop?: () => Promise<void> } | undefined)?.stop?.().catch(() => {});
  } catch {
    // esbuild is not installed (a release install): nothing was built here.
  }
}

/** `npm start`: migrate, seed (demo data on an empty database outside production), serve. */
export async function start(config: Config): Promise<void> {
  // The embedded database lives in the data folder; on PostgreSQL nothing is written there.
  if (!config.databaseUrl) ensureDataDir(config.dataDir);
  let handle;
  try {
    handle = await createDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
  } catch (e) {
    if (e instanceof DataDirInUseError) throw new ConfigError(e.message);
    throw e;
  }
  await handle.migrate();
  const adminToken = randomToken(24);
  // With REDIS_URL every API process rings the others through Redis; without it, one process only.
  const bus = config.redisUrl ? createRedisBus(config.redisUrl) : createMemoryBus();
  // Abuse limits are counted in Redis when it is there, so every API process shares them.
  const limitRedis = config.redisUrl && config.limits ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : undefined;
  limitRedis?.on('error', () => {}); // counted in memory meanwhile (insurance limiter); the bus reports Redis trouble
  const app = createApp({
    handle,
    secretKey: config.secretKey,
    production: config.production,
    staffSessionTtlSeconds: config.staffSessionTtlSeconds,
    customerTokenMaxTtlSeconds: config.customerTokenMaxTtlSeconds,
    channelSecretOverlapSeconds: config.channelSecretOverlapSeconds,
    bus,
    realtime: config.realtime,
    traceCommits: config.traceCommits,
    limits: config.limits === null ? false : { ...config.limits, redis: limitRedis },
    transport: config.transport,
    corsOrigins: config.corsOrigins,
    trustedDocuments: config.production ? loadTrustedDocuments(config.trustedDocumentFiles) : false,
    services: { conversation: config.conversation, attachments: config.attachments },
    executionTimeoutMs: config.executionTimeoutMs,
    receivedAt: config.receivedAt,
    routes: [
      adminRoute(adminToken, () => ({ db: handle.db, identity: app.identity, services: app.services, secretKey: config.secretKey, migrate: () => handle.migrate() })),
      // /sdk/closeloop.js, /portal, and outside production the /demo pages.
      ...webRoutes({
        production: config.production,
        portalFrameAncestors: config.portalFrameAncestors,
        portalScriptSrc: config.portalScriptSrc,
        demo: { db: handle.db, secretKey: config.secretKey },
      }),
    ],
  });
  const fresh = await isEmpty(handle.db);
  if (fresh && !config.production && config.demo) {
    await seedDemo(handle.db, app.identity, app.services);
    // A few hundred more tickets, so the console's queue has something to show.
    const t0 = Date.now();
    const n = await seedDemoVolume(handle.db);
    log.info({ tickets: n, ms: Date.now() - t0 }, 'demo queue seeded');
  } else {
    await seedBase(handle.db);
  }
  // Builds the browser bundles in the background if they are missing or stale; /sdk/ and /console
  // requests wait for them. esbuild's service process stays alive after a build (≈ 30–50 MB), waiting
  // for more: none comes, so it is stopped once both are done.
  void Promise.all([
    loadBundle().catch((err) => log.error({ err }, 'could not build /sdk/closeloop.js')),
    loadConsole().catch((err) => log.error({ err }, 'could not build /console')),
  ]).then(stopBundler);
  let port: number;
  try {
    port = await app.listen(config.port, config.host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const other = config.port === 4000 ? 4001 : 4000;
    if (code === 'EADDRINUSE') throw new ConfigError(`port ${config.port} is already in use on ${config.host}: stop the other server or choose another port, e.g. PORT=${other} npm start`);
    if (code === 'EACCES') throw new ConfigError(`port ${config.port} on ${config.host} needs more privileges: choose a port above 1023, e.g. PORT=${other} npm start`);
    if (code === 'EADDRNOTAVAIL') throw new ConfigError(`HOST=${config.host} is not an address of this machine`);
    throw e;
  }
  // The demo pages call the API from this origin; a host's own page elsewhere needs its origin registered.
  if (!config.production) await seedDemoOrigins(handle.db, port);
  // SLA warnings, breaches and escalations. Every API process sweeps (state lives in the database and
  // tickets are claimed with SKIP LOCKED, so several never double up); 0 turns it off, e.g. when a
  // `closeloop sweep` worker runs instead.
  const stopSweep = config.sweepIntervalMs > 0 ? app.services.sweeper.start(config.sweepIntervalMs) : async () => {};
  // Lets CLI commands reach the embedded database this process holds (cli.ts). On PostgreSQL they open it
  // themselves, and nothing is written to disk: a fresh container may have no data folder at all.
  const serverFile = handle.kind === 'pglite' ? join(config.dataDir, 'server.json') : null;
  if (serverFile) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(serverFile, JSON.stringify({ pid: process.pid, port, adminToken }), { mode: 0o600 });
  }

  const base = `http://localhost:${port}`;
  const lines = [
    `Closeloop is running on ${base}`,
    `  GraphQL (HTTP, SSE, WebSocket)  ${base}/graphql${config.production ? '' : '   (GraphiQL in a browser)'}`,
    `  Health / readiness              ${base}/health  ${base}/ready`,
    `  Database                        ${handle.kind === 'pglite' ? `embedded PGlite at ${handle.location}` : handle.location}`,
    `  Live events                     ${bus.kind === 'redis' ? 'shared through Redis (REDIS_URL)' : 'this process only (set REDIS_URL to run several)'}`,
  ];
  const demo = config.production ? null : await demoInfo(handle.db, app.identity, config.secretKey);
  if (demo) {
    lines.push(
      '',
      'Demo institution',
      `  channel publishable key  ${demo.publishableKey}   (header x-closeloop-channel)`,
      `  channel signing secret   ${demo.signingSecret}   (signs customer tokens, HS256)`,
      `  staff (password closeloop-demo)  ${demo.staff.map((s) => s.email).join(', ')}`,
      `  supervisor token          ${demo.staff.find((s) => s.role === 'SUPERVISOR')?.token}`,
      `  more tokens: npx closeloop issue-token --email <email>   or the login mutation`,
      `  portal and demo pages: ${base}/portal  ${base}/demo/website`,
      `  operations console: ${base}/console   (any staff e-mail above, password closeloop-demo)`,
    );
  }
  // Calendars whose public holidays run out soon: due times past that date would count holidays as working days.
  const coverage = await coverageFindings(handle.db, new Date(), config.holidayWarningDays).catch(() => []);
  if (coverage.length) lines.push('', 'Warnings (npx closeloop doctor)', ...coverage.map((f) => `  ! ${f.message}`));
  // The banner is the command's answer (tests and scripts read the URL from it); logs are separate.
  process.stdout.write(`${lines.join('\n')}\n`);
  log.info({ port, database: handle.kind, bus: bus.kind }, 'listening');

  // Graceful shutdown (docs/operations.md, Shutdown): readiness 503 and new connections refused at once,
  // requests in flight finish within the grace period, then the sweeper, the bus and the database close.
  // A second signal, or the grace period running out, exits at once with 1.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    const grace = config.shutdownGraceMs;
    log.info({ signal, graceMs: grace }, 'shutting down; requests in flight may finish');
    // The drain is bounded by the grace period; closing the bus and the database by a little more.
    const force = setTimeout(() => {
      log.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, grace + 2000).unref();
    const [, drained] = await Promise.all([
      stopSweep().catch((err) => log.error({ err }, 'stopping the SLA sweeper failed')),
      app.close({ graceMs: grace }).catch((e) => {
        log.error({ err: e }, 'closing the server failed');
        return false;
      }),
    ]);
    if (!drained) log.warn({ graceMs: grace }, 'requests still open after the grace period were cut');
    await bus.close().catch(() => {});
    limitRedis?.disconnect();
    await handle.close().catch(() => {});
    if (serverFile) rmSync(serverFile, { force: true });
    clearTimeout(force);
    process.exit(drained ? 0 : 1);
  };
  if (config.traceMemory) {
    // Benchmarks: SIGUSR2 prints memory after a full collection (node --expose-gc).
    process.on('SIGUSR2', () => {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      process.stdout.write(`memory-trace ${m.rss} ${m.heapUsed} ${m.external + m.arrayBuffers} ${app.realtime.size}\n`);
    });
  }
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
