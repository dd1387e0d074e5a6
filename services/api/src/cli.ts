// The `closeloop` command. Exit codes: 0 success, 1 failure, 2 bad input (usage, invalid values,
// configuration). Help and unknown commands answer before anything heavy is loaded or opened.
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseHandle } from '@closeloop/db';
import { ConfigError, ensureDataDir, loadConfig, type Config } from './config.ts';
import { configureLogger, log } from './log.ts';
import type { Args } from './commands.ts';

const HELP = `closeloop <command> [options]

  start                                   migrate, seed demo data on an empty embedded database, serve
  migrate                                 apply database migrations
  seed [--demo]                           reference data (tiers, departments); --demo adds a demo institution
  create-channel --name N --kind WEB      register a channel app; prints its publishable key and signing secret
         [--public-key-jwk '{...}']       register an ES256/EdDSA public key instead of a shared secret
         [--origin https://x ...]         web origins whose pages may call the API (CORS); repeatable
         [--partner] [--realm R]          a partner's channel: its customers form their own identity realm
  create-staff --email E --role R [--department D] [--name N] [--password P]
                                          roles: AGENT SENIOR EXPERT SUPERVISOR ADMIN AUDITOR; prints a session token
  create-api-key --name N --scopes a,b    scopes: feedback:read feedback:write tickets:read tickets:write customers:read customers:write
  issue-token --email E                   a new session token for an existing staff member
  print-schema [--check]                  print schema.graphql (--check: fail if the committed file is stale)
  doctor [--within-days N]                what an admin should fix: calendars whose public holidays run out within N
                                          days (default CLOSELOOP_HOLIDAY_WARNING_DAYS, 60); exit 1 with findings
  holidays-import [--file F] [--calendar C]  load a holiday data file (default: the bundled one for C, CN_MAINLAND)
  sweep [--once] [--interval MS]          SLA warnings, breaches and escalations as a worker (API processes also sweep;
                                          any number may run at once). With REDIS_URL, live subscribers are rung.
  help                                    this text

  --json   print one JSON object (for scripts); a failure prints {"error": "...", "exitCode": N}
Exit codes: 0 success, 1 failure, 2 bad input.
While \`closeloop start\` holds the embedded database, seed, create-*, issue-token and migrate are sent to it.
Environment: see docs/operations.md (Configuration); e.g. DATABASE_URL, CLOSELOOP_DATA_DIR, PORT, LOG_LEVEL.`;

const COMMANDS = new Set(['start', 'migrate', 'seed', 'create-channel', 'create-staff', 'create-api-key', 'issue-token', 'print-schema', 'doctor', 'holidays-import', 'sweep', 'help']);
/** Commands a running server executes for the CLI (it holds the embedded database). */
const RELAYED = new Set(['migrate', 'seed', 'create-channel', 'create-staff', 'create-api-key', 'issue-token', 'doctor', 'holidays-import']);

const rawArgs = process.argv.slice(2);
const json = rawArgs.includes('--json');

function out(result: Record<string, unknown>, human: () => string) {
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${human()}\n`);
}

function fail(message: string, code: 1 | 2 = 1): never {
  if (json) process.stdout.write(`${JSON.stringify({ error: message, exitCode: code })}\n`);
  else process.stderr.write(`closeloop: ${message}\n`);
  process.exit(code);
}

function parse() {
  try {
    return parseArgs({
      args: rawArgs,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, demo: { type: 'boolean' }, check: { type: 'boolean' },
        name: { type: 'string' }, kind: { type: 'string' }, 'public-key-jwk': { type: 'string' }, origin: { type: 'string', multiple: true }, email: { type: 'string' },
        role: { type: 'string' }, once: { type: 'boolean' }, interval: { type: 'string' }, department: { type: 'string' }, password: { type: 'string' }, scopes: { type: 'string' },
        partner: { type: 'boolean' }, realm: { type: 'string' }, 'within-days': { type: 'string' }, file: { type: 'string' }, calendar: { type: 'string' },
      },
    });
  } catch (e) {
    return fail(`${(e as Error).message.split('\n')[0]}; run \`closeloop help\``, 2);
  }
}

function humanize(cmd: string, r: Record<string, unknown>): string {
  const lines = Object.entries(r).map(([k, v]) => `  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  const secret = ['signingSecret', 'token', 'apiKey'].some((k) => r[k]) ? '\nSecrets are shown once; store them now.' : '';
  return `${cmd}: done\n${lines.join('\n')}${secret}`;
}

/** Prints a command's result; `doctor` exits 1 when it found something to fix. */
function done(command: string, r: Record<string, unknown>) {
  out(r, () => (typeof r.report === 'string' ? r.report : humanize(command, r)));
  if (r.healthy === false) process.exitCode = 1;
}

/** When a running server holds the embedded database, send the command to it instead. */
async function viaServer(config: Config, cmd: string, args: Args): Promise<Record<string, unknown> | null> {
  const file = join(config.dataDir, 'server.json');
  if (!existsSync(file)) return null;
  const { port, adminToken } = JSON.parse(readFileSync(file, 'utf8')) as { port: number; adminToken: string };
  const res = await fetch(`http://127.0.0.1:${port}/_closeloop/cli`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-closeloop-admin': adminToken },
    body: JSON.stringify({ command: cmd, args }),
  }).catch(() => null);
  if (!res) return null;
  const body = (await res.json().catch(() => ({}))) as { ok?: boolean; result?: Record<string, unknown>; error?: string };
  if (!body.ok) fail(body.error ?? `the running server answered ${res.status}`, res.status === 400 ? 2 : 1);
  return body.result ?? {};
}

