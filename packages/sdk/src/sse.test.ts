import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sseTransport } from './sse.ts';
import { resumable, type StreamResult } from './stream.ts';
import { retryPolicy } from './retry.ts';

// A stand-in for the API's SSE endpoint: replays events after `after`, then drops the line once.
let url: string;
const requests: Array<{ after?: string; auth?: string }> = [];
const server = createServer((req, res: ServerResponse) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const after = JSON.parse(body).variables.after as string | undefined;
    requests.push({ after, auth: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(':\n\n');
    const from = Number(after ?? 0) + 1;
    for (let p = from; p < from + 2; p++) res.write(`event: next\r\ndata: ${JSON.stringify({ data: { feedbackProgress: { cursor: String(p) } } })}\r\n\r\n`);
    if (requests.length === 1) setTimeout(() => res.destroy(), 50); // the network drops mid-stream
    else res.end('event: complete\ndata:\n\n');
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('sseTransport', () => {
  it('streams events, and resumes after a dropped connection from the last cursor', async () => {
    const got: string[] = [];
    const t = sseTransport({ url, headers: async () => ({ authorization: 'Bearer x' }) });
    await new Promise<void>((done) => {
      resumable(
        t,
        { query: 'subscription', variables: {} },
        { next: (r: StreamResult) => got.push(r.data.feedbackProgress.cursor), error: done, complete: done },
        { policy: retryPolicy({ retries: 3, initialDelayMs: 5, jitter: 0 }) },
      );
    });
    expect(got).toEqual(['1', '2', '3', '4']);
    expect(requests.map((r) => r.after)).toEqual([undefined, '2']);
    expect(requests[0]!.auth).toBe('Bearer x');
  });
});
