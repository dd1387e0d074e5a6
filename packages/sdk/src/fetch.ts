import { makeErrorResult, makeResult, stringifyDocument, type Exchange, type Operation, type OperationResult } from '@urql/core';
import { filter, fromPromise, merge, mergeMap, pipe, share, takeUntil } from 'wonka';

/**
 * A small fetch exchange for queries and mutations: one JSON POST, one JSON answer. urql's own
 * fetchExchange also parses multipart and event streams; progress streams go through our own
 * transports instead, so that code would only weigh on the bundle.
 */
export const jsonFetchExchange =
  (fetchImpl?: typeof fetch): Exchange =>
  ({ forward }) =>
  (ops$) => {
    const shared = pipe(ops$, share);
    const isFetch = (op: Operation) => op.kind === 'query' || op.kind === 'mutation';
    const results = pipe(
      shared,
      filter(isFetch),
      mergeMap((op) =>
        pipe(
          fromPromise(send(op, fetchImpl ?? fetch)),
          takeUntil(pipe(shared, filter((o) => o.kind === 'teardown' && o.key === op.key))),
        ),
      ),
    );
    return merge([results, forward(pipe(shared, filter((op) => !isFetch(op))))]);
  };

async function send(op: Operation, fetchImpl: typeof fetch): Promise<OperationResult> {
  const init = typeof op.context.fetchOptions === 'function' ? op.context.fetchOptions() : (op.context.fetchOptions ?? {});
  let response: Response | undefined;
  try {
    response = await fetchImpl(op.context.url, {
      ...init,
      method: 'POST',
      headers: { ...(init.headers as Record<string, string>), 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: stringifyDocument(op.query), variables: op.variables }),
    });
    const body = await response.json().catch(() => null);
    if (body && (body.data || body.errors)) return makeResult(op, body, response);
    return makeErrorResult(op, new Error(response.statusText || `HTTP ${response.status}`), response);
  } catch (e) {
    return makeErrorResult(op, e as Error, response);
  }
}
