import type { IncomingMessage } from 'node:http';
import { getCORSHeadersByRequestAndOptions, type CORSOptions } from '@whatwg-node/server';

/** What a CORS decision reads of a request: Yoga passes its fetch `Request`, the fast path a view of node's headers. */
export interface HeaderReader {
  headers: { get(name: string): string | null };
}

/** Yoga's `cors` option as a function (limits/cors.ts, `CorsPolicy.yoga`): the options for this request, or false. */
export type CorsOptionsFor = (request: HeaderReader) => Promise<CORSOptions>;

/**
 * The CORS headers Yoga would add to this request's answer: the same options function Yoga is given
 * (`cors:` in http/yoga.ts) fed to the same header builder Yoga's CORS plugin uses
 * (`getCORSHeadersByRequestAndOptions` of @whatwg-node/server). Null when there is nothing to add.
 */
export async function corsHeaders(optionsFor: CorsOptionsFor | undefined, req: IncomingMessage): Promise<Record<string, string> | null> {
  // Without an Origin the header builder returns null whatever the options: skip the policy lookup.
  if (!optionsFor || req.headers.origin === undefined) return null;
  const request = { headers: { get: (name: string) => headerValue(req, name) } };
  // The builder reads only `request.headers.get` (@whatwg-node/server, plugins/useCors).
  return getCORSHeadersByRequestAndOptions(request as unknown as Request, await optionsFor(request));
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name.toLowerCase()];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Merges the CORS headers into the security headers as Yoga's plugin order does: CORS first, then
 * `useResponseHeaders` (limits/plugins.ts), which sets each of its headers but keeps an existing Vary
 * with Origin put first.
 */
export function withCors(cors: Record<string, string> | null, headers: Record<string, string>): Record<string, string> {
  if (!cors) return headers;
  const merged = { ...cors, ...headers };
  const vary = cors.Vary;
  if (vary && headers.Vary) merged.Vary = vary.split(/\s*,\s*/).includes(headers.Vary) ? vary : `${headers.Vary}, ${vary}`;
  return merged;
}
