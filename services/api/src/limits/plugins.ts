import type { IncomingMessage } from 'node:http';
import { GraphQLError, Kind, NoSchemaIntrospectionCustomRule, type DocumentNode, type ExecutionResult, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import type { Viewer } from '../auth/identity.ts';
import { RateLimitedError } from '../schema/errors.ts';
import type { AbuseLimits, Budget } from './abuse.ts';
import type { TrustedDocuments } from './trusted-documents.ts';

/** What the node:http handler learned about a request before Yoga saw it. */
export interface RequestFacts {
  closeloopViewer?: Viewer;
  closeloopBudget?: Budget;
  closeloopRetryAfter?: number;
}
type FactRequest = IncomingMessage & RequestFacts;

/** The viewer as early as it is known: on the context (fast path, WebSocket) or resolved by the HTTP handler. */
function earlyViewer(ctx: unknown): Viewer | undefined {
  const c = ctx as { viewer?: Viewer; req?: FactRequest };
  return c.viewer ?? c.req?.closeloopViewer;
}
const privileged = (v: Viewer | undefined) => v?.kind === 'STAFF' || v?.kind === 'PARTNER';

/** The document cost graphql-armor computed while validating (validation results are cached per document, so is this). */
const costs = new WeakMap<DocumentNode, number>();
export const recordCost = (ctx: ValidationContext | null, details: { n: number }) => {
  if (ctx) costs.set(ctx.getDocument(), details.n);
};

/** A refusal of the whole request: `extensions.code`, `retryAfter`, and HTTP 429 with Retry-After. */
export function rateLimitedResult(e: RateLimitedError): ExecutionResult {
  const error = new GraphQLError(e.message, {
    extensions: { code: 'RATE_LIMITED', retryAfter: e.retryAfter, http: { status: 429, headers: { 'Retry-After': String(e.retryAfter) } } },
  });
  return { errors: [error] };
}

/**
 * Partner keys pay each document's computed cost from a budget per window; subscriptions per address.
 * Both are counted before anything executes.
 */
export function useAbuseLimits(limits: AbuseLimits): Plugin<Context> {
  const charge = async (ctx: Context, document: DocumentNode): Promise<ExecutionResult | null> => {
    const req = (ctx as { req?: FactRequest }).req;
    try {
      if (ctx.viewer.kind === 'PARTNER') {
        const budget = await limits.partnerCost(ctx.viewer.apiKey.id, costs.get(document) ?? 1);
        if (req) req.closeloopBudget = budget;
      }
      return null;
    } catch (e) {
      if (!(e instanceof RateLimitedError)) throw e;
      if (req && e.budget) req.closeloopBudget = e.budget;
      return rateLimitedResult(e);
    }
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const refused = await charge(args.contextValue, args.document);
      if (refused) setResultAndStopExecution(refused);
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      let refused = await charge(ctx, args.document);
      if (!refused) {
        try {
          await limits.subscription(ctx.viewer, ctx.clientAddress);
        } catch (e) {
          if (!(e instanceof RateLimitedError)) throw e;
          refused = rateLimitedResult(e);
        }
      }
      if (refused) setResultAndStopExecution(refused);
    },
  };
}

const INTROSPECTION = 'GraphQL introspection has been disabled';
/** Suggestions removed, and introspection refusals given their own code. */
const forUnprivileged = (errors: readonly (GraphQLError | Error)[]) =>
  errors.map((e) => {
    if (!(e instanceof GraphQLError)) return e;
    const intro = e.message.startsWith(INTROSPECTION);
    if (!intro && !e.message.includes('Did you mean')) return e;
    return new GraphQLError(e.message.replace(/ ?Did you mean [^?]*\?/g, ''), {
      nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError,
      extensions: intro ? { ...e.extensions, code: 'INTROSPECTION_DISABLED' } : e.extensions,
    });
  });

/**
 * Staff sign in before they hold a staff credential, from whichever console or script they use: a
 * document whose every operation is a mutation of `login` fields alone may be sent in any form (it is
 * rate-limited per account and address, and answers only about the account that signs in).
 */
