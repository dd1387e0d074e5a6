import { GraphQLError } from 'graphql';
import type { Database } from '@closeloop/db';
import { AuthenticationFailure, type Identity, type Viewer } from '../auth/identity.ts';
import { signIn } from '../services/sign-in.ts';

/** The caller a request's `Authorization` and `x-closeloop-channel` values stand for. */
export type ViewerOf = (authorization: string | null | undefined, channelKey: string | null | undefined) => Promise<Viewer>;

/** The token of an `Authorization` value, with or without its `Bearer` scheme. */
export function bearerOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^Bearer\s+(.+)$/i.exec(value.trim());
  return m ? m[1]!.trim() : value.trim();
}

export function authError(e: AuthenticationFailure): GraphQLError {
  return new GraphQLError(e.message, { extensions: { code: e.code, http: { status: 401 } } });
}

/** Verify, then sign in; a refused credential becomes a 401 GraphQL error. */
export function createViewerOf(db: Database, identity: Identity): ViewerOf {
  return async (authorization, channelKey) => {
    try {
      // Verification reads only; sign-in then writes what the credential says (services/sign-in.ts).
      return await signIn(db, await identity.verify(bearerOf(authorization), channelKey?.trim() || null));
    } catch (e) {
      if (e instanceof AuthenticationFailure) throw authError(e);
      throw e;
    }
  };
}
