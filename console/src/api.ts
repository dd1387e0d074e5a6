// The console's link to the API: the staff session, GraphQL over HTTP, and live events through the
// SDK's resumable WebSocket transport (reconnects resume from the last sequence, nothing lost or doubled).
import { resumable, retryPolicy, wsTransport, type StreamResult } from '@closeloop/sdk';

const TOKEN_KEY = 'closeloop.console.session';
const ENDPOINT = '/graphql';

export interface Me {
  id: string;
  name: string;
  email: string;
  role: 'AGENT' | 'SENIOR' | 'EXPERT' | 'SUPERVISOR' | 'ADMIN' | 'AUDITOR';
  level: string;
  department: { id: string; code: string; name: string } | null;
}

export interface Session {
  token: string;
  expiresAt: string;
}

/** A GraphQL error (not a typed result): the network, an expired session, a refused query. */
export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

type Listener = () => void;
const expiredListeners = new Set<Listener>();
let expiryTimer: ReturnType<typeof setTimeout> | undefined;

/** Session in sessionStorage: closing the tab signs out; another tab signs in on its own. */
export function session(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? 'null') as Session | null;
    if (s && Date.parse(s.expiresAt) > Date.now()) return s;
  } catch {
    /* unreadable: no session */
  }
  return null;
}

export function setSession(s: Session | null): void {
  clearTimeout(expiryTimer);
  if (s) {
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify(s));
    const ms = Date.parse(s.expiresAt) - Date.now();
    if (ms < 2 ** 31 - 1) expiryTimer = setTimeout(expire, Math.max(0, ms));
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
  closeLive();
}

/** Called when the session expired or was revoked: the app shows the sign-in again. */
export function onSessionExpired(l: Listener): () => void {
  expiredListeners.add(l);
  return () => expiredListeners.delete(l);
}

function expire() {
  setSession(null);
  for (const l of expiredListeners) l();
}

// SESSION_REVOKED: signed out everywhere by an admin (revokeStaffSessions), deactivated, or password reset.
const SESSION_CODES = new Set(['UNAUTHENTICATED', 'TOKEN_EXPIRED', 'SESSION_REVOKED']);

/** Runs one query or mutation as the signed-in staff member; `data` on success. */
export async function gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const s = session();
  let res: Response;
  try {
    res = await fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(s ? { authorization: `Bearer ${s.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The server cannot be reached', 'NETWORK_ERROR');
  }
  const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  const err = body.errors?.[0];
  if (err) {
    const code = err.extensions?.code ?? 'GRAPHQL_ERROR';
    if (s && SESSION_CODES.has(code)) expire();
    throw new ApiError(err.message, code);
  }
  return body.data as T;
}

/** A typed mutation result: the payload, or the typed error's message. */
export interface TypedError {
  __typename: string;
  code?: string;
  message?: string;
  fieldErrors?: Array<{ path: string[]; message: string }>;
}
export function failure(result: TypedError): string | null {
  if (!result || !result.code) return null;
  return result.fieldErrors?.[0]?.message ?? result.message ?? result.code;
}

/** The selection every mutation result is read with: its type, and a typed error's code and messages. */
export const RESULT = `__typename ... on Error { code message } ... on ValidationError { fieldErrors { path message } }`;

/**
 * Runs a mutation with `{ input }`: its payload, or the message of its typed error or of the request's
 * failure (network, session). The one place the console reads a mutation's outcome.
 */
export async function mutate(query: string, input: Record<string, unknown>): Promise<{ payload: any; error: null } | { payload: null; error: string }> {
  try {
    const payload = Object.values(await gql<Record<string, any>>(query, { input }))[0];
    const error = failure(payload);
    return error ? { payload: null, error } : { payload, error: null };
  } catch (e) {
    return { payload: null, error: (e as Error).message };
  }
}

let transport: ReturnType<typeof wsTransport> | null = null;

function live() {
  transport ??= wsTransport({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${ENDPOINT}`,
    connectionParams: async () => ({ authorization: `Bearer ${session()?.token ?? ''}` }),
  });
  return transport;
}

function closeLive() {
  (transport?.client as { dispose?: () => void } | undefined)?.dispose?.();
  transport = null;
}

/**
 * Subscribes as the signed-in staff member; `cursorField` names the root field's resume point
 * (`sequence` for ticketEvents). Returns the unsubscribe function.
 */
export function subscribe(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: any) => void,
  onStatus?: (status: string) => void,
): () => void {
  return resumable(
    live(),
    { query, variables },
    {
      next: (r: StreamResult) => r.data && onData(r.data),
      error: () => onStatus?.('closed'),
      complete: () => {},
    },
    {
      policy: retryPolicy({ retries: Infinity, maxDelayMs: 10_000 }),
      cursorOf: (r) => {
        const root = r.data && (Object.values(r.data)[0] as { sequence?: string } | undefined);
        return root?.sequence;
      },
      onStatus,
    },
  );
}
