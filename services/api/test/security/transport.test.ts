// OWASP GraphQL Cheat Sheet, timeouts and connection exhaustion on the HTTP transport: slow headers and
// trickled bodies are cut, idle keep-alive connections closed, and connections per address capped.
// The settings are small here so the test is quick; the bounds are generous multiples of them.
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { setup, type TestEnv } from '../helpers.ts';

let env: TestEnv;
let port: number;

beforeAll(async () => {
  env = await setup({ transport: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 500, maxConnectionsPerAddress: 4 } });
  port = await env.app.listen(0, '127.0.0.1');
});
afterAll(() => env.close());
let logged: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  logged = vi.spyOn(console, 'error');
});
afterEach(() => {
  // A client cut off is not a server fault: nothing is logged.
  expect(logged.mock.calls).toEqual([]);
  logged.mockRestore();
});

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves with what the server sent once it closes the connection, and how long that took. */
function closed(s: Socket): Promise<{ text: string; ms: number }> {
  const start = Date.now();
  let text = '';
  s.on('data', (d) => (text += d.toString()));
  s.on('error', () => {});
  return new Promise((resolve) => s.once('close', () => resolve({ text, ms: Date.now() - start })));
}

describe('HTTP transport limits', () => {
  it('cuts a client that trickles its headers (slow loris)', async () => {
    const s = await open();
    const done = closed(s);
    s.write('POST /graphql HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => !s.destroyed && s.write(`X-Drip-${Date.now()}: 1\r\n`), 200);
    const { ms } = await done;
    clearInterval(drip);
    expect(ms).toBeLessThan(10_000);
  });

  it('cuts a client that trickles its body, with 408', async () => {
    const s = await open();
    const done = closed(s);
    s.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const drip = setInterval(() => !s.destroyed && s.write(' '), 200);
    const { text, ms } = await done;
    clearInterval(drip);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(10_000);
  });

  it('closes an idle keep-alive connection', async () => {
    const s = await open();
    const done = closed(s);
    s.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const { text, ms } = await done;
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(ms).toBeLessThan(10_000);
  });

  it('closes a WebSocket whose message is larger than the body limit (1009)', async () => {
    const s = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    await new Promise((r) => s.once('open', r));
    const code = new Promise<number>((r) => s.once('close', (c) => r(c)));
    s.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(2 ** 20 + 10) } }));
    expect(await code).toBe(1009);
    await new Promise((r) => (s.readyState === WebSocket.CLOSED ? r(null) : s.once('close', r)));
  });

  it('caps open connections per address, and frees a place when one closes', async () => {
    const held = await Promise.all([open(), open(), open(), open()]);
    const over = await open();
    // The server drops the fifth at once, before it sends anything.
    const { text } = await closed(over);
    expect(text).toBe('');
    const gone = closed(held[0]!);
    held[0]!.destroy();
    await gone;
    const r = await fetch(`http://127.0.0.1:${port}/health`);
    expect(r.status).toBe(200);
    for (const s of held) s.destroy();
  });
});
