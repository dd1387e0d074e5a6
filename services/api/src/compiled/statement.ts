// What the compiled roots share: running a fixed statement text, the request's values a few fields
// compute in JavaScript on the schema path (time, windows, signed links), and the keyset cursors.
import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { Kind, validate, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Database } from '@closeloop/db';
import type { Viewer } from '../auth/identity.ts';
import type { Services } from '../services/index.ts';
import { departmentScope, mayEverSeeInternal, ticketScopeWhere } from '../policy/access.ts';
import type { Variant } from './select.ts';

export interface RunContext {
  db: Database;
  viewer: Viewer;
  services: Services;
  /**
   * The resolver's tracking-code / access-key limit (limits/abuse.ts accessCheck) for this request's
   * address; throws RateLimitedError. Called where the resolver calls it: before anything is read.
   */
  accessCheck(code: string): Promise<void>;
}

/**
 * A compiled root field for one request: undefined to let the schema answer (decided from the caller
 * and the variables alone, before anything is counted or read), else the work producing its JSON text.
 * The split lets the registry charge a partner's cost only for requests the compiled path answers.
 */
export type RootRun = (ctx: RunContext, variables: Record<string, unknown>) => (() => Promise<string>) | undefined;

export type Root = (op: OperationDefinitionNode, field: FieldNode, fragments: Record<string, FragmentDefinitionNode>, schema: GraphQLSchema) => RootRun | null;


/**
 * Thrown by a root's work when what it read is for the schema to answer (an object the caller may not
 * read, whose error the schema reports): the request runs through the schema, with nothing counted.
 */
export class AnswerBySchema extends Error {}

/** A text with `$n` placeholders (split once with `splitPlaceholders`) as a drizzle SQL chunk with those parameters bound. */
const bind = (parts: string[], params: unknown[]): SQL => sql.join(parts.map((p, i) => (i % 2 === 0 ? sql.raw(p) : sql`${params[Number(p) - 1]}`)));
const splitPlaceholders = (text: string) => text.split(/\$(\d+)/);

/** A text with `$n` placeholders as a drizzle SQL chunk with those parameters bound. */
export function sqlWith(text: string, params: unknown[]): SQL {
  return bind(splitPlaceholders(text), params);
}

/** Runs a fixed statement text with `$n` placeholders; the client prepares it and binds the parameters. */
export function statement(text: string) {
  const parts = splitPlaceholders(text);
  return async <T>(db: Database, params: unknown[]): Promise<T[]> => {
    const res = (await db.execute(bind(parts, params))) as unknown as T[] | { rows: T[] };
    return Array.isArray(res) ? res : res.rows;
  };
}
export type Statement = ReturnType<typeof statement>;

/** The request's time, the windows and the marker, at placeholders $n… (see requestParams). */
export const requestAt = (n: number) => ({ now: `$${n}`, reopen: `$${n + 1}`, review: `$${n + 2}`, marker: `$${n + 3}` });
/** Unguessable per process: text a customer writes cannot pass for a link to sign. */
const MARKER = `~${randomBytes(16).toString('hex')}:`;
const MARKED = new RegExp(`${MARKER}([0-9a-f-]{36}):([ait])`, 'g');
/** Parameter values for requestAt. */
export const requestParams = (services: Services) => [Date.now(), services.conversation.reopenWindowMs, services.conversation.reviewWindowMs, MARKER];
/** Replaces the statement's markers with signed download paths, as the Attachment type's url, inlineUrl and thumbnailUrl. */
export const signUrls = (json: string, services: Services) =>
  json.includes(MARKER)
    ? json.replace(MARKED, (_m, id: string, mode: string) => services.attachments.signedPath(id, mode === 't' ? 'thumbnail' : mode === 'i').path)
    : json;

/**
 * Timeline variants: PUBLIC only, all, scoped to the caller's tickets (its placeholders are $2 and $3),
 * the request's values from $4. Attachments are left to the schema for scoped staff: their rule reads the
 * ticket of each event, which a merge may have changed.
 */
export const VARIANTS: Variant[] = [
  { timeline: 'public', request: requestAt(4), attachments: true },
  { timeline: 'all', request: requestAt(4), attachments: true },
  { timeline: { dept: '$2::uuid', staff: '$3::uuid' }, request: requestAt(4) },
];
/** The variant for a caller, as feedback.ts timelineWhere decides it. */
export const variantOf = (v: Viewer) => (!mayEverSeeInternal(v) ? 0 : ticketScopeWhere(v) === null ? 1 : 2);
/** The parameters of the scoped variant. */
export const scopeParams = (v: Viewer) => (v.kind === 'STAFF' ? [departmentScope(v), v.staff.id] : [null, null]);

/** One statement per variant (null where it does not compile: those callers are left to the schema), or null when none compiles. */
export function perVariant(build: (variant: Variant) => string | null, variants = VARIANTS) {
  const texts = variants.map(build);
  return texts.some((t) => t !== null) ? texts.map((t) => (t === null ? null : statement(t))) : null;
}

const UUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const RECEIVED = new RegExp(`^DC:T:\\["D:(\\d{1,15})","S:${UUID}"\\]$`);
// PostgreSQL's text for a timestamptz in a UTC session (select.ts dueCursor), or infinity for no due time.
const DUE = new RegExp(`^DC:T:\\["S:(infinity|\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?\\+00)","S:${UUID}"\\]$`);

/** A keyset position: the received time (ms) or the due key (PostgreSQL text), and the id. */
export interface Position { ms: number | null; due: string | null; id: string }

/**
 * The position of a cursor the drizzle plugin issues for an order by (receivedAt, id) — the queue and the
 * feedback list — or by (due key, id) — the queue's DUE_SOONEST (select.ts) — or null for any other text.
 */
export function keysetPosition(cursor: string, by: 'received' | 'due' = 'received'): Position | null {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  // Canonical only: a text another base64 decoder might read differently is left to the schema.
  if (Buffer.from(text, 'utf8').toString('base64') !== cursor) return null;
  const m = (by === 'due' ? DUE : RECEIVED).exec(text);
  if (!m) return null;
  return by === 'due' ? { ms: null, due: m[1]!, id: m[2]! } : { ms: Number(m[1]), due: null, id: m[2]! };
}

/** A compiled document's one operation (of the kind asked for) with its one root field and its fragments, or why not. */
export function singleRoot(schema: GraphQLSchema, document: DocumentNode, kind: 'query' | 'subscription'):
  { op: OperationDefinitionNode; field: FieldNode; fragments: Record<string, FragmentDefinitionNode> } | string {
  const errors = validate(schema, document);
  if (errors.length) return errors.map((e) => e.message).join('; ');
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const op = ops[0];
  if (ops.length !== 1 || op!.operation !== kind || op!.directives?.length) return `one ${kind} operation only`;
  const [field, ...rest] = op!.selectionSet.selections;
  if (rest.length || field?.kind !== Kind.FIELD || field.directives?.length) return 'one root field only';
  return { op: op!, field, fragments };
}
