import { GraphQLError, type DefinitionNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface ExecutionTimeoutOptions {
  /** Longest time one operation may execute before it is answered with TIMEOUT; 0 turns the limit off. */
  ms: number;
  /**
   * Mutations too? Off by default: answering TIMEOUT while a write may still commit would lose the
   * answer to an accepted write. Their work is bounded by validation instead (docs/security.md).
   */
  mutations?: boolean;
}

export const DEFAULT_EXECUTION_TIMEOUT_MS = 10_000;

/**
 * A hard deadline per operation: when execution has not finished after `ms`, the caller gets an
 * error with `extensions.code` TIMEOUT and the operation's abort signal (`context.signal`, for
 * resolvers that can stop early) fires. Runs in envelop's execute phase, so Yoga's own path and the
 * direct JSON path (http-graphql.ts) both get it. It cannot interrupt synchronous work: that is kept
 * bounded by the arithmetic itself (domain calendar.ts) and by input limits.
 */
export function useExecutionTimeout(options: ExecutionTimeoutOptions): Plugin {
  const { ms } = options;
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (!(ms > 0)) return;
      const operation = args.document.definitions.find((d: DefinitionNode) => d.kind === 'OperationDefinition' && (!args.operationName || d.name?.value === args.operationName));
      if (operation?.kind === 'OperationDefinition' && operation.operation === 'mutation' && !options.mutations) return;
      setExecuteFn((execArgs) => {
        const controller = new AbortController();
        if (execArgs.contextValue && typeof execArgs.contextValue === 'object') (execArgs.contextValue as { signal?: AbortSignal }).signal = controller.signal;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<ExecutionResult>((resolve) => {
          timer = setTimeout(() => {
            controller.abort();
            // data: null (rather than no data) keeps the answer a 200 on both media types, as for a
            // resolver error: the request was valid, and clients should not retry it in a loop.
            resolve({ data: null, errors: [new GraphQLError(`The operation did not finish within ${ms} ms`, { extensions: { code: 'TIMEOUT' } })] });
          }, ms);
        });
        const run = Promise.resolve(executeFn(execArgs) as Promise<ExecutionResult>);
        return Promise.race([run, timeout]).finally(() => clearTimeout(timer)) as never;
      });
    },
  };
}
