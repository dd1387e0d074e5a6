import type { RetryPolicy } from './retry.ts';

export interface StreamRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  extensions?: Record<string, unknown>;
}

export interface StreamResult {
  data?: any;
  errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface Sink<T> {
  next(value: T): void;
  error(error: unknown): void;
  complete(): void;
}

/** How a stream is doing; the components show `reconnecting` to the customer. */
export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

/**
 * Opens one subscription. `onOpen` is called when the connection carrying it is up (again), `onDrop`
 * when that connection is lost while the transport itself reconnects.
 */
export interface Transport {
  readonly name: string;
  subscribe(request: StreamRequest, sink: Sink<StreamResult>, onOpen: () => void, onDrop?: () => void): () => void;
}

/** A transport failure with an HTTP status or WebSocket close code, when there is one. */
export class TransportError extends Error {
  constructor(message: string, readonly status?: number, readonly code?: string) {
    super(message);
  }
}

/** Normalises what graphql-ws, fetch and the SSE reader throw. */
export function describeError(e: unknown): { status?: number; code?: string } {
  if (e instanceof TransportError) return { status: e.status, code: e.code };
  const close = e as { code?: unknown; reason?: unknown };
  if (close && typeof close.code === 'number') {
    const reason = typeof close.reason === 'string' ? close.reason : '';
    return { status: close.code, code: /^[A-Z_]+(?=:)/.exec(reason)?.[0] };
  }
  return {};
}

/** Expired credentials: refresh the token and try again. */
export const isExpired = (e: { status?: number; code?: string }) => e.code === 'TOKEN_EXPIRED';

/** Stream-ending results that a reconnect with the last cursor recovers from. */
const RESUMABLE = new Set(['SERVICE_RESTART', 'SLOW_CONSUMER', 'SERVICE_UNAVAILABLE']);

/**
 * Errors not worth retrying: the server refused the request itself (HTTP 4xx, WebSocket 44xx),
 * except an expired token, which a refresh fixes.
 */
export function isFatal(e: unknown): boolean {
  const d = describeError(e);
  if (isExpired(d)) return false;
  const s = d.status;
  return s !== undefined && ((s >= 400 && s < 500 && s !== 408 && s !== 429) || (s >= 4400 && s < 4500));
}

/** The resume point of a result: the `cursor` of the first root field (e.g. feedbackProgress.cursor). */
export function rootCursor(result: StreamResult): string | undefined {
  const root = result.data && Object.values(result.data)[0];
  const c = root && (root as { cursor?: unknown }).cursor;
  return typeof c === 'string' ? c : undefined;
}

/** Cursors are positions; compare numerically when they are numbers. */
function isAfter(cursor: string, last: string | undefined): boolean {
  if (last === undefined) return true;
  const a = Number(cursor);
  const b = Number(last);
  return Number.isFinite(a) && Number.isFinite(b) ? a > b : cursor !== last;
}

export interface ResumableOptions {
  policy: RetryPolicy;
  /** Variable carrying the resume cursor; defaults to `after`. */
  cursorVariable?: string;
  cursorOf?: (result: StreamResult) => string | undefined;
  onStatus?: (status: StreamStatus) => void;
  /** Called before retrying after the server said the token expired. */
  onExpired?: () => void;
}

/**
 * Keeps one subscription alive across any number of reconnects. Each new attempt asks for the events
 * after the last cursor received, so nothing is missed; events at or before that cursor (a replay
 * overlapping what was delivered) are dropped, so nothing is shown twice.
 */
export function resumable(transport: Transport, request: StreamRequest, sink: Sink<StreamResult>, options: ResumableOptions): () => void {
  const variable = options.cursorVariable ?? 'after';
  const cursorOf = options.cursorOf ?? rootCursor;
  const status = options.onStatus ?? (() => {});
  let last = request.variables?.[variable] as string | undefined;
  let attempt = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let close: (() => void) | undefined;

  const stop = (then: () => void) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    close?.();
    status('closed');
    then();
  };

