import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bool, cleanEnv, makeValidator, str, type Spec } from 'envalid';
import type { AbuseLimitSettings, Rate } from './limits/abuse.ts';
import type { TransportSettings } from './limits/transport.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  production: boolean;
  /** 32-byte master key: signs staff sessions and encrypts channel signing secrets. */
  secretKey: Buffer;
  staffSessionTtlSeconds: number;
  /** Longest life (exp − iat) a host may give a customer token, seconds (CLOSELOOP_CUSTOMER_TOKEN_MAX_TTL, default 24 h). */
  customerTokenMaxTtlSeconds: number;
  /** How long a rotated channel secret keeps verifying, seconds (CLOSELOOP_CHANNEL_SECRET_OVERLAP, default 24 h). */
  channelSecretOverlapSeconds: number;
  /** How often each API process sweeps for SLA warnings and breaches (ms); 0: not at all (a `closeloop sweep` worker does). */
  sweepIntervalMs: number;
  /** Abuse limits (docs/security.md); unset ones keep their defaults; null with CLOSELOOP_RATE_LIMITS=off. */
  limits: (Partial<AbuseLimitSettings> & { prefix?: string }) | null;
  /** Body size, timeouts, connection caps (docs/security.md); unset ones keep their defaults. */
  transport: Partial<TransportSettings>;
  /** Origins allowed to call /graphql from a browser besides each channel's registered ones. */
  corsOrigins: string[];
  /** A host's own trusted documents (.graphql or .json manifest files) besides the SDK's. */
  trustedDocumentFiles: string[];
  /** Hard limit on one query's execution (ms); 0: none (docs/security.md, Bounded work). */
  executionTimeoutMs: number;
  /** How far back staff and partners may date receivedAt (days), and how far ahead (ms of clock skew). */
  receivedAt: { maxAgeDays: number; maxFutureSkewMs: number };
  /** The start banner and `closeloop doctor` warn about calendars whose holidays run out within this many days. */
  holidayWarningDays: number;
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish before the process exits anyway (ms). */
  shutdownGraceMs: number;
  /** The customer's side of the conversation (issue 14); unset ones keep their defaults. */
  conversation: { reopenWindowDays?: number; reviewWindowDays?: number };
  attachments: { maxBytes?: number; perMessage?: number; unattachedMinutes?: number; thumbnailMaxPixels?: number };
  logLevel: string;
  /** Seed the demo institution into an empty database outside production. */
  demo: boolean;
  portalFrameAncestors: string | undefined;
  portalScriptSrc: string | undefined;
  traceCommits: boolean;
  traceMemory: boolean;
  /** Subscription settings (docs/operations.md); unset ones keep their defaults. */
  realtime: {
    keepAliveMs?: number;
    idleTimeoutMs?: number;
    maxSubscriptionsPerConnection?: number;
    connectionInitTimeoutMs?: number;
    closeTimeoutMs?: number;
    maxQueue?: number;
    pollMs?: number;
    recheckMs?: number;
    maxBufferedBytes?: number;
  };
}

/** A start-up failure the operator can fix: printed as one line, exit code 2, no stack trace. */
export class ConfigError extends Error {}

const whole = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  makeValidator<number>((raw) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
      throw new Error(`must be a whole number${max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` of at least ${min}` : ''}`);
    }
    return n;
  });
const count = whole(0);
/** A rate as `points/seconds`, e.g. CLOSELOOP_LIMIT_LOGIN_ACCOUNT=5/900. */
const rate = makeValidator<Rate>((raw) => {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error('must be points/seconds, e.g. 5/900');
  return { points: Number(m[1]), duration: Number(m[2]) };
});
const secretKeyValidator = makeValidator<Buffer>((raw) => parseKey(raw));
const logLevel = str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, default: 'info', desc: 'log level (pino): fatal, error, warn, info, debug, trace or silent' });
type Variable = Spec<unknown> & { secret?: true; defaultText?: string };
/** Marks a variable whose value must never be printed (the docs table says so; logs redact it). */
const secret = <T extends object>(spec: T): T & { secret: true } => Object.assign(spec, { secret: true as const });
/** The default as the docs table shows it when it is computed rather than fixed. */
const shown = <T extends object>(defaultText: string, spec: T): T & { defaultText: string } => Object.assign(spec, { defaultText });