function signInOnly(document: DocumentNode): boolean {
  return document.definitions.every(
    (d) =>
      d.kind === Kind.OPERATION_DEFINITION &&
      d.operation === 'mutation' &&
      d.selectionSet.selections.every((sel) => sel.kind === Kind.FIELD && sel.name.value === 'login'),
  );
}

export interface PostureOptions {
  /** Anonymous and customer callers may run only these; null: any document. */
  trusted: TrustedDocuments | null;
}

/**
 * Production posture for callers who are neither staff nor partners: no introspection, no "Did you
 * mean …" suggestions (they map the schema for an attacker), and only trusted documents.
 */
export function useProductionPosture(o: PostureOptions): Plugin<Context> {
  const untrusted = (): ExecutionResult => ({
    errors: [
      new GraphQLError('In production, anonymous and customer callers may send only trusted documents (docs/security.md)', {
        extensions: { code: 'UNTRUSTED_DOCUMENT', http: { status: 403 } },
      }),
    ],
  });
  const refuse = (ctx: Context, document: DocumentNode) =>
    !privileged(ctx.viewer) && o.trusted !== null && !o.trusted.has(document) && !signInOnly(document);
  return {
    onValidate({ context, addValidationRule }) {
      if (privileged(earlyViewer(context))) return;
      // An added rule also keys Yoga's validation cache apart from staff and partners' results.
      addValidationRule(NoSchemaIntrospectionCustomRule);
      return ({ result, setResult }) => {
        const errors = forUnprivileged(result);
        if (errors.some((e, i) => e !== result[i])) setResult(errors as GraphQLError[]);
      };
    },
    onExecute({ args, setResultAndStopExecution }) {
      if (refuse(args.contextValue, args.document)) {
        setResultAndStopExecution(untrusted());
        return;
      }
      if (privileged(args.contextValue.viewer)) return;
      // Variable coercion errors ("Value X does not exist in enum … Did you mean …") come back here.
      return {
        onExecuteDone({ result, setResult }) {
          const r = result as ExecutionResult;
          if (r && 'errors' in r && r.errors?.length) setResult({ ...r, errors: forUnprivileged(r.errors) as GraphQLError[] });
        },
      };
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      if (refuse(args.contextValue, args.document)) setResultAndStopExecution(untrusted());
    },
  };
}

/**
 * A document that does not parse (syntax, token limit) is a 400 request error under
 * application/graphql-response+json, whichever path parsed it first. Yoga marks parse errors only when
 * its own request is on the context, and its parser cache then hands the same error to every later
 * request: the JSON fast path (no Fetch request) parsing first would leave it unmarked (answered 200).
 */
export function useParseErrorStatus(): Plugin {
  return {
    onParse() {
      return ({ result }) => {
        if (!(result instanceof GraphQLError)) return;
        const ext = result.extensions as Record<string, unknown> & { http?: { spec?: boolean; status?: number } };
        ext.code ??= 'GRAPHQL_PARSE_FAILED';
        ext.http ??= {};
        ext.http.spec ??= true;
        ext.http.status ??= 400;
      };
    },
  };
}

/** Headers every /graphql answer carries (both paths): nothing sniffed, cached or referred, plus a partner's budget. */
export function graphqlResponseHeaders(req: FactRequest | undefined): Record<string, string> {
  const h: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    Vary: 'Origin',
  };
  const b = req?.closeloopBudget;
  if (b) {
    h['RateLimit-Policy'] = `"cost";q=${b.limit};w=${b.window}`;
    h.RateLimit = `"cost";r=${b.remaining};t=${b.reset}`;
  }
  return h;
}

export function useResponseHeaders(): Plugin {
  return {
    onResponse({ response, serverContext }) {
      const req = (serverContext as { req?: FactRequest } | undefined)?.req;
      for (const [k, v] of Object.entries(graphqlResponseHeaders(req))) {
        if (k === 'Vary') {
          const vary = response.headers.get('vary');
          if (!vary?.split(/\s*,\s*/).includes('Origin')) response.headers.set('Vary', vary ? `Origin, ${vary}` : 'Origin');
        } else {
          response.headers.delete(k); // event streams come with their own Cache-Control
          response.headers.set(k, v);
        }
      }
    },
  };
}
