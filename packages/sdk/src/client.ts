import { Client, subscriptionExchange, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import { jsonFetchExchange } from './fetch.ts';
import { idempotencyKey, isTransient, retryPolicy, sleep, type RetryOptions, type RetryPolicy } from './retry.ts';
import { failover, resumable, type StreamStatus, type Transport } from './stream.ts';
import { sseTransport } from './sse.ts';
import { tokenSource, type GetToken } from './token.ts';
import { wsTransport } from './ws.ts';
import * as ops from './operations.ts';
import type { ResultOf, VariablesOf } from './graphql.ts';

export interface CloseloopOptions {
  /** The GraphQL endpoint, e.g. `https://feedback.example-bank.com/graphql`. */
  url: string;
  /** The channel's publishable key (`pk_…`): identifies an anonymous caller's channel. */
  channelKey?: string;
  /** Returns the customer token the host's backend signed; called again when it is about to expire. */
  getToken?: GetToken;
  fetch?: typeof fetch;
  /** A WebSocket class where there is no global one (Node 20: the `ws` package). Without one, SSE is used. */
  webSocketImpl?: unknown;
  /** `auto` (default): WebSocket, falling back to SSE when WebSockets fail; or force one. */
  transport?: 'auto' | 'ws' | 'sse';
  /** Retries of a submission after a network failure; defaults to 5. */
  submitRetry?: RetryOptions;
  /** Reconnects of a progress stream; defaults to unlimited with backoff up to 15 s. */
  streamRetry?: RetryOptions;
  wsOpenTimeoutMs?: number;
}

/** A failure that is not a typed result: the network, an expired session, a masked server error. */
export class CloseloopError extends Error {
  constructor(message: string, readonly code: string, readonly status?: number) {
    super(message);
  }
}

export type ProgressEvent = NonNullable<ResultOf<typeof ops.FeedbackProgress>['feedbackProgress']>;

export interface ProgressHandlers {
  next(event: ProgressEvent): void;
  error?(error: CloseloopError): void;
  complete?(): void;
  status?(status: StreamStatus): void;
}

interface StreamContext {
  status?: (s: StreamStatus) => void;
  complete?: () => void;
}

export function createCloseloop(options: CloseloopOptions) {
  const token = tokenSource({ getToken: options.getToken });
  const headers = async (): Promise<Record<string, string>> => {
    const h: Record<string, string> = {};
    if (options.channelKey) h['x-closeloop-channel'] = options.channelKey;
    const t = await token.get();
    if (t) h.authorization = `Bearer ${t}`;
    return h;
  };
  const mode = options.transport ?? 'auto';
  const WS = options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
  const ws =
    mode !== 'sse' && WS
      ? wsTransport({
          url: options.url.replace(/^http/, 'ws'),
          webSocketImpl: WS,
          connectionParams: async () => {
            const h = await headers();
            return { authorization: h.authorization, channelKey: options.channelKey };
          },
        })
      : null;
  const sse = sseTransport({ url: options.url, headers, fetch: options.fetch });
  const transport: Transport = mode === 'ws' && ws ? ws : failover(ws, sse, { openTimeoutMs: options.wsOpenTimeoutMs });
  const submitPolicy = retryPolicy(options.submitRetry);
  const streamPolicy = retryPolicy({ retries: Infinity, maxDelayMs: 15_000, ...options.streamRetry });

  const client = new Client({
    url: options.url,
    requestPolicy: 'network-only',
    exchanges: [
      jsonFetchExchange(options.fetch),
      subscriptionExchange({
        forwardSubscription: (request, operation) => ({
          subscribe(observer) {
            const ctx = (operation.context as { stream?: StreamContext }).stream ?? {};
            const stop = resumable(
              transport,
              request as never,
              {
                next: (v) => observer.next(v as never),
                error: (e) => observer.error(e),
                complete: () => {
                  ctx.complete?.();
                  observer.complete();
                },
              },
              { policy: streamPolicy, onStatus: ctx.status, onExpired: () => token.invalidate() },
            );
            return { unsubscribe: stop };
          },
        }),
      }),
    ],
  });

  /** Runs one operation; refreshes an expired token once; retries transient failures when given a policy. */
  async function run<D, V extends AnyVariables>(
    kind: 'query' | 'mutation',
    doc: TypedDocumentNode<D, V>,
    variables: V,
    retry?: RetryPolicy,
    onRetry?: (attempt: number) => void,
  ): Promise<D> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const res = await client[kind](doc, variables, { fetchOptions: { headers: await headers() } }).toPromise();
      const e = res.error;
      if (!e) return res.data as D;
      const code = e.graphQLErrors.map((g) => g.extensions?.code).find(Boolean) as string | undefined;
      const status = (e.response as Response | undefined)?.status;
      if (code === 'TOKEN_EXPIRED' && options.getToken && !refreshed) {
        refreshed = true;
        token.invalidate();
        attempt--;
        continue;
      }
      // Lost on the way (no answer) or a gateway in between failing: the request may or may not have run.
      const transient = e.networkError ? isTransient(status) : status !== undefined && status >= 500;
      if (transient && !code && retry && attempt < retry.retries) {
        onRetry?.(attempt + 1);
        await sleep(retry.delay(attempt + 1));
        continue;
      }
      throw new CloseloopError(e.graphQLErrors[0]?.message ?? e.message, code ?? (e.networkError ? 'NETWORK_ERROR' : 'GRAPHQL_ERROR'), status);
    }
  }

  return {
    client,
    /** The GraphQL endpoint; attachment and upload paths are relative to it. */
    url: options.url,
    /** True when a `getToken` callback was given (a signed-in customer). */
    signedIn: Boolean(options.getToken),
    /** The transport progress streams use now: `ws` or `sse`. */
    get transport(): string {
      return (transport as { active?: string }).active ?? transport.name;
    },

    /**
     * Submits feedback. A network failure is retried with the same idempotency key, so the API
     * returns the first result instead of creating a second feedback.
     */
    async submitFeedback(
      input: VariablesOf<typeof ops.SubmitFeedback>['input'],
      opts: { onRetry?: (attempt: number) => void } = {},
    ) {
      const withKey = { ...input, idempotencyKey: input.idempotencyKey ?? idempotencyKey() };
      return (await run('mutation', ops.SubmitFeedback, { input: withKey }, submitPolicy, opts.onRetry)).submitFeedback;
    },
    async trackFeedback(trackingCode: string, accessKey?: string | null) {
      return (await run('query', ops.TrackFeedback, { trackingCode, accessKey }, retryPolicy({ retries: 2 }))).trackFeedback;
    },
    async myFeedback(first = 20) {
      return (await run('query', ops.MyFeedback, { first }, retryPolicy({ retries: 2 }))).feedbacks.edges.map((e) => e.node);
    },
    async rateFeedback(input: VariablesOf<typeof ops.RateFeedback>['input']) {
      return (await run('mutation', ops.RateFeedback, { input })).rateFeedback;
    },
    /**
     * A customer message on their feedback. Network failures are retried with the same idempotency key
     * (pass your own to keep it across page reloads, e.g. from an outbox), so it is stored once.
     */
    async replyToFeedback(
      input: VariablesOf<typeof ops.ReplyToFeedback>['input'],
      opts: { onRetry?: (attempt: number) => void } = {},
    ) {
      const withKey = { ...input, idempotencyKey: input.idempotencyKey ?? idempotencyKey() };
      return (await run('mutation', ops.ReplyToFeedback, { input: withKey }, submitPolicy, opts.onRetry)).replyToFeedback;
    },
    async withdrawFeedback(input: VariablesOf<typeof ops.WithdrawFeedback>['input']) {
      return (await run('mutation', ops.WithdrawFeedback, { input })).withdrawFeedback;
    },
    async requestReview(input: VariablesOf<typeof ops.RequestReview>['input']) {
      return (await run('mutation', ops.RequestReview, { input })).requestReview;
    },
    /**
     * Uploads one file for a message: asks for an upload ticket, then PUTs the bytes (with progress where
     * XMLHttpRequest exists). Resolves with the upload id to pass in `attachments`, or a typed refusal.
     */
    async uploadAttachment(
      input: VariablesOf<typeof ops.CreateAttachmentUpload>['input'],
      file: Blob,
      opts: { onProgress?: (sent: number, total: number) => void } = {},
    ): Promise<{ id: string; filename: string; mediaType: string; size: number } | { code: string; message: string }> {
      const ticket = (await run('mutation', ops.CreateAttachmentUpload, { input: { ...input, size: input.size ?? file.size } })).createAttachmentUpload;
      if (ticket.__typename !== 'AttachmentUpload') return ticket as { code: string; message: string };
      const url = new URL(ticket.uploadUrl, options.url).href;
      return putFile(url, file, opts.onProgress, options.fetch);
    },
    async exchangePortalTicket(ticket: string) {
      return (await run('mutation', ops.ExchangePortalTicket, { ticket })).exchangePortalTicket;
    },

    /**
     * Live progress of one feedback: events after `after` (the last cursor you hold), then new ones as
     * they happen. Survives reconnects and transport changes without losing or repeating an event.
     */
    watchProgress(variables: { trackingCode: string; accessKey?: string | null; after?: string | null }, handlers: ProgressHandlers): () => void {
      const stream: StreamContext = { status: handlers.status, complete: handlers.complete };
      const sub = client.subscription(ops.FeedbackProgress, variables, { stream } as never).subscribe((r) => {
        if (r.error) {
          const code = (r.error.graphQLErrors[0]?.extensions?.code as string | undefined) ?? 'STREAM_ERROR';
          handlers.error?.(new CloseloopError(r.error.graphQLErrors[0]?.message ?? r.error.message, code));
        } else if (r.data?.feedbackProgress) {
          handlers.next(r.data.feedbackProgress);
        }
      });
      return () => sub.unsubscribe();
    },

    close() {
      (ws?.client as { dispose?: () => void } | undefined)?.dispose?.();
    },
  };
}

