// Fan-out without executing the same document once per subscriber.
//
// The hub hands every subscriber of an event the same row object. This plugin replaces graphql's
// subscribe so that each event is executed once per (row, document, variables, principal) and the
// result is shared by every subscription with the same key; graphql-ws and the SSE processor then
// only serialise it. Authorization stays per event and per subscriber: the hub decides which rows a
// subscription receives (Stream.offer), and the principal in the key means a result computed for one
// caller is only ever reused for the same caller (same customer, staff member, API key, or anonymous
// holder of the same grants), so viewer-dependent fields cannot leak across callers.
import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { initContextCache } from '@pothos/core';
import { GraphQLError } from 'graphql';
import type { Context } from '../context.ts';
import { AppError } from '../schema/errors.ts';
import { isDatabaseUnavailable, unavailableError } from '../unavailable.ts';

type Cached = Promise<ExecutionResult> | ExecutionResult;

/** Results by event payload (weak: they go with the row), then by document, then by variables + principal. */
const results = new WeakMap<object, WeakMap<DocumentNode, Map<string, Cached>>>();

export function principalKey(ctx: Context): string {
  const v = ctx.viewer;
  const grants = ctx.grants.size ? [...ctx.grants].sort().join(',') : '';
  switch (v.kind) {
    case 'CUSTOMER':
      return `C:${v.customer.id}|${grants}`;
    case 'STAFF':
      return `S:${v.staff.id}:${v.staff.role}:${v.staff.departmentId ?? ''}:${v.staff.sessionVersion}|${grants}`;
    case 'PARTNER':
      return `P:${v.apiKey.id}|${grants}`;
    default:
      return `A:${v.channel?.id ?? ''}|${grants}`;
  }
}

/**
 * The context one live event executes with. Pothos keeps per-request caches keyed by the context (the
 * drizzle plugin's loaders and row mappings); a subscription's context lives as long as it does, so with
 * it those caches would keep every event ever delivered. Each event is its own request instead.
 */
export function eventContext<T>(ctx: T): T {
  return { ...ctx, ...initContextCache() };
}

function sharedExecute(args: ExecutionArgs, payload: unknown): Cached {
  if (typeof payload !== 'object' || payload === null) return execute({ ...args, contextValue: eventContext(args.contextValue), rootValue: payload });
  let byDocument = results.get(payload);
  if (!byDocument) results.set(payload, (byDocument = new WeakMap()));
  let byKey = byDocument.get(args.document);
  if (!byKey) byDocument.set(args.document, (byKey = new Map()));
  const key = `${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${principalKey(args.contextValue as Context)}`;
  let result = byKey.get(key);
  if (!result) {
    result = execute({ ...args, contextValue: eventContext(args.contextValue), rootValue: payload });
    byKey.set(key, result);
  }
  return result;
}

const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 1;

/** Identical operations of the same caller share one result per event. */
export function operationKey(document: DocumentNode, operationName: string | null | undefined, variables: unknown, ctx: Context): string {
  let id = documentIds.get(document);
  if (id === undefined) documentIds.set(document, (id = nextDocumentId++));
  return `${id}\u0000${operationName ?? ''}\u0000${JSON.stringify(variables ?? {})}\u0000${principalKey(ctx)}`;
}

/** The server's error masking (server.ts) for results executed outside Yoga: expected errors keep their code. */
function masked(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((e) => {
    const original = e.originalError;
    if (!original || original instanceof GraphQLError) return e;
    if (original instanceof AppError) return new GraphQLError(original.message, { nodes: e.nodes, path: e.path, extensions: { code: original.code } });
    if (isDatabaseUnavailable(original)) return unavailableError(e, false);
    return new GraphQLError('Unexpected error.', { nodes: e.nodes, path: e.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
  return { ...result, errors };
}

const payloads = new WeakMap<object, Map<string, string | Promise<string>>>();

/**
 * The JSON `payload` of a graphql-ws `next` message for one event and operation key, computed once and
 * shared (a string, or a promise of one when execution is asynchronous).
 */
export function sharedPayloadJson(
  event: object,
  key: string,
  run: () => ExecutionResult | Promise<ExecutionResult>,
): string | Promise<string> {
  let byKey = payloads.get(event);
  if (!byKey) payloads.set(event, (byKey = new Map()));
  let json = byKey.get(key);
  if (json === undefined) {
    const result = run();
    // GraphQLError has toJSON, so this is what graphql-ws would send.
    json = typeof (result as PromiseLike<ExecutionResult>).then === 'function'
      ? Promise.resolve(result).then((r) => JSON.stringify(masked(r)))
      : JSON.stringify(masked(result as ExecutionResult));
    byKey.set(key, json);
  }
  return json;
}

/** A subscription's source with each payload executed through sharedExecute (a class: nothing per subscription but two fields). */
class SharedResults implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.source.next().then(async (r) => (r.done ? { done: true, value: undefined } : { done: false, value: await sharedExecute(this.args, r.value) }));
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    return { done: true, value: undefined };
  }

  async throw(e: unknown): Promise<IteratorResult<ExecutionResult>> {
    if (this.source.throw) await this.source.throw(e);
    throw e;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

export function useSharedSubscriptionResults(): Plugin<Record<string, unknown>> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const stream = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in (stream as object))) return stream as ExecutionResult;
        return new SharedResults((stream as AsyncIterable<unknown>)[Symbol.asyncIterator](), args) as never;
      });
    },
  };
}
