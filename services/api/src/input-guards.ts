// Request-level input checks that no resolver should have to repeat: NUL characters (PostgreSQL
// text cannot hold them; they would end in a database error) and a stable code on variable errors.
import { GraphQLError, Kind, visit, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The path of the first string holding a NUL character inside a variable value, or null. */
function nulPath(value: unknown, path: Array<string | number>): Array<string | number> | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = nulPath(v, [...path, i]);
      if (p) return p;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = nulPath(v, [...path, k]);
      if (p) return p;
    }
  }
  return null;
}

/** Whether any string inside a value holds a NUL character; allocates nothing (the common answer is no). */
export function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsNul(value[i])) return true;
  } else if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) if (holdsNul((value as Record<string, unknown>)[k])) return true;
  }
  return false;
}

// Whether a document's string literals hold a NUL character, per document: the parser cache hands the
// same DocumentNode back for the same text, so the walk over the document runs once, not per request.
const literalNul = new WeakMap<DocumentNode, boolean>();

function nulErrors(document: DocumentNode, variables: Record<string, unknown> | null | undefined): GraphQLError[] {
  let inDocument = literalNul.get(document);
  if (inDocument === undefined) {
    let found = false;
    visit(document, { [Kind.STRING]: (node) => void (found ||= node.value.includes('\u0000')) });
    literalNul.set(document, (inDocument = found));
  }
  if (!inDocument && !holdsNul(variables)) return [];
  const errors: GraphQLError[] = [];
  visit(document, {
    [Kind.STRING]: (node) => {
      if (node.value.includes('\u0000')) {
        errors.push(new GraphQLError('A string argument contains a NUL character (U+0000)', { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } }));
      }
    },
  });
  for (const [name, value] of Object.entries(variables ?? {})) {
    const path = nulPath(value, [name]);
    if (path) {
      errors.push(new GraphQLError(`Variable "$${name}" contains a NUL character (U+0000) at "${path.join('.')}"`, {
        extensions: { code: 'BAD_USER_INPUT', variable: name, path },
      }));
    }
  }
  return errors;
}

/** Variable coercion errors (graphql-js gives them no code): BAD_USER_INPUT, as field errors have. */
function withCodes(result: ExecutionResult): ExecutionResult | null {
  if (!result.errors?.some((e) => !e.extensions?.code && !e.path && e.message.startsWith('Variable "$'))) return null;
  return {
    ...result,
    errors: result.errors.map((e) =>
      !e.extensions?.code && !e.path && e.message.startsWith('Variable "$')
        ? new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, code: 'BAD_USER_INPUT' } })
        : e),
  };
}

export function useInputGuards(): Plugin {
  const check = ({ args, setResultAndStopExecution }: { args: { document: DocumentNode; variableValues?: Record<string, unknown> | null }; setResultAndStopExecution: (r: ExecutionResult) => void }) => {
    const errors = nulErrors(args.document, args.variableValues);
    if (errors.length) setResultAndStopExecution({ errors });
  };
  return {
    onExecute(payload) {
      check(payload as never);
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result)) return;
          const fixed = withCodes(result as ExecutionResult);
          if (fixed) setResult(fixed as never);
        },
      };
    },
    onSubscribe(payload) {
      check(payload as never);
    },
  };
}
