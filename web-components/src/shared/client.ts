import type { Closeloop, CloseloopOptions, ProgressHandlers } from '@closeloop/sdk';

/**
 * What the elements use of an SDK client. A client from `@closeloop/sdk`'s `createCloseloop`
 * satisfies it, and so does `lazyClient`'s.
 */
export type Client = Pick<
  Closeloop,
  | 'url' | 'signedIn' | 'submitFeedback' | 'trackFeedback' | 'myFeedback' | 'rateFeedback' | 'exchangePortalTicket' | 'watchProgress' | 'close'
  | 'replyToFeedback' | 'withdrawFeedback' | 'requestReview' | 'uploadAttachment'
> & {
  readonly transport: string;
};

const REQUESTS = [
  'submitFeedback', 'trackFeedback', 'myFeedback', 'rateFeedback', 'exchangePortalTicket',
  'replyToFeedback', 'withdrawFeedback', 'requestReview', 'uploadAttachment',
] as const;
type Request = (typeof REQUESTS)[number];

type Sdk = typeof import('./sdk.ts');
let sdk: Promise<Sdk> | undefined;
let loaded: Sdk | undefined;

/**
 * The SDK's `CloseloopError` without the SDK's code: `e instanceof CloseloopError` holds for the
 * errors the client throws (instances of the SDK's class, which arrives with its code) and for these.
 */
export class CloseloopError extends Error {
  constructor(message: string, readonly code: string, readonly status?: number) {
    super(message);
  }

  static [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, x) || (loaded !== undefined && x instanceof loaded.CloseloopError);
  }
}

/**
 * Fetches the SDK's code (urql, graphql-ws, the SSE fallback): a separate file of /sdk/closeloop.js,
 * so that <cl-feedback-form> renders before it has arrived. The entry asks for it once the page is idle.
 */
export function loadSdk(): Promise<Sdk> {
  sdk ??= import('./sdk.ts').then(
    (m) => (loaded = m),
    (e) => {
      sdk = undefined;
      throw new CloseloopError(`could not load the Closeloop client: ${String(e)}`, 'NETWORK_ERROR');
    },
  );
  return sdk;
}

/**
 * An SDK client whose code is loaded on its first call. `signedIn` is known at once, so a form
 * renders without waiting; queries, mutations and progress streams start when the code is there.
 */
export function lazyClient(options: CloseloopOptions): Client {
  let real: Promise<Closeloop> | undefined;
  let ready: Closeloop | undefined;
  const client = () =>
    (real ??= loadSdk().then(
      (m) => (ready = m.createCloseloop(options)),
      (e) => {
        real = undefined; // tried again on the next call
        throw e;
      },
    ));
  const c = {
    url: options.url,
    signedIn: Boolean(options.getToken),
    get transport() {
      return ready?.transport ?? 'loading';
    },
    watchProgress(variables, handlers: ProgressHandlers) {
      let stop: (() => void) | undefined;
      let stopped = false;
      client().then(
        (c) => {
          if (!stopped) stop = c.watchProgress(variables, handlers);
        },
        (e: CloseloopError) => stopped || handlers.error?.(e),
      );
      return () => {
        stopped = true;
        stop?.();
      };
    },
    close() {
      void real?.then((c) => c.close());
    },
  } as Client;
  // Each request method waits for the code, then calls the real client's.
  for (const m of REQUESTS) (c as Record<Request, unknown>)[m] = async (...a: unknown[]) => ((await client())[m] as (...a: unknown[]) => unknown)(...a);
  return c;
}
