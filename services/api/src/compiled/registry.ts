// Compiled documents: known operations (the widget's, the portal's, the console's) turned at start
// into prepared statements that build the whole `data` JSON in the database. A request whose document
// is one of them is answered with the database's bytes; any other request, and any request whose
// variables the schema would refuse, runs through the schema as before (http-graphql.ts).
import { log } from '../log.ts';
import { Kind, parse, print, validate, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Viewer } from '../auth/identity.ts';
import { ROOTS, type RootRun, type RunContext } from './roots.ts';

interface Entry {
  operationName: string | null;
  /** `{"data":{"<key>":` — the rest comes from the database. */
  head: string;
  run: RootRun;
}

export interface CompiledDocuments {
  /** Compiles a document; throws when it does not validate against the schema or does not compile. */
  add(text: string): void;
  /** The response body when the document is compiled; undefined to let the schema answer. */
  answer(params: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null }, viewer: Viewer): Promise<string | undefined>;
}

/** Raw query texts remembered (compiled or not): clients send a handful of distinct texts. */
const MAX_TEXTS = 1000;
const MAX_TEXT_LENGTH = 20_000;

function compile(schema: GraphQLSchema, document: DocumentNode): Entry | string {
  const errors = validate(schema, document);
  if (errors.length) return errors.map((e) => e.message).join('; ');
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const op = ops[0];
  if (ops.length !== 1 || op!.operation !== 'query' || op!.directives?.length) return 'one query operation only';
  const [field, ...rest] = op!.selectionSet.selections;
  if (rest.length || field?.kind !== Kind.FIELD || field.directives?.length) return 'one root field only';
  const root = ROOTS[field.name.value];
  const run = root?.(op!, field, fragments, schema);
  if (!run) return `${field.name.value}: this selection is not compiled`;
  return { operationName: op!.name?.value ?? null, head: `{"data":{"${field.alias?.value ?? field.name.value}":`, run };
}

export function createCompiledDocuments(o: Omit<RunContext, 'viewer'> & { schema: GraphQLSchema; documents?: string[] }): CompiledDocuments {
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
      const entry = compile(o.schema, document);
      if (typeof entry === 'string') throw new Error(`Compiled document does not compile: ${entry}\n${text}`);
      byKey.set(print(document), entry);
      byText.clear();
    },
    async answer(params, viewer) {
      const entry = lookup(params.query);
      if (!entry || (params.operationName != null && params.operationName !== entry.operationName)) return undefined;
      // The password-change gate refuses everything but a few mutations for such staff: the schema answers.
      if (viewer.kind === 'STAFF' && viewer.staff.mustChangePassword) return undefined;
      // NUL characters in variables are refused by the input guards (input-guards.ts): the schema answers.
      if (params.variables && JSON.stringify(params.variables).includes('\\u0000')) return undefined;
      try {
        const json = await entry.run({ db: o.db, services: o.services, viewer }, params.variables ?? {});
        return json === undefined ? undefined : `${entry.head}${json}}}`;
      } catch (e) {
        // The schema path runs the request again and reports whatever went wrong the usual way.
        log.warn({ err: e }, 'compiled document failed; answered through the schema');
        return undefined;
      }
    },
  };
  for (const text of o.documents ?? []) registry.add(text);
  return registry;
}
