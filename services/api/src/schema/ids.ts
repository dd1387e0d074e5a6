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

/** Connection page sizes: say so rather than silently clamping; cursors: only the shapes a connection issues. */
export function checkPage(args: { first?: number | null; last?: number | null; after?: string | null; before?: string | null }): void {
  for (const k of ['first', 'last'] as const) {
    const v = args[k];
    if (v != null && (v < 0 || v > MAX_PAGE)) {
      throw new GraphQLError(`${k} must be between 0 and ${MAX_PAGE}`, { extensions: { code: 'BAD_USER_INPUT', argument: k } });
    }
  }
  for (const k of ['after', 'before'] as const) {
    const c = args[k];
    if (c && !soundCursor(c)) throw new GraphQLError(`${k} is not a cursor of this list`, { extensions: { code: 'BAD_USER_INPUT', argument: k } });
  }
}

// Every connection here is ordered by an instant and then the id (a UUID): the drizzle plugin's cursor
// is `DC:T:["D:<ms>" or "S:<timestamptz text>", "S:<uuid>"]`, or just its first part (a prefix). The
// plugin hands whatever a cursor holds to the database, so a crafted one (an id that is no UUID, a date
// out of range, a number for an instant) ended in a failed query: an internal error instead of a typed one.
const INSTANT_TEXT = /^(-?infinity|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?)$/;
const MAX_DATE_MS = 8.64e15;
function soundCursor(cursor: string): boolean {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  // Other texts are refused by the plugin itself, with its own validation error.
  if (!text.startsWith('DC:')) return true;
  let parts: unknown[];
  if (text.startsWith('DC:T:')) {
    try {
      parts = JSON.parse(text.slice(5));
    } catch {
      return true; // the plugin refuses it
    }
    if (!Array.isArray(parts) || parts.length < 1 || parts.length > 2) return false;
  } else parts = [text.slice(3)];
  const instant = (p: unknown) => typeof p === 'string' && ((p.startsWith('D:') && /^-?\d{1,16}$/.test(p.slice(2)) && Math.abs(Number(p.slice(2))) <= MAX_DATE_MS) || (p.startsWith('S:') && INSTANT_TEXT.test(p.slice(2))));
  return instant(parts[0]) && (parts.length === 1 || (typeof parts[1] === 'string' && parts[1].startsWith('S:') && UUID.test(parts[1].slice(2))));
}