  const retry = (expired: boolean) => {
    close?.();
    close = undefined;
    if (expired) options.onExpired?.();
    attempt++;
    if (attempt > options.policy.retries && !expired) return stop(() => sink.error(new TransportError('The progress stream could not reconnect')));
    status('reconnecting');
    timer = setTimeout(open, expired ? 0 : options.policy.delay(attempt));
  };

  function open() {
    if (stopped) return;
    // The transport gets this object and keeps it: graphql-ws re-sends it as is when it reconnects on
    // its own (a 1000 close), so the cursor is kept current in place.
    const variables: Record<string, unknown> = { ...request.variables };
    if (last !== undefined) variables[variable] = last;
    let ended = false;
    close = transport.subscribe(
      { ...request, variables },
      {
        next(result) {
          if (ended || stopped) return;
          if (result.errors?.length) {
            const expired = result.errors.some((e) => e.extensions?.code === 'TOKEN_EXPIRED');
            if (expired && attempt <= 1) {
              ended = true;
              return retry(true);
            }
            // The server restarting, a drop for reading too slowly, a lost database connection: resume.
            if (result.errors.every((e) => RESUMABLE.has(String(e.extensions?.code)))) {
              ended = true;
              return retry(false);
            }
            // A GraphQL error (unknown code, wrong key) will not heal by retrying.
            sink.next(result);
            return stop(() => sink.complete());
          }
          const cursor = cursorOf(result);
          if (cursor !== undefined) {
            if (!isAfter(cursor, last)) return;
            last = variables[variable] = cursor;
          }
          attempt = 0;
          sink.next(result);
        },
        error(e) {
          if (ended || stopped) return;
          ended = true;
          if (isFatal(e)) return stop(() => sink.error(e));
          retry(isExpired(describeError(e)));
        },
        complete() {
          if (ended || stopped) return;
          ended = true;
          stop(() => sink.complete());
        },
      },
      () => {
        if (!ended && !stopped) status('live');
      },
      () => {
        if (!ended && !stopped) status('reconnecting');
      },
    );
  }

  status('connecting');
  open();
  // Coming back online is the best moment to reconnect; do not wait for the backoff timer.
  const online = () => {
    if (timer !== undefined && !stopped && !close) {
      clearTimeout(timer);
      open();
    }
  };
  globalThis.addEventListener?.('online', online);
  return () => {
    globalThis.removeEventListener?.('online', online);
    stop(() => {});
  };
}

export interface FailoverOptions {
  /** Give up on the primary when it has not opened within this many ms; defaults to 5000. */
  openTimeoutMs?: number;
}

/**
 * Tries the primary transport (WebSocket) and falls back to the secondary (SSE) for good once the
 * primary fails before ever opening: a proxy or firewall that blocks WebSockets will keep doing so.
 */
export function failover(primary: Transport | null, secondary: Transport, options: FailoverOptions = {}): Transport & { readonly active: string } {
  const timeout = options.openTimeoutMs ?? 5000;
  let broken = !primary;
  let everOpened = false;
  return {
    get name() {
      return 'failover';
    },
    get active() {
      return broken ? secondary.name : primary!.name;
    },
    subscribe(request, sink, onOpen, onDrop) {
      if (broken) return secondary.subscribe(request, sink, onOpen, onDrop);
      let opened = false;
      let close: () => void;
      const giveUp = (e: unknown) => {
        clearTimeout(timer);
        // An auth refusal is not a blocked socket: report it instead of switching.
        if (opened || everOpened || isFatal(e)) return sink.error(e);
        broken = true;
        close();
        close = secondary.subscribe(request, sink, onOpen, onDrop);
      };
      const timer = setTimeout(() => giveUp(new TransportError('WebSocket did not open in time')), timeout);
      close = primary!.subscribe(
        request,
        { next: (v) => sink.next(v), complete: () => sink.complete(), error: giveUp },
        () => {
          opened = everOpened = true;
          clearTimeout(timer);
          onOpen();
        },
        onDrop,
      );
      return () => {
        clearTimeout(timer);
        close();
      };
    },
  };
}
