import { isAsyncIterable, processRegularResult, type Plugin } from 'graphql-yoga';

const JSON_TYPES = ['application/graphql-response+json', 'application/json'] as const;
export type JsonType = (typeof JSON_TYPES)[number];

/**
 * The media type of a regular (JSON) GraphQL answer for this Accept header, or null when the client
 * takes neither JSON type. The one implementation both paths use: the fast path (http/graphql.ts)
 * calls it, and `useJsonNegotiation` makes Yoga answer with what it returns.
 *
 * It follows Yoga's own rules (its plugins/result-processor/accept.ts, which the package does not
 * export): only utf-8 charsets count, the list is walked from the least preferred type and the last
 * match wins. test/http-graphql.test.ts compares it with a stock Yoga on a list of Accept headers.
 */
export function negotiateJson(accept: string | null | undefined): JsonType | null {
  const requested: string[] = [];
  for (const part of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [type, ...params] = part.split(';');
    if ((params.find((p) => p.includes('charset=')) ?? 'charset=utf-8') !== 'charset=utf-8') continue;
    requested.push(type!);
  }
  let chosen: JsonType | null = null;
  for (let i = requested.length - 1; i >= 0; i--) {
    const [pre, suf] = requested[i]!.split('/');
    for (const t of JSON_TYPES) {
      const [tp, ts] = t.split('/');
      if ((pre === '*' || pre === tp) && (suf === '*' || suf === ts)) chosen = t;
    }
  }
  return chosen;
}

/**
 * Yoga's regular results take their media type from `negotiateJson`. Yoga's own result processors
 * run first (user plugins come after them) and pick the regular processor whenever a JSON type
 * matches; this hook then sets it with our choice, so the fast path and Yoga cannot drift apart.
 * Streams (SSE, multipart) and a 406 for an unacceptable Accept stay Yoga's.
 */
export function useJsonNegotiation(): Plugin {
  return {
    onResultProcess({ request, result, setResultProcessor }) {
      if (isAsyncIterable(result)) return;
      const type = negotiateJson(request.headers.get('accept'));
      if (type) setResultProcessor(processRegularResult, type);
    },
  };
}
