import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  limits: Partial<AbuseLimitSettings> | null;
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
  /** Subscription settings (README, Live progress); unset ones keep their defaults. */
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

function intEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}

/** A rate as `points/seconds`, e.g. CLOSELOOP_LIMIT_LOGIN_ACCOUNT=5/900. */
function rateEnv(env: NodeJS.ProcessEnv, name: string): Rate | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`${name} must be points/seconds, e.g. 5/900`);
  return { points: Number(m[1]), duration: Number(m[2]) };
}

const listEnv = (env: NodeJS.ProcessEnv, name: string) => (env[name] ?? '').split(/[\s,]+/).filter(Boolean);

function parseKey(raw: string): Buffer {
  const s = raw.trim();
  const buf = /^[0-9a-f]{64}$/i.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (buf.length !== 32) throw new Error('CLOSELOOP_SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
  return buf;
}

/**
 * Reads the environment. Without CLOSELOOP_SECRET_KEY a development key is generated once and kept in the
 * data folder so that tokens survive restarts; production refuses to start without one.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  // Relative to where the command was typed (npm runs workspace scripts elsewhere), default the repository root.
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const dataDir = env.CLOSELOOP_DATA_DIR ? resolve(env.INIT_CWD ?? process.cwd(), env.CLOSELOOP_DATA_DIR) : join(repoRoot, '.data');
  let secretKey: Buffer;
  if (env.CLOSELOOP_SECRET_KEY) {
    secretKey = parseKey(env.CLOSELOOP_SECRET_KEY);
  } else if (production) {
    throw new Error('CLOSELOOP_SECRET_KEY is required when NODE_ENV=production');
  } else {
    const file = join(dataDir, 'secret.key');
    if (existsSync(file)) {
      secretKey = parseKey(readFileSync(file, 'utf8'));
    } else {
      mkdirSync(dataDir, { recursive: true });
      secretKey = randomBytes(32);
      writeFileSync(file, secretKey.toString('hex'), { mode: 0o600 });
    }
  }
  return {
    port: Number(env.PORT ?? 4000),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    redisUrl: env.REDIS_URL || undefined,
    production,
    secretKey,
    staffSessionTtlSeconds: Number(env.CLOSELOOP_SESSION_TTL ?? 12 * 3600),
    customerTokenMaxTtlSeconds: intEnv(env, 'CLOSELOOP_CUSTOMER_TOKEN_MAX_TTL') ?? 24 * 3600,
    channelSecretOverlapSeconds: intEnv(env, 'CLOSELOOP_CHANNEL_SECRET_OVERLAP') ?? 24 * 3600,
    sweepIntervalMs: intEnv(env, 'CLOSELOOP_SWEEP_INTERVAL_MS') ?? 30_000,
    limits: ['off', '0', 'false'].includes(env.CLOSELOOP_RATE_LIMITS ?? '')
      ? null
      : {
          loginAccount: rateEnv(env, 'CLOSELOOP_LIMIT_LOGIN_ACCOUNT'),
          loginAddress: rateEnv(env, 'CLOSELOOP_LIMIT_LOGIN_ADDRESS'),
          loginBlockSeconds: intEnv(env, 'CLOSELOOP_LIMIT_LOGIN_BLOCK_S'),
          loginMaxBlockSeconds: intEnv(env, 'CLOSELOOP_LIMIT_LOGIN_MAX_BLOCK_S'),
          accessAddress: rateEnv(env, 'CLOSELOOP_LIMIT_ACCESS_ADDRESS'),
          accessCode: rateEnv(env, 'CLOSELOOP_LIMIT_ACCESS_CODE'),
          submitAddress: rateEnv(env, 'CLOSELOOP_LIMIT_SUBMIT_ADDRESS'),
          submitChannel: rateEnv(env, 'CLOSELOOP_LIMIT_SUBMIT_CHANNEL'),
          submitCustomer: rateEnv(env, 'CLOSELOOP_LIMIT_SUBMIT_CUSTOMER'),
          partnerCost: rateEnv(env, 'CLOSELOOP_LIMIT_PARTNER_COST'),
          wsConnectAddress: rateEnv(env, 'CLOSELOOP_LIMIT_WS_CONNECT_ADDRESS'),
          wsOpenPerAddress: intEnv(env, 'CLOSELOOP_LIMIT_WS_OPEN_PER_ADDRESS'),
          subscribeAddress: rateEnv(env, 'CLOSELOOP_LIMIT_SUBSCRIBE_ADDRESS'),
        },
    transport: {
      bodyLimitBytes: intEnv(env, 'CLOSELOOP_BODY_LIMIT_BYTES'),
      headersTimeoutMs: intEnv(env, 'CLOSELOOP_HEADERS_TIMEOUT_MS'),
      requestTimeoutMs: intEnv(env, 'CLOSELOOP_REQUEST_TIMEOUT_MS'),
      keepAliveTimeoutMs: intEnv(env, 'CLOSELOOP_KEEPALIVE_TIMEOUT_MS'),
      maxConnections: intEnv(env, 'CLOSELOOP_MAX_CONNECTIONS'),
      maxConnectionsPerAddress: intEnv(env, 'CLOSELOOP_MAX_CONNECTIONS_PER_ADDRESS'),
      trustedProxies: intEnv(env, 'CLOSELOOP_TRUSTED_PROXIES'),
    },
    corsOrigins: listEnv(env, 'CLOSELOOP_CORS_ORIGINS'),
    trustedDocumentFiles: listEnv(env, 'CLOSELOOP_TRUSTED_DOCUMENTS').map((f) => resolve(env.INIT_CWD ?? process.cwd(), f)),
    executionTimeoutMs: intEnv(env, 'CLOSELOOP_EXECUTION_TIMEOUT_MS') ?? 10_000,
    receivedAt: {
      maxAgeDays: intEnv(env, 'CLOSELOOP_RECEIVED_AT_MAX_AGE_DAYS') ?? 365,
      maxFutureSkewMs: (intEnv(env, 'CLOSELOOP_RECEIVED_AT_MAX_SKEW_SECONDS') ?? 60) * 1000,
    },
    holidayWarningDays: intEnv(env, 'CLOSELOOP_HOLIDAY_WARNING_DAYS') ?? 60,
    shutdownGraceMs: intEnv(env, 'CLOSELOOP_SHUTDOWN_GRACE_MS') ?? 10_000,
    realtime: {
      keepAliveMs: intEnv(env, 'CLOSELOOP_WS_KEEPALIVE_MS'),
      idleTimeoutMs: intEnv(env, 'CLOSELOOP_WS_IDLE_TIMEOUT_MS'),
      maxSubscriptionsPerConnection: intEnv(env, 'CLOSELOOP_WS_MAX_SUBSCRIPTIONS'),
      connectionInitTimeoutMs: intEnv(env, 'CLOSELOOP_WS_INIT_TIMEOUT_MS'),
      closeTimeoutMs: intEnv(env, 'CLOSELOOP_WS_CLOSE_TIMEOUT_MS'),
      maxQueue: intEnv(env, 'CLOSELOOP_SUBSCRIPTION_BUFFER'),
      pollMs: intEnv(env, 'CLOSELOOP_REALTIME_POLL_MS'),
      recheckMs: intEnv(env, 'CLOSELOOP_REALTIME_RECHECK_MS'),
      maxBufferedBytes: intEnv(env, 'CLOSELOOP_WS_MAX_BUFFERED_BYTES'),
    },
  };
}
