import type { IncomingMessage } from 'node:http';

/** Bodies up to this size are read here; larger or unsized ones stay on Yoga's own (streaming, limited) path. */
const PREREAD_LIMIT = 1 << 20;

/**
 * Reads a small JSON POST body before Yoga sees the request, and leaves it on `req.body`.
 *
 * Why: for a body that is already on the request, @whatwg-node/server skips wrapping the socket in
 * a web ReadableStream, and Yoga's body-size limit skips piping it through a TransformStream; on
 * small GraphQL requests that plumbing cost more CPU than parsing and executing the operation
 * (`npm run bench`, README, Performance). Only a parsed, non-empty JSON object is handed over as an
 * object; anything else (invalid JSON, arrays, `{}`) is handed over as the raw text, so Yoga parses
 * it and answers exactly as it would have. Requests without a valid Content-Length, larger ones and
 * other content types are not touched.
 */
export async function prereadJsonBody(req: IncomingMessage, bodyLimit = PREREAD_LIMIT): Promise<void> {
  // Larger bodies go to Yoga, which refuses those over the body limit with 413.
  const limit = Math.min(bodyLimit, PREREAD_LIMIT);
  if (req.method !== 'POST') return;
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) return;
  const length = req.headers['content-length'];
  if (!length || !/^\d+$/.test(length) || Number(length) === 0 || Number(length) > limit || req.headers['transfer-encoding']) return;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) break; // cannot happen: Node's parser stops at Content-Length
    chunks.push(chunk);
  }
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const usable = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && Object.keys(parsed).length > 0;
  (req as IncomingMessage & { body?: unknown }).body = usable ? parsed : text;
}
