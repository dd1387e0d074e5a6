import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type ExecutionResult } from 'graphql';
import { processRegularResult, type YogaServerInstance } from 'graphql-yoga';
import { maskError } from '../unavailable.ts';
import type { Context } from '../context.ts';
import type { Viewer } from '../auth/identity.ts';
import { log, type Logger } from '../log.ts';
import { graphqlResponseHeaders, type RequestFacts } from '../limits/plugins.ts';
import { corsHeaders, withCors, type CorsOptionsFor } from './cors.ts';
import { negotiateJson, type JsonType } from './negotiation.ts';

export { negotiateJson };

/**
 * The common case of GraphQL over HTTP — a small JSON POST of one query or mutation, answered as
 * JSON — served without Yoga's fetch-API plumbing, through the same envelop pipeline.
 *
 * Why: for a small operation, Yoga's per-request WHATWG Request/Response/Headers objects, its hook
 * iteration and promise helpers cost more CPU than executing the operation (`npm run bench`,
 * README, Performance). What stays identical: parse and validation (with their caches and the
 * graphql-armor limits), the context, execution with every envelop plugin (error masking among
 * them), the status code and body for errors (Yoga's own `processRegularResult`), the media type
 * negotiated from Accept and the CORS headers (one implementation each, which Yoga uses too:
 * http/negotiation.ts, http/cors.ts) and the security headers. Anything else — GET, batches, subscriptions,
 * extensions, unusual parameters, other media types, authentication failures — returns false before
 * anything has executed, and the caller hands the request to Yoga unchanged.
 */
export interface DirectGraphQLOptions {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  endpoint: string;
  /** The function given to Yoga as its `cors` option (CorsPolicy.yoga); no CORS headers without one. */
  cors?: CorsOptionsFor;
  /** The viewer of a request; undefined when it cannot be resolved (Yoga then answers with the error). */
  viewerOf(authorization: string | undefined, channelKey: string | undefined, req?: IncomingMessage): Promise<Viewer | undefined>;
  /**
   * A compiled document's answer (compiled/registry.ts): its body, or a result (a limit's refusal) to
   * answer as any other result; undefined to execute it. `req` carries the facts the response headers
   * read (a partner's budget) and the caller's address.
   */
  compiled?(params: Params, viewer: Viewer, req: IncomingMessage & RequestFacts): Promise<string | ExecutionResult | undefined>;
}

export interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Only the plain shape Yoga's parameter checks accept without comment; anything else goes to Yoga. */
function plainParams(body: unknown): Params | null {
  if (!isPlainObject(body)) return null;
  for (const k in body) if (k !== 'query' && k !== 'variables' && k !== 'operationName') return null;
  if (typeof body.query !== 'string') return null;
  if (body.variables != null && !isPlainObject(body.variables)) return null;
  if (body.operationName != null && typeof body.operationName !== 'string') return null;
  return body as unknown as Params;
}

export function createDirectGraphQL(o: DirectGraphQLOptions) {
  const { yoga } = o;
  const send = async (res: ServerResponse, extra: Record<string, string>, type: JsonType, result: ExecutionResult) => {
    if (!result.errors && !result.extensions) {
      const body = JSON.stringify(result);
      res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Content-Length': Buffer.byteLength(body), ...extra });
      res.end(body);
      return;
    }
    // Errors: Yoga's own result processor decides status, headers and what an error may show.
    const response = await processRegularResult(result, yoga.fetchAPI, type);
    const headers: Record<string, string> = { ...extra };
    response.headers.forEach((v, k) => (headers[k] = v));
    const body = await response.text();
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(response.status, headers);
    res.end(body);
  };

  /** Answers the request and returns true, or returns false having done nothing. */
  return async function handle(req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<boolean> {
    if (req.method !== 'POST' || req.url !== o.endpoint) return false;
    const params = plainParams(req.body);
    if (!params) return false;
    const type = negotiateJson(req.headers.accept);
    if (!type) return false;
    const h = req.headers;
    const viewer = await o.viewerOf(h.authorization, h['x-closeloop-channel'] as string | undefined, req);
    if (!viewer) return false;
    const reqLog = (req as { log?: Logger }).log ?? log;
    // A compiled document: the database's JSON bytes are the body, as for any result without errors.
    const compiled = await o.compiled?.(params, viewer, req);
    if (compiled !== undefined && typeof compiled !== 'string') {
      await send(res, withCors(await corsHeaders(o.cors, req), graphqlResponseHeaders(req)), type, compiled);
      return true;
    }
    if (compiled !== undefined) {
      const cors = await corsHeaders(o.cors, req);
      res.writeHead(200, {
        'Content-Type': `${type}; charset=utf-8`, 'Content-Length': Buffer.byteLength(compiled), ...withCors(cors, graphqlResponseHeaders(req)),
      });
      res.end(compiled);
      return true;
    }
    const enveloped = yoga.getEnveloped({ viewer, params, req, log: reqLog });
    let document;
    try {
      document = enveloped.parse(params.query);
      // Any refusal (syntax, tokens, depth, aliases, cost, validation) is formatted by Yoga, so both paths answer alike.
      if (enveloped.validate(enveloped.schema, document).length > 0) return false;
    } catch {
      return false;
    }
    const operation = getOperationAST(document, params.operationName);
    if (!operation || operation.operation === 'subscription') return false;
    const cors = await corsHeaders(o.cors, req);
    let result: ExecutionResult;
    try {
      const contextValue = await enveloped.contextFactory();
      result = (await enveloped.execute({
        schema: enveloped.schema,
        document,
        contextValue,
        variableValues: params.variables,
        operationName: params.operationName,
      })) as ExecutionResult;
    } catch (e) {
      // What Yoga's handleError does with an unexpected throw: logged, masked (Yoga's own maskError and
      // its development default), answered as an error result.
      const error = maskError(e, 'Unexpected error.');
      if (error !== e) reqLog.error({ err: e }, 'unexpected error in a GraphQL request');
      result = { errors: [error as never] };
    }
    await send(res, withCors(cors, graphqlResponseHeaders(req)), type, result);
    return true;
  };
}
