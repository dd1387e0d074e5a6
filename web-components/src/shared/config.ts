import { createCloseloop, type Closeloop, type CloseloopOptions } from '@closeloop/sdk';

/** Page-wide defaults, so each element needs no attributes: `configure({ channelKey, getToken })`. */
let defaults: Partial<CloseloopOptions> & { client?: Closeloop } = {};
const clients = new Map<string, Closeloop>();

export function configure(options: Partial<CloseloopOptions> & { client?: Closeloop }): void {
  defaults = options;
  clients.clear();
  // Elements already on the page re-render with the new identity (e.g. contact fields disappear).
  globalThis.dispatchEvent?.(new Event('cl-configure'));
}

/**
 * The SDK client for an element: its own `.client`, the configured one, or one made from its
 * `endpoint` / `channel-key` attributes. The endpoint defaults to the origin this script came from.
 */
export function clientFor(el: HTMLElement & { client?: Closeloop }): Closeloop {
  if (el.client) return el.client;
  if (defaults.client) return defaults.client;
  const url = el.getAttribute('endpoint') ?? defaults.url ?? new URL('/graphql', import.meta.url).href;
  const channelKey = el.getAttribute('channel-key') ?? defaults.channelKey;
  const key = `${url} ${channelKey}`;
  let c = clients.get(key);
  if (!c) clients.set(key, (c = createCloseloop({ ...defaults, url, channelKey })));
  return c;
}
