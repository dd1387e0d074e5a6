// A dropped database connection (failover, idle reaper, restart) is not a bug in the request: it fails at
// once with SERVICE_UNAVAILABLE, which tells the client to retry (with its idempotency key for writes).
import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError, type MaskError } from 'graphql-yoga';
import { PothosValidationError } from '@pothos/core';

/** PostgreSQL's admin/crash shutdown and "cannot connect now", and the socket errors of a lost server. */
const CONNECTION_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
/** node-postgres reports a connection lost mid-query, or none to be had in time, by message only. */
const CONNECTION_MESSAGES = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

export const UNAVAILABLE_MESSAGE = 'The database is unavailable for a moment; retry the request';

/** Whether `e` (or what it wraps: GraphQLError.originalError, Error.cause) is a lost database connection. */
export function isDatabaseUnavailable(e: unknown): boolean {
  let cur = e;
  for (let depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
    const c = cur as { code?: unknown; message?: unknown; cause?: unknown; originalError?: unknown };
    // SQLSTATE class 08: connection exception.
    if (typeof c.code === 'string' && (CONNECTION_CODES.has(c.code) || /^08[0-9A-Z]{3}$/.test(c.code))) return true;
    if (typeof c.message === 'string' && CONNECTION_MESSAGES.test(c.message)) return true;
    cur = c.originalError ?? c.cause;
  }
  return false;
}

/** Over HTTP the response is a 503 with Retry-After, which clients (and the SDK) already retry. */
export function unavailableError(error: unknown, overHttp = true): GraphQLError {
  const g = error instanceof GraphQLError ? error : undefined;
  const http = overHttp ? { http: { status: 503, headers: { 'retry-after': '1' } } } : {};
  return new GraphQLError(UNAVAILABLE_MESSAGE, { nodes: g?.nodes, path: g?.path, extensions: { code: 'SERVICE_UNAVAILABLE', ...http } });
}

/**
 * Yoga's masking, except that a lost connection gets SERVICE_UNAVAILABLE instead of INTERNAL_SERVER_ERROR,
 * and Pothos's refusals of malformed input (a global ID that decodes to nothing) get BAD_USER_INPUT, the
 * code every other input error carries.
 */
export const maskError: MaskError = (error, message, isDev) => {
  if (isDatabaseUnavailable(error)) return unavailableError(error);
  const masked = yogaMaskError(error, message, isDev);
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (masked instanceof GraphQLError && masked.extensions.code === undefined && original instanceof PothosValidationError) {
    return new GraphQLError(masked.message, { nodes: masked.nodes, source: masked.source, positions: masked.positions, path: masked.path, originalError: masked.originalError, extensions: { ...masked.extensions, code: 'BAD_USER_INPUT' } });
  }
  return masked;
};