export type Closeloop = ReturnType<typeof createCloseloop>;

type PutResult = { id: string; filename: string; mediaType: string; size: number } | { code: string; message: string };

/** PUT with upload progress (XMLHttpRequest) in browsers, plain fetch elsewhere. */
function putFile(url: string, file: Blob, onProgress?: (sent: number, total: number) => void, fetchImpl?: typeof fetch): Promise<PutResult> {
  const XHR = (globalThis as { XMLHttpRequest?: typeof XMLHttpRequest }).XMLHttpRequest;
  if (!XHR || fetchImpl) {
    return (fetchImpl ?? fetch)(url, { method: 'PUT', body: file }).then(
      (r) => r.json() as Promise<PutResult>,
      (e: Error) => ({ code: 'NETWORK_ERROR', message: e.message }),
    );
  }
  return new Promise((resolve) => {
    const xhr = new XHR();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.total || file.size);
    xhr.onload = () => {
      try {
        resolve(JSON.parse(xhr.responseText) as PutResult);
      } catch {
        resolve({ code: 'UPLOAD_FAILED', message: `HTTP ${xhr.status}` });
      }
    };
    xhr.onerror = () => resolve({ code: 'NETWORK_ERROR', message: 'The upload was interrupted' });
    xhr.send(file);
  });
}
