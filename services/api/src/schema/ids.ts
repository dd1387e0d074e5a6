import { decodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { ValidationError } from '../policy/errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function tryDecode(id: string, typename: string): string | null {
  try {
    const decoded = decodeGlobalID(id);
    return decoded.typename === typename && UUID.test(decoded.id) ? decoded.id : null;
  } catch {
    return null;
  }
}

/** Decodes a global ID of the expected type in a mutation input, or fails with a typed ValidationError. */
export function inputId(id: string, typename: string, path: string[]): string {
  const raw = tryDecode(id, typename);
  if (!raw) throw new ValidationError([{ path, code: 'MALFORMED_ID', message: `${path.at(-1)} is not a ${typename} ID` }]);
  return raw;
}

/** The same for query arguments, where there is no result union: a GraphQL error with code BAD_USER_INPUT. */
export function argId(id: string, typename: string, argName: string): string {
  const raw = tryDecode(id, typename);
  if (!raw) throw new GraphQLError(`${argName} is not a ${typename} ID`, { extensions: { code: 'BAD_USER_INPUT', argument: argName } });
  return raw;
}

export const MAX_PAGE = 100;

/** Connection page sizes: say so rather than silently clamping. */
export function checkPage(args: { first?: number | null; last?: number | null }): void {
  for (const k of ['first', 'last'] as const) {
    const v = args[k];
    if (v != null && (v < 0 || v > MAX_PAGE)) {
      throw new GraphQLError(`${k} must be between 0 and ${MAX_PAGE}`, { extensions: { code: 'BAD_USER_INPUT', argument: k } });
    }
  }
}
