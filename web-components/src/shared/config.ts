import type { CloseloopOptions } from '@closeloop/sdk';
import { lazyClient, type Client } from './client.ts';

/** Page-wide defaults, so each element needs no attributes: `configure({ channelKey, getToken })`. */
let defaults: Partial<CloseloopOptions> & { client?: Client } = {};
const clients = new Map<string, Client>();

export function configure(options: Partial<CloseloopOptions> & { client?: Client }): void {
  defaults = options;
  clients.clear();
  // Elements already on the page re-render with the new identity (e.g. contact fields disappear).
  globalThis.dispatchEvent?.(new Event('cl-configure'));
}

/**
 * The SDK client for an element: its own `.client`, the configured one, or one made from its
 * `endpoint` / `channel-key` attributes. The endpoint defaults to the origin this script came from.
 * A client made here loads the SDK's code on its first request (see client.ts).
 */
export function clientFor(el: HTMLElement & { client?: Client }): Client {
  if (el.client) return el.client;
  if (defaults.client) return defaults.client;
  const url = el.getAttribute('endpoint') ?? defaults.url ?? new URL('/graphql', import.meta.url).href;
  const channelKey = el.getAttribute('channel-key') ?? defaults.channelKey;
  const key = `${url} ${channelKey}`;
  let c = clients.get(key);
  if (!c) clients.set(key, (c = lazyClient({ ...defaults, url, channelKey })));
  return c;
}
