// The one logger of the API process (pino). Modules import `log` and make children of it: per HTTP
// request and per subscription, each with a request id. JSON lines in production; readable lines in
// development when the dev-only pino-pretty is installed.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Keys whose values never reach a log line, at any depth: credentials (tokens, secrets, passwords,
 * access and API keys, signatures) and customer contact data.
 */
const SENSITIVE = /token|secret|password|passcode|access.?key|api.?key|authori[sz]ation|cookie|signature|jwk|e-?mail|phone|contact|mobile|address|^name$|^key$|x-closeloop-admin/i;
const REDACTED = '[redacted]';

/** A copy of `value` with sensitive keys replaced; bounded so that a huge input cannot stall a log call. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 100)) out[k] = SENSITIVE.test(k) ? REDACTED : redact(v, depth + 1);
  return out;
}

/** Error messages from the database driver quote the statement's parameters (customer data): cut them. */
function errSerializer(err: Error) {
  const s = stdSerializers.err(err) as Record<string, unknown>;
  for (const k of ['message', 'stack']) if (typeof s[k] === 'string') s[k] = (s[k] as string).replace(/params:[^\n]*/g, 'params: [redacted]');
  return redact(s) as Record<string, unknown>;
}

interface LoggerOptions {
  level?: string;
  production?: boolean;
  /** 1 = stdout (the server), 2 = stderr (CLI commands, whose stdout is their answer), or a stream (tests). */
  destination?: 1 | 2 | DestinationStream;
}

function pretty(fd: 1 | 2): DestinationStream | null {
  try {
    // Development only and optional: the release build never bundles or loads it.
    const load = createRequire(import.meta.url)('pino-pretty') as (o: object) => DestinationStream;
    return load({ destination: fd, sync: true, colorize: process.stdout.isTTY, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' });
  } catch {
    return null;
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const dest = options.destination ?? 1;
  const stream = typeof dest === 'number' ? ((!options.production && pretty(dest)) || pino.destination({ dest, sync: true })) : dest;
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      serializers: { err: errSerializer, error: errSerializer, variables: (v) => redact(v), args: (v) => redact(v) },
      // Fixed paths pino removes without walking the object (headers, known fields).
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-closeloop-admin"]', '*.token', '*.password', '*.secretKey', '*.signingSecret', '*.accessKey', '*.apiKey', '*.email', '*.phone'],
        censor: REDACTED,
      },
    },
    stream,
  );
}

/** The process's logger; `configureLogger` replaces its settings at start-up (level, format, destination). */
export let log: Logger = createLogger({ level: process.env.LOG_LEVEL || 'info', production: process.env.NODE_ENV === 'production' });

export function configureLogger(options: LoggerOptions): Logger {
  log = createLogger(options);
  return log;
}

/** A request id: the caller's `x-request-id` when it is a sane token, else a new one. */
export function requestId(header: string | string[] | undefined | null): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
}
