import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './introspection.d.ts';

/** Typed documents from the committed schema.graphql (see scripts/introspect.ts). */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; ID: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
