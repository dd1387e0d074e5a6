// Argument values of a compiled root field, coerced as graphql-js would for the few scalar types the
// roots take. Whatever graphql-js would refuse (a number for a String, a missing non-null variable)
// yields undefined: the request then runs through the schema, which answers with the error.
import { Kind, type FieldNode, type OperationDefinitionNode, type TypeNode } from 'graphql';

export interface ArgValue {
  absent: boolean;
  /** The value (null when absent or null), or undefined when graphql-js would refuse it. */
  value(variables: Record<string, unknown>): unknown;
}

const INT_MAX = 2 ** 31 - 1;

type Scalar = 'String' | 'Int' | 'ID';

/** Values taken as they are: an ID given as a number (which graphql-js turns into text) is left to the schema. */
function accepts(scalar: Scalar, v: unknown): boolean {
  return scalar === 'Int' ? Number.isInteger(v) && Math.abs(v as number) <= INT_MAX : typeof v === 'string';
}

const named = (t: TypeNode): { name: string; nonNull: boolean } | null =>
  t.kind === Kind.NON_NULL_TYPE ? (t.type.kind === Kind.NAMED_TYPE ? { name: t.type.name.value, nonNull: true } : null) : t.kind === Kind.NAMED_TYPE ? { name: t.name.value, nonNull: false } : null;

/** The argument `name` of a String, Int or ID type; null when its form is not one compiled documents take. */
export function argument(op: OperationDefinitionNode, field: FieldNode, name: string, scalar: Scalar): ArgValue | null {
  const node = field.arguments?.find((a) => a.name.value === name);
  if (!node) return { absent: true, value: () => null };
  const v = node.value;
  if (v.kind === Kind.NULL) return { absent: false, value: () => null };
  if (v.kind === Kind.STRING && scalar !== 'Int') return { absent: false, value: () => v.value };
  if (v.kind === Kind.INT && scalar === 'Int') {
    const n = Number(v.value);
    return accepts('Int', n) ? { absent: false, value: () => n } : null;
  }
  if (v.kind !== Kind.VARIABLE) return null;
  const def = op.variableDefinitions?.find((d) => d.variable.name.value === v.name.value);
  const type = def && named(def.type);
  // Defaults and other types are left to the schema.
  if (!def || !type || def.defaultValue || type.name !== scalar) return null;
  return {
    absent: false,
    value: (variables) => {
      const given = variables[v.name.value];
      if (given === undefined || given === null) return type.nonNull ? undefined : null;
      return accepts(scalar, given) ? given : undefined;
    },
  };
}
