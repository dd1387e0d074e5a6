// Errors a compiled document reports as execution would: a root field's resolver that throws leaves
// the field null and adds the error with the field's location in the request's own text and its path,
// masked by the same function Yoga's maskedErrors option uses.
import { Kind, getOperationAST, locatedError, parse, type ExecutionResult, type FieldNode, type GraphQLError } from 'graphql';
import { maskError } from '../unavailable.ts';

export function fieldErrorResult(params: { query: string; operationName?: string | null }, key: string, error: GraphQLError): ExecutionResult {
  // Parsed again only on this rare path: the compiled entry may have been matched from another spacing of the text.
  const op = getOperationAST(parse(params.query), params.operationName);
  const field = op?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && (s.alias?.value ?? s.name.value) === key);
  const located = locatedError(error, field ? [field] : undefined, [key]);
  return { errors: [maskError(located, 'Unexpected error.', false) as GraphQLError], data: { [key]: null } };
}
