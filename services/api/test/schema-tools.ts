// Documents generated from the schema itself: every path from a root field down to every reachable
// type (acyclic, bounded depth), so a new type or field is walked without anyone listing it.
import {
  getNamedType, isAbstractType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, isObjectType, isScalarType,
  type GraphQLArgument, type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema,
} from 'graphql';

export interface ArgValues {
  /** A GraphQL literal for this argument, or undefined to leave it out (required ones must answer). */
  (arg: GraphQLArgument, field: GraphQLField<unknown, unknown>, parent: string): string | undefined;
}

export interface TreeOptions {
  schema: GraphQLSchema;
  /** Object-type hops below the root field. */
  maxDepth: number;
  /** 'ids': only __typename and id (the matrix); 'all': every leaf field (the walk). */
  leaves: 'ids' | 'all';
  args: ArgValues;
}

/** One node of a selection tree: `text` is the field with its arguments, `children` its sub-selections. */
export interface Sel { text: string; children: Sel[] }

function argsText(field: GraphQLField<unknown, unknown>, parent: string, args: ArgValues): string | null {
  const parts: string[] = [];
  for (const a of field.args) {
    const v = args(a, field, parent);
    if (v === undefined) {
      if (isNonNullType(a.type) && a.defaultValue === undefined) return null;
      continue;
    }
    parts.push(`${a.name}: ${v}`);
  }
  return parts.length ? `(${parts.join(', ')})` : '';
}

/** The selections of `type`, expanding object fields while `depth` allows and the type is not already on the path. */
export function selectionsOf(type: GraphQLNamedType, o: TreeOptions, depth: number, path: string[]): Sel[] {
  if (isAbstractType(type)) {
    return [
      { text: '__typename', children: [] },
      ...o.schema.getPossibleTypes(type).map((t) => ({ text: `... on ${t.name}`, children: selectionsOf(t, o, depth, path) })),
    ];
  }
  if (!isObjectType(type)) return [];
  const out: Sel[] = [{ text: '__typename', children: [] }];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    const a = argsText(field, type.name, o.args);
    if (a === null) continue;
    if (isLeafType(named)) {
      if (o.leaves === 'all' || field.name === 'id') out.push({ text: `${field.name}${a}`, children: [] });
      continue;
    }
    if (depth >= o.maxDepth || path.includes(named.name)) continue;
    const children = selectionsOf(named, o, depth + 1, [...path, named.name]);
    if (children.length) out.push({ text: `${field.name}${a}`, children });
  }
  return out;
}

export function print(sels: Sel[]): string {
  return sels.map((s) => (s.children.length ? `${s.text} { ${print(s.children)} }` : s.text)).join(' ');
}

/** Objects found in a response: every value with __typename and id. */
export function objectsIn(value: unknown, out: Array<{ type: string; id: string }> = []): Array<{ type: string; id: string }> {
  if (Array.isArray(value)) for (const v of value) objectsIn(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.__typename === 'string' && typeof o.id === 'string') out.push({ type: o.__typename, id: o.id });
    for (const v of Object.values(o)) objectsIn(v, out);
  }
  return out;
}

/**
 * Splits a selection into smaller documents when the server refuses it for its size (depth, cost,
 * tokens): `run` returns true when the document was refused as too large.
 */
export async function runSplitting(
  wrap: (inner: string) => string,
  sels: Sel[],
  run: (document: string) => Promise<'ok' | 'too-large'>,
): Promise<void> {
  if ((await run(wrap(print(sels)))) === 'ok') return;
  if (sels.length > 2) {
    const half = Math.ceil(sels.length / 2);
    // __typename stays in both halves so each is a valid selection.
    await runSplitting(wrap, sels.slice(0, half), run);
    await runSplitting(wrap, [sels[0]!, ...sels.slice(half)], run);
    return;
  }
  const big = sels.find((s) => s.children.length);
  if (!big) throw new Error(`a single field was refused as too large: ${wrap(print(sels))}`);
  await runSplitting((inner) => wrap(`__typename ${big.text} { ${inner} }`), big.children, run);
}

/** A literal of an input type, filled from `leaf` for scalars; required fields only. */
export function inputLiteral(type: GraphQLInputType, name: string, leaf: (name: string, type: GraphQLNamedType) => string): string {
  if (isNonNullType(type)) return inputLiteral(type.ofType, name, leaf);
  if (isListType(type)) return `[${inputLiteral(type.ofType, name, leaf)}]`;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${fields.map((f) => `${f.name}: ${inputLiteral(f.type, f.name, leaf)}`).join(', ')} }`;
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isScalarType(type)) return leaf(name, type);
  throw new Error(`unexpected input type ${String(type)}`);
}

export type { GraphQLObjectType };
