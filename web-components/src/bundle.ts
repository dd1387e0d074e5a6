// Entry of /sdk/closeloop.js for plain <script type="module"> pages. It holds what <cl-feedback-form>
// needs to render (Lit, @lit/localize, the form); the other three elements and the SDK's client code
// (urql, graphql-ws, the SSE fallback) are files beside it, fetched as soon as such an element is on
// the page, otherwise once the page is idle. Until then a form can be filled in; its submission waits
// for the client code if it has not arrived yet.
import { loadSdk } from './shared/client.ts';
import { loadElements } from './load-elements.ts';

export { FeedbackForm } from './feedback-form/feedback-form.ts';
export { configure } from './shared/config.ts';
export { setLocale, getLocale, localeOf, LOCALES, type Locale } from './shared/localization.ts';
/** A client for pages of their own (the portal): the SDK's, its code loaded on the first request. */
export { lazyClient as createCloseloop, CloseloopError, type Client } from './shared/client.ts';
export type * from './events.ts';

const LATER = 'cl-feedback-tracker, cl-my-feedback, cl-satisfaction-survey';

function loadRest(): void {
  Promise.all([loadElements(), loadSdk()]).catch((e) => console.error('closeloop: could not load the elements', e));
}

// (A browser script: Safari before 18 has no requestIdleCallback.)
if (document.querySelector(LATER)) loadRest();
else if ('requestIdleCallback' in self) requestIdleCallback(loadRest, { timeout: 2000 });
else setTimeout(loadRest, 200);
