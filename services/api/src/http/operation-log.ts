// GraphQL operations in the log: which operation ran for whom, with its variables redacted (log.ts),
// and Yoga's own messages routed into the same pino logger.
import type { Plugin } from 'graphql-yoga';
import { log, type Logger } from '../log.ts';

type Ctx = { log?: Logger; viewer?: { kind?: string } };

/** Logs each operation at debug level, and its typed errors' codes; never the values of secrets. */
export function useOperationLog(): Plugin<Ctx> {
  const each = (kind: 'execute' | 'subscribe') =>
    ({ args }: { args: { contextValue: Ctx; operationName?: string | null; variableValues?: unknown } }) => {
      const l = args.contextValue.log ?? log;
      if (!l.isLevelEnabled('debug')) return;
      l.debug({ kind, operationName: args.operationName ?? null, viewer: args.contextValue.viewer?.kind, variables: args.variableValues ?? {} }, 'graphql operation');
    };
  return {
    onExecute: each('execute'),
    onSubscribe: each('subscribe'),
  };
}

/** Yoga's logger interface over pino (its masked unexpected errors arrive at `error`). */
export function yogaLogger(level: 'info' | 'warn') {
  const forward = (method: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const err = args.find((a) => a instanceof Error);
    const msg = args.filter((a) => typeof a === 'string').join(' ') || (err as Error | undefined)?.message || 'graphql-yoga';
    log[method](err ? { err } : {}, msg);
  };
  const quiet = () => {};
  return {
    debug: quiet,
    info: level === 'info' ? forward('info') : quiet,
    warn: forward('warn'),
    error: forward('error'),
  };
}
