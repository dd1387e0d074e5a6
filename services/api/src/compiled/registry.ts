// Compiled documents: known operations (the widget's, the portal's, the console's) turned at start
// into prepared statements that build the whole `data` JSON in the database. A request whose document
// is one of them is answered with the database's bytes; any other request, and any request whose
// variables the schema would refuse, runs through the schema as before (http-graphql.ts).
import { log } from '../log.ts';
import { parse, print, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import type { Viewer } from '../auth/identity.ts';
import { RateLimitedError } from '../policy/errors.ts';
import type { AbuseLimits } from '../limits/abuse.ts';
import type { TrustedDocuments } from '../limits/trusted-documents.ts';
import { rateLimitedResult, type RequestFacts } from '../limits/plugins.ts';
import { ROOTS, type RootRun, type RunContext } from './roots.ts';
import { fieldErrorResult } from './errors.ts';
import { AnswerBySchema, singleRoot } from './statement.ts';
import { holdsNul } from '../input-guards.ts';

interface Entry {
  operationName: string | null;
  /** `{"data":{"<key>":` — the rest comes from the database. */
  head: string;
  /** The response key of the root field. */
  key: string;
  run: RootRun;
  /** What graphql-armor's cost rule computes for the document (a partner's budget pays it, limits/plugins.ts). */
  cost: number;
  /** Whether anonymous and customer callers may send it (production posture); true when any document is allowed. */
  trusted: boolean;
}

/** What the abuse limits need of one HTTP request (the resolvers and plugins read the same from the context). */
export interface RequestLimits {
  limits: AbuseLimits | null;
  /** The caller's address (limits/transport.ts clientAddress). */
  address: string;
  /** Where a partner's budget is left for the RateLimit headers (limits/plugins.ts graphqlResponseHeaders). */
  facts: RequestFacts;
}

/**
 * A compiled answer: the response body (the database's JSON bytes), or a result for the refusals the
 * limits produce (answered by the HTTP layer through Yoga's result processing, as on the schema path).
 */
export type CompiledAnswer = string | ExecutionResult;

export interface CompiledDocuments {
  /** Compiles a document; throws when it does not validate against the schema or does not compile. */
  add(text: string): void;
  /** The answer when the document is compiled; undefined to let the schema answer. */
  answer(params: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null }, viewer: Viewer, request?: RequestLimits): Promise<CompiledAnswer | undefined>;
}

const privileged = (v: Viewer) => v.kind === 'STAFF' || v.kind === 'PARTNER';

/** The cost graphql-armor's rule gives the document (its default weights, as the server's costLimitPlugin uses). */
function costOf(schema: GraphQLSchema, document: DocumentNode): number {
  let cost = 1;
  validate(schema, document, [costLimitRule({ maxCost: Number.MAX_SAFE_INTEGER, onAccept: [(_ctx, d) => (cost = d.n)] })]);
  return cost;
}

/** Raw query texts remembered (compiled or not): clients send a handful of distinct texts. */
const MAX_TEXTS = 1000;
const MAX_TEXT_LENGTH = 20_000;

function compile(schema: GraphQLSchema, document: DocumentNode, trusted: TrustedDocuments | null): Entry | string {
  const found = singleRoot(schema, document, 'query');
  if (typeof found === 'string') return found;
  const { op, field, fragments } = found;
  const root = ROOTS[field.name.value];
  const run = root?.(op, field, fragments, schema);
  if (!run) return `${field.name.value}: this selection is not compiled`;
  const key = field.alias?.value ?? field.name.value;
  return { operationName: op.name?.value ?? null, head: `{"data":{"${key}":`, key, run, cost: costOf(schema, document), trusted: trusted === null || trusted.has(document) };
}

export interface CompiledOptions extends Omit<RunContext, 'viewer' | 'accessCheck'> {
  schema: GraphQLSchema;
  documents?: string[];
  /** In production, the documents anonymous and customer callers may send; null or absent: any. */
  trusted?: TrustedDocuments | null;
}

export function createCompiledDocuments(o: CompiledOptions): CompiledDocuments {
  const byKey = new Map<string, Entry>();
  const byText = new Map<string, Entry | null>();

  const lookup = (text: string): Entry | null => {
    const known = byText.get(text);
    if (known !== undefined) return known;
    let entry: Entry | null = null;
    if (text.length <= MAX_TEXT_LENGTH) {
      try {
        entry = byKey.get(print(parse(text))) ?? null;
      } catch {
        entry = null; // the schema path reports the syntax error
      }
    }
    if (byText.size < MAX_TEXTS) byText.set(text, entry);
    return entry;
  };

  const registry: CompiledDocuments = {
    add(text) {
      const document = parse(text);
      const entry = compile(o.schema, document, o.trusted ?? null);
      if (typeof entry === 'string') throw new Error(`Compiled document does not compile: ${entry}\n${text}`);
      byKey.set(print(document), entry);
      byText.clear();
    },
    async answer(params, viewer, request) {
      const entry = lookup(params.query);
      if (!entry || (params.operationName != null && params.operationName !== entry.operationName)) return undefined;
      // Untrusted documents from anonymous and customer callers are refused by the production posture: the schema answers.
      if (!entry.trusted && !privileged(viewer)) return undefined;
      // The password-change gate refuses everything but a few mutations for such staff: the schema answers.
      if (viewer.kind === 'STAFF' && viewer.staff.mustChangePassword) return undefined;
      // NUL characters in variables are refused by the input guards (input-guards.ts): the schema answers.
      if (holdsNul(params.variables)) return undefined;
      const limits = request?.limits ?? null;
      const address = request?.address ?? 'unknown';
      const accessCheck = async (code: string) => limits?.accessCheck(viewer, address, code);
      const work = entry.run({ db: o.db, services: o.services, viewer, accessCheck }, params.variables ?? {});
      if (!work) return undefined;
      // From here on the compiled path answers, so it counts what the schema path would have counted:
      // first a partner's cost (useAbuseLimits, before execution), then the resolver's own checks.
      if (limits && viewer.kind === 'PARTNER') {
        try {
          request!.facts.closeloopBudget = await limits.partnerCost(viewer.apiKey.id, entry.cost);
        } catch (e) {
          if (!(e instanceof RateLimitedError)) throw e;
          if (e.budget) request!.facts.closeloopBudget = e.budget;
          return rateLimitedResult(e);
        }
      }
      try {
        return `${entry.head}${await work()}}}`;
      } catch (e) {
        // Thrown by the root field's resolver on the schema path: the field is null with its error.
        if (e instanceof RateLimitedError) return fieldErrorResult(params, entry.key, e);
        if (e instanceof AnswerBySchema) return undefined;
        // The schema path runs the request again and reports whatever went wrong the usual way (an
        // access check already counted is then counted twice: only when the database fails).
        log.warn({ err: e }, 'compiled document failed; answered through the schema');
        return undefined;
      }
    },
  };
  for (const text of o.documents ?? []) registry.add(text);
  return registry;
}
