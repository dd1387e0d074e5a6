// Small JSON bodies are read before Yoga (src/http/body.ts); over real HTTP every kind of body must
// still get the answer Yoga gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, type TestEnv } from './helpers.ts';

let env: TestEnv;
let base: string;
beforeAll(async () => {
  env = await setup();
  base = `http://127.0.0.1:${await env.app.listen(0, '127.0.0.1')}/graphql`;
});
afterAll(() => env.close());

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(base, { method: 'POST', headers, body });

describe('GraphQL over HTTP with pre-read bodies', () => {
  it('executes a normal request', async () => {
    const r = await post(JSON.stringify({ query: '{ __typename }' }));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers invalid JSON, empty objects, arrays and scalars exactly as Yoga does on its own', async () => {
    for (const body of ['{"query": ', '{}', '[]', JSON.stringify([{ query: '{ __typename }' }]), '42', 'null', '"x"', '{"query": 1}']) {
      const viaHttp = await post(body);
      // yoga.fetch never goes through the node:http handler, so it shows Yoga's own answer.
      const direct = await env.app.yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect({ body, status: viaHttp.status, json: await viaHttp.text() }).toEqual({ body, status: direct.status, json: await direct.text() });
    }
  });

  it('leaves other content types and chunked bodies to Yoga', async () => {
    const graphql = await post('{ __typename }', { 'content-type': 'application/graphql+json' });
    expect(graphql.status).toBeLessThan(500);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(JSON.stringify({ query: '{ __typename }' })));
        c.close();
      },
    });
    const chunked = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(await chunked.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