async function main() {
  const { values, positionals } = parse();
  const command = positionals[0];
  const args = values as Args;
  if (!command || command === 'help' || values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (!COMMANDS.has(command)) fail(`unknown command "${command}"; run \`closeloop help\``, 2);
  if (positionals.length > 1) fail(`unexpected argument "${positionals[1]}"; run \`closeloop help\``, 2);
  if (command === 'print-schema') {
    const { printedSchema } = await import('./schema/index.ts');
    const printed = `${printedSchema()}\n`;
    const target = new URL('../../../schema.graphql', import.meta.url);
    if (args.check) {
      const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
      if (committed !== printed) fail('schema.graphql is stale: run `npm run schema:print`');
      out({ ok: true }, () => 'schema.graphql is current');
      return;
    }
    writeFileSync(target, printed);
    out({ written: target.pathname }, () => `wrote ${target.pathname}`);
    return;
  }
  if (command === 'sweep' && args.interval !== undefined && !(Number(args.interval) >= 100)) fail('--interval must be a number of milliseconds, at least 100', 2);
  const config = loadConfig();
  if (command === 'start') {
    configureLogger({ level: config.logLevel, production: config.production, destination: 1 });
    const { start } = await import('./main.ts');
    await start(config);
    return;
  }
  // A command's answer is its stdout; its log lines go to stderr.
  configureLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, production: config.production, destination: 2 });
  const { createDatabase, DataDirInUseError } = await import('@closeloop/db');
  if (command === 'doctor' && args['within-days'] === undefined) args['within-days'] = String(config.holidayWarningDays);
  let handle: DatabaseHandle;
  try {
    if (!config.databaseUrl) ensureDataDir(config.dataDir);
    handle = await createDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
  } catch (e) {
    if (!(e instanceof DataDirInUseError)) throw e;
    if (RELAYED.has(command)) {
      const r = await viaServer(config, command, args);
      if (r) return done(command, r);
    }
    if (command === 'sweep') fail(`${e.message} The running server sweeps SLAs itself (CLOSELOOP_SWEEP_INTERVAL_MS); \`sweep\` cannot be sent to it.`);
    fail(e.message);
  }
  try {
    await handle.migrate();
    if (command === 'migrate') return out({ migrated: true, database: handle.location }, () => `migrated ${handle.location}`);
    const { Identity } = await import('./auth/identity.ts');
    const { createServices } = await import('./services/index.ts');
    const identity = new Identity({
      db: handle.db, secretKey: config.secretKey, staffSessionTtlSeconds: config.staffSessionTtlSeconds,
      customerTokenMaxTtlSeconds: config.customerTokenMaxTtlSeconds,
    });
    if (command === 'sweep') return await sweep(config, handle, args);
    const { runCommand } = await import('./commands.ts');
    const services = createServices(handle.db, config.secretKey, () => {}, { identity, channelSecretOverlapSeconds: config.channelSecretOverlapSeconds });
    const r = await runCommand({ db: handle.db, identity, services, secretKey: config.secretKey }, command, args);
    done(command, r);
  } finally {
    await handle.close();
  }
}

/** The SLA sweeper as a worker process. Rings the API processes' subscribers through Redis when configured. */
async function sweep(config: Config, handle: DatabaseHandle, args: Args): Promise<void> {
  const { createServices } = await import('./services/index.ts');
  const bus = config.redisUrl ? (await import('./realtime/bus.ts')).createRedisBus(config.redisUrl) : null;
  const services = createServices(handle.db, config.secretKey, (events) => {
    const seq = events.reduce((m, e) => Math.max(m, e.id), 0);
    if (seq) bus?.publish({ seq });
  }, { attachments: config.attachments });
  try {
    if (args.once) {
      const r = await services.sweeper.sweepOnce();
      return out({ ...r }, () => `swept: ${r.tickets} tickets, ${r.warnings} warnings, ${r.breaches} breaches, ${r.escalations} escalations, ${r.uploadsDeleted} unattached uploads deleted`);
    }
    const ms = Number(args.interval ?? config.sweepIntervalMs);
    if (!(ms >= 100)) fail('the sweep interval must be at least 100 ms (--interval or CLOSELOOP_SWEEP_INTERVAL_MS)', 2);
    process.stderr.write(`closeloop: sweeping SLAs every ${ms} ms on ${handle.location}; Ctrl-C to stop\n`);
    const stop = services.sweeper.start(ms);
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await stop();
  } finally {
    await bus?.close();
  }
}

main().catch(async (e) => {
  if (e instanceof ConfigError) fail(e.message, 2);
  const { UsageError } = await import('./admin.ts');
  if (e instanceof UsageError) fail(e.message, 2);
  log.error({ err: e }, 'unexpected failure');
  fail(`unexpected failure: ${(e as Error).message ?? e}`);
});