/**
 * Every environment variable the API reads, declared once: type, default, description, secret or not.
 * docs/operations.md's configuration table is generated from this (`npm run docs:config`).
 */
export const variables = {
  NODE_ENV: str({ default: 'development', desc: '`production`: JSON logs, no GraphiQL, no demo data, CLOSELOOP_SECRET_KEY required' }),
  PORT: whole(0, 65535)({ default: 4000, desc: 'where the API listens (HTTP, SSE and WebSocket on one port); 0 picks a free port' }),
  HOST: str({ default: '0.0.0.0', desc: 'the address the API listens on' }),
  DATABASE_URL: secret(str({ default: undefined, desc: '`postgres://…` switches from the embedded PGlite to PostgreSQL' })),
  CLOSELOOP_DATA_DIR: shown('`.data` at the repository root', str({ default: undefined, desc: 'PGlite data (`pglite/`), the development secret key, `server.json`; created when missing' })),
  CLOSELOOP_SECRET_KEY: secret(shown('generated into the data folder outside production', secretKeyValidator({
    default: undefined,
    desc: '32 bytes (64 hex characters or base64): signs staff sessions, encrypts channel secrets, derives access keys. **Required** with `NODE_ENV=production`; every instance of a deployment shares it',
  }))),
  CLOSELOOP_SESSION_TTL: whole(60)({ default: 12 * 3600, desc: 'staff session lifetime in seconds' }),
  CLOSELOOP_CUSTOMER_TOKEN_MAX_TTL: count({ default: 24 * 3600, desc: 'longest life (exp − iat) a host may give a customer token, in seconds' }),
  CLOSELOOP_CHANNEL_SECRET_OVERLAP: count({ default: 24 * 3600, desc: 'how long a rotated channel signing secret keeps verifying, in seconds' }),
  REDIS_URL: secret(str({ default: undefined, desc: 'Redis for event fan-out between several API processes behind a load balancer' })),
  LOG_LEVEL: logLevel,
  CLOSELOOP_DEMO: bool({ default: true, desc: '`0` skips the demo seed on an empty database (outside production)' }),
  CLOSELOOP_EXECUTION_TIMEOUT_MS: count({ default: 10_000, desc: 'hard limit on one query\'s execution, in ms; `0` none (docs/security.md, Bounded work)' }),
  CLOSELOOP_RECEIVED_AT_MAX_AGE_DAYS: count({ default: 365, desc: 'how far back staff and partners may date `receivedAt`, in days' }),
  CLOSELOOP_RECEIVED_AT_MAX_SKEW_SECONDS: count({ default: 60, desc: 'how far ahead of the server clock `receivedAt` may be, in seconds' }),
  CLOSELOOP_HOLIDAY_WARNING_DAYS: count({ default: 60, desc: 'the start banner and `closeloop doctor` warn about calendars whose holidays run out within this many days' }),
  CLOSELOOP_SHUTDOWN_GRACE_MS: count({ default: 10_000, desc: 'on SIGTERM/SIGINT, how long requests in flight may take to finish before the process exits anyway' }),
  CLOSELOOP_WS_CLOSE_TIMEOUT_MS: count({ default: undefined, desc: 'how long a closing WebSocket may take before it is terminated (default: the realtime module\'s)' }),
  CLOSELOOP_SWEEP_INTERVAL_MS: count({ default: 30_000, desc: 'how often each API process sweeps for SLA warnings and breaches; `0` turns it off (run `npx closeloop sweep` instead)' }),
  CLOSELOOP_PORTAL_SCRIPT_SRC: str({ default: undefined, desc: 'extra script origins in the hosted portal\'s CSP (e.g. the WeChat JS-SDK `https://res.wx.qq.com`)' }),
  CLOSELOOP_PORTAL_FRAME_ANCESTORS: str({ default: undefined, desc: 'sites allowed to frame the hosted portal (CSP `frame-ancestors`)' }),
  CLOSELOOP_WS_KEEPALIVE_MS: count({ default: 12_000, desc: 'WebSocket ping interval; a peer that does not answer a ping within as long is dropped' }),
  CLOSELOOP_WS_IDLE_TIMEOUT_MS: count({ default: 300_000, desc: 'close a WebSocket that has had no subscription for this long (1000 "idle timeout"); `0` never' }),
  CLOSELOOP_WS_INIT_TIMEOUT_MS: count({ default: 10_000, desc: 'time a new WebSocket has to send `connection_init` (closed with 4408)' }),
  CLOSELOOP_WS_MAX_SUBSCRIPTIONS: count({ default: 25, desc: 'subscriptions one WebSocket may hold at once' }),
  CLOSELOOP_SUBSCRIPTION_BUFFER: count({ default: 256, desc: 'events one subscription may have waiting before it is dropped with `SLOW_CONSUMER`' }),
  CLOSELOOP_REALTIME_POLL_MS: count({ default: 2_000, desc: 'while anyone subscribes, re-read new events this often even without a ring' }),
  CLOSELOOP_REALTIME_RECHECK_MS: count({ default: 10_000, desc: 're-read the staff rows and API keys behind open subscriptions this often' }),
  CLOSELOOP_WS_MAX_BUFFERED_BYTES: count({ default: 1_048_576, desc: 'bytes a WebSocket may have accepted but not yet sent before its client counts as slow' }),
  CLOSELOOP_RATE_LIMITS: str({ choices: ['on', 'off', '0', '1', 'true', 'false'] as const, default: 'on', desc: '`off` turns every abuse limit off (benchmarks; never in production)' }),
  CLOSELOOP_RATE_LIMIT_PREFIX: str({ default: 'closeloop:rl', desc: 'key prefix of the shared limit counters in Redis; deployments (or test runs) sharing one Redis need different prefixes' }),
  CLOSELOOP_LIMIT_LOGIN_ACCOUNT: shown('`5/900`', rate({ default: undefined, desc: 'staff login attempts per account (points/seconds), then a growing block' })),
  CLOSELOOP_LIMIT_LOGIN_ADDRESS: shown('`30/900`', rate({ default: undefined, desc: 'staff login attempts per client address' })),
  CLOSELOOP_LIMIT_LOGIN_BLOCK_S: shown('`60`', count({ default: undefined, desc: 'first login block in seconds; it doubles each time' })),
  CLOSELOOP_LIMIT_LOGIN_MAX_BLOCK_S: shown('`86400`', count({ default: undefined, desc: 'longest login block in seconds' })),
  CLOSELOOP_LIMIT_ACCESS_ADDRESS: shown('`60/60`', rate({ default: undefined, desc: 'tracking-code and access-key checks per client address' })),
  CLOSELOOP_LIMIT_ACCESS_CODE: shown('`30/60`', rate({ default: undefined, desc: 'access-key checks per tracking code' })),
  CLOSELOOP_LIMIT_SUBMIT_ADDRESS: shown('`20/3600`', rate({ default: undefined, desc: 'anonymous submissions per client address' })),
  CLOSELOOP_LIMIT_SUBMIT_CHANNEL: shown('`1000/3600`', rate({ default: undefined, desc: 'anonymous submissions per channel key' })),
  CLOSELOOP_LIMIT_SUBMIT_CUSTOMER: shown('`30/3600`', rate({ default: undefined, desc: 'submissions per signed-in customer' })),
  CLOSELOOP_LIMIT_PARTNER_COST: shown('`100000/60`', rate({ default: undefined, desc: 'query cost a partner key may spend (leaky bucket; RateLimit headers)' })),
  CLOSELOOP_LIMIT_WS_CONNECT_ADDRESS: shown('`60/60`', rate({ default: undefined, desc: 'new WebSocket connections per client address' })),
  CLOSELOOP_LIMIT_WS_OPEN_PER_ADDRESS: shown('`50`', count({ default: undefined, desc: 'open WebSockets per client address (per process)' })),
  CLOSELOOP_LIMIT_SUBSCRIBE_ADDRESS: shown('`120/60`', rate({ default: undefined, desc: 'subscriptions started per client address' })),
  CLOSELOOP_BODY_LIMIT_BYTES: shown('`1048576`', count({ default: undefined, desc: 'largest request body in bytes (413 beyond)' })),
  CLOSELOOP_HEADERS_TIMEOUT_MS: shown('`10000`', count({ default: undefined, desc: 'time a client has to send its request headers' })),
  CLOSELOOP_REQUEST_TIMEOUT_MS: shown('`30000`', count({ default: undefined, desc: 'time a client has to send its whole request' })),
  CLOSELOOP_KEEPALIVE_TIMEOUT_MS: shown('`5000`', count({ default: undefined, desc: 'idle keep-alive connections close after this long' })),
  CLOSELOOP_MAX_CONNECTIONS: shown('`20000`', count({ default: undefined, desc: 'open connections per process' })),
  CLOSELOOP_MAX_CONNECTIONS_PER_ADDRESS: shown('`256`', count({ default: undefined, desc: 'open connections per client address, per process' })),
  CLOSELOOP_TRUSTED_PROXIES: shown('`0`', count({ default: undefined, desc: 'proxies in front whose X-Forwarded-For entries name the client address' })),
  CLOSELOOP_CORS_ORIGINS: str({ default: undefined, desc: 'origins allowed to call /graphql from a browser besides each channel\'s registered ones (comma-separated)' }),
  CLOSELOOP_TRUSTED_DOCUMENTS: str({ default: undefined, desc: 'a host\'s own trusted documents (.graphql files or .json manifests, comma-separated) besides the SDK\'s' }),
  CLOSELOOP_REOPEN_WINDOW_DAYS: shown('`14`', count({ default: undefined, desc: 'days after RESOLVED in which a customer message reopens the ticket (once)' })),
  CLOSELOOP_REVIEW_WINDOW_DAYS: shown('`30`', count({ default: undefined, desc: 'days after RESOLVED in which a customer may request a review' })),
  CLOSELOOP_ATTACHMENT_MAX_BYTES: shown('`10485760`', count({ default: undefined, desc: 'largest attachment, in bytes (refused before it is stored)' })),
  CLOSELOOP_ATTACHMENTS_PER_MESSAGE: shown('`5`', count({ default: undefined, desc: 'attachments one message may carry' })),
  CLOSELOOP_UPLOAD_UNATTACHED_MINUTES: shown('`1440`', whole(1)({ default: undefined, desc: 'an uploaded file not attached to a message within this many minutes is deleted by the sweeper (bytes and thumbnail too)' })),
  CLOSELOOP_THUMBNAIL_MAX_PIXELS: shown('`24000000`', count({ default: undefined, desc: 'images declaring more pixels (width × height, read from the header before decoding) get no thumbnail; `0` makes no thumbnails' })),
  CLOSELOOP_TRACE_COMMITS: bool({ default: false, desc: 'benchmarks: log each commit\'s timing' }),
  CLOSELOOP_TRACE_MEMORY: bool({ default: false, desc: 'benchmarks: SIGUSR2 prints memory after a full collection (`node --expose-gc`)' }),
} satisfies Record<string, Variable>;

const list = (raw: string | undefined) => (raw ?? '').split(/[\s,]+/).filter(Boolean);

function parseKey(raw: string): Buffer {
  const s = raw.trim();
  const buf = /^[0-9a-f]{64}$/i.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (buf.length !== 32) throw new Error('must be 32 bytes, as 64 hex characters or base64');
  return buf;
}

/** Validates the environment against `variables`; the first problem becomes one ConfigError line. */
export function readEnv(env: NodeJS.ProcessEnv = process.env) {
  // An empty value means unset (`DATABASE_URL= npm start`), as shells and .env files write it.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return cleanEnv(given, variables, {
    reporter: ({ errors }) => {
      const [name, error] = Object.entries(errors)[0] ?? [];
      if (!name || !error) return;
      const spec = (variables as Record<string, Variable>)[name];
      const got = spec?.secret ? '' : ` (got ${JSON.stringify(given[name])})`;
      throw new ConfigError(`${name} ${error.message.replace(/^Invalid value for env var \S+$/, 'is invalid')}${got}`);
    },
  });
}

/**
 * Reads the environment. Without CLOSELOOP_SECRET_KEY a development key is generated once and kept in the
 * data folder so that tokens survive restarts; production refuses to start without one.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = readEnv(env);
  const production = e.NODE_ENV === 'production';
  // Relative to where the command was typed (npm runs workspace scripts elsewhere), default the repository root.
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const dataDir = e.CLOSELOOP_DATA_DIR ? resolve(env.INIT_CWD ?? process.cwd(), e.CLOSELOOP_DATA_DIR) : join(repoRoot, '.data');
  let secretKey: Buffer;
  if (e.CLOSELOOP_SECRET_KEY) {
    secretKey = e.CLOSELOOP_SECRET_KEY;
  } else if (production) {
    throw new ConfigError('CLOSELOOP_SECRET_KEY is required when NODE_ENV=production (32 bytes: `openssl rand -hex 32`)');
  } else {
    const file = join(dataDir, 'secret.key');
    if (existsSync(file)) {
      try {
        secretKey = parseKey(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new ConfigError(`${file} ${(err as Error).message}; delete it to generate a new development key`);
      }
    } else {
      ensureDataDir(dataDir);
      secretKey = randomBytes(32);
      writeFileSync(file, secretKey.toString('hex'), { mode: 0o600 });
    }
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    redisUrl: e.REDIS_URL,
    production,
    secretKey,
    staffSessionTtlSeconds: e.CLOSELOOP_SESSION_TTL,
    customerTokenMaxTtlSeconds: e.CLOSELOOP_CUSTOMER_TOKEN_MAX_TTL,
    channelSecretOverlapSeconds: e.CLOSELOOP_CHANNEL_SECRET_OVERLAP,
    sweepIntervalMs: e.CLOSELOOP_SWEEP_INTERVAL_MS,
    executionTimeoutMs: e.CLOSELOOP_EXECUTION_TIMEOUT_MS,
    receivedAt: { maxAgeDays: e.CLOSELOOP_RECEIVED_AT_MAX_AGE_DAYS, maxFutureSkewMs: e.CLOSELOOP_RECEIVED_AT_MAX_SKEW_SECONDS * 1000 },
    holidayWarningDays: e.CLOSELOOP_HOLIDAY_WARNING_DAYS,
    shutdownGraceMs: e.CLOSELOOP_SHUTDOWN_GRACE_MS,
    limits: ['off', '0', 'false'].includes(e.CLOSELOOP_RATE_LIMITS)
      ? null
      : {
          loginAccount: e.CLOSELOOP_LIMIT_LOGIN_ACCOUNT,
          loginAddress: e.CLOSELOOP_LIMIT_LOGIN_ADDRESS,
          loginBlockSeconds: e.CLOSELOOP_LIMIT_LOGIN_BLOCK_S,
          loginMaxBlockSeconds: e.CLOSELOOP_LIMIT_LOGIN_MAX_BLOCK_S,
          accessAddress: e.CLOSELOOP_LIMIT_ACCESS_ADDRESS,
          accessCode: e.CLOSELOOP_LIMIT_ACCESS_CODE,
          submitAddress: e.CLOSELOOP_LIMIT_SUBMIT_ADDRESS,
          submitChannel: e.CLOSELOOP_LIMIT_SUBMIT_CHANNEL,
          submitCustomer: e.CLOSELOOP_LIMIT_SUBMIT_CUSTOMER,
          partnerCost: e.CLOSELOOP_LIMIT_PARTNER_COST,
          wsConnectAddress: e.CLOSELOOP_LIMIT_WS_CONNECT_ADDRESS,
          wsOpenPerAddress: e.CLOSELOOP_LIMIT_WS_OPEN_PER_ADDRESS,
          subscribeAddress: e.CLOSELOOP_LIMIT_SUBSCRIBE_ADDRESS,
          prefix: e.CLOSELOOP_RATE_LIMIT_PREFIX,
        },
    transport: {
      bodyLimitBytes: e.CLOSELOOP_BODY_LIMIT_BYTES,
      headersTimeoutMs: e.CLOSELOOP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.CLOSELOOP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.CLOSELOOP_KEEPALIVE_TIMEOUT_MS,
      maxConnections: e.CLOSELOOP_MAX_CONNECTIONS,
      maxConnectionsPerAddress: e.CLOSELOOP_MAX_CONNECTIONS_PER_ADDRESS,
      trustedProxies: e.CLOSELOOP_TRUSTED_PROXIES,
    },
    corsOrigins: list(e.CLOSELOOP_CORS_ORIGINS),
    trustedDocumentFiles: list(e.CLOSELOOP_TRUSTED_DOCUMENTS).map((f) => resolve(env.INIT_CWD ?? process.cwd(), f)),
    logLevel: e.LOG_LEVEL,
    demo: e.CLOSELOOP_DEMO,
    portalFrameAncestors: e.CLOSELOOP_PORTAL_FRAME_ANCESTORS,
    portalScriptSrc: e.CLOSELOOP_PORTAL_SCRIPT_SRC,
    traceCommits: e.CLOSELOOP_TRACE_COMMITS,
    traceMemory: e.CLOSELOOP_TRACE_MEMORY,
    // Only what was set: the realtime modules keep their own defaults (the same numbers as above).
    conversation: {
      reopenWindowDays: e.CLOSELOOP_REOPEN_WINDOW_DAYS,
      reviewWindowDays: e.CLOSELOOP_REVIEW_WINDOW_DAYS,
    },
    attachments: {
      maxBytes: e.CLOSELOOP_ATTACHMENT_MAX_BYTES,
      perMessage: e.CLOSELOOP_ATTACHMENTS_PER_MESSAGE,
      unattachedMinutes: e.CLOSELOOP_UPLOAD_UNATTACHED_MINUTES,
      thumbnailMaxPixels: e.CLOSELOOP_THUMBNAIL_MAX_PIXELS,
    },
    realtime: {
      keepAliveMs: env.CLOSELOOP_WS_KEEPALIVE_MS ? e.CLOSELOOP_WS_KEEPALIVE_MS : undefined,
      idleTimeoutMs: env.CLOSELOOP_WS_IDLE_TIMEOUT_MS ? e.CLOSELOOP_WS_IDLE_TIMEOUT_MS : undefined,
      maxSubscriptionsPerConnection: env.CLOSELOOP_WS_MAX_SUBSCRIPTIONS ? e.CLOSELOOP_WS_MAX_SUBSCRIPTIONS : undefined,
      connectionInitTimeoutMs: env.CLOSELOOP_WS_INIT_TIMEOUT_MS ? e.CLOSELOOP_WS_INIT_TIMEOUT_MS : undefined,
      closeTimeoutMs: env.CLOSELOOP_WS_CLOSE_TIMEOUT_MS ? e.CLOSELOOP_WS_CLOSE_TIMEOUT_MS : undefined,
      maxQueue: env.CLOSELOOP_SUBSCRIPTION_BUFFER ? e.CLOSELOOP_SUBSCRIPTION_BUFFER : undefined,
      pollMs: env.CLOSELOOP_REALTIME_POLL_MS ? e.CLOSELOOP_REALTIME_POLL_MS : undefined,
      recheckMs: env.CLOSELOOP_REALTIME_RECHECK_MS ? e.CLOSELOOP_REALTIME_RECHECK_MS : undefined,
      maxBufferedBytes: env.CLOSELOOP_WS_MAX_BUFFERED_BYTES ? e.CLOSELOOP_WS_MAX_BUFFERED_BYTES : undefined,
    },
  };
}

/** Creates the data folder when missing; a folder that cannot be created is a one-line start error. */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot create the data folder ${dataDir} (${code ?? (err as Error).message}); set CLOSELOOP_DATA_DIR to a writable folder`);
  }
}

/** The configuration table of docs/operations.md, generated from `variables`. */
export function configTable(): string {
  const rows = Object.entries(variables as Record<string, Variable>).map(([name, spec]) => {
    const def = spec.defaultText ?? (spec.default === undefined ? 'unset' : `\`${String(spec.default)}\``);
    const desc = `${spec.desc ?? ''}${spec.secret ? ' (**secret**)' : ''}`;
    return `| \`${name}\` | ${def} | ${desc.replace(/\|/g, '\\|')} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
