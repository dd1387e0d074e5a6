// OWASP GraphQL Cheat Sheet, abusive documents: depth, aliases, batching, field duplication, directives,
// circular fragments, cost, CSRF content types, body size. Each refusal is answered the same way over
// the app's HTTP server (JSON fast path, src/http-graphql.ts) and by Yoga on its own, with the
// GraphQL-over-HTTP status codes (400 under application/graphql-response+json, 200 under
// application/json), nothing executed and nothing logged.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setup, type TestEnv } from '../helpers.ts';

let env: TestEnv;
let url: string;
let logged: ReturnType<typeof vi.spyOn>[] = [];

beforeAll(async () => {
  env = await setup();
  url = `http://127.0.0.1:${await env.app.listen(0, '127.0.0.1')}/graphql`;
});
afterAll(() => env.close());
beforeEach(() => {
  logged = [vi.spyOn(console, 'error'), vi.spyOn(console, 'warn')];
});
afterEach(() => {
  // No stack trace (nor any line) is logged for a refused document.
  for (const spy of logged) {
    expect(spy.mock.calls).toEqual([]);
    spy.mockRestore();
  }
});

const nest = (n: number) => `{ trackFeedback(trackingCode: "FB-X") { ${'timeline { feedback { '.repeat(n)} trackingCode ${'} } '.repeat(n)} } }`;
const DOCUMENTS: Record<string, string> = {
  depth: nest(8),
  aliases: `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: viewer { kind }`).join(' ')} }`,
  'field duplication': `{ ${'__typename '.repeat(5000)} }`,
  directives: `{ __typename ${'@skip(if: false) '.repeat(1500)} }`,
  'circular fragments': 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }',
  cost: '{ customers(first: 100) { edges { node { feedback(first: 100) { edges { node { trackingCode content } } } } } } }',
  parse: '{ __typename ',
  validation: '{ nope }',
};
const TYPES = ['application/graphql-response+json', 'application/json'] as const;

async function both(body: string, headers: Record<string, string>) {
  const init = { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body };
  const viaHttp = await fetch(url, init);
  const viaYoga = await env.app.yoga.fetch('http://localhost/graphql', init);
  const pick = async (r: Response) => ({ status: r.status, type: r.headers.get('content-type'), body: await r.text() });
  return [await pick(viaHttp), await pick(viaYoga)] as const;
}

describe('abusive documents', () => {
  for (const [name, query] of Object.entries(DOCUMENTS)) {
    it(`${name}: refused the same way on both paths, 400 / 200 by media type`, async () => {
      for (const accept of TYPES) {
        const [http, yoga] = await both(JSON.stringify({ query }), { accept });
        expect({ name, accept, ...http }).toEqual({ name, accept, ...yoga });
        expect(http.status).toBe(accept === 'application/json' ? 200 : 400);
        const parsed = JSON.parse(http.body);
        expect(parsed.data).toBeUndefined();
        expect(parsed.errors.length).toBeGreaterThan(0);
      }
    });
  }

  it('batching: a JSON array of operations is refused (batching is off)', async () => {
    const body = JSON.stringify(Array.from({ length: 10 }, () => ({ query: '{ __typename }' })));
    const [http, yoga] = await both(body, {});
    expect(http).toEqual(yoga);
    expect(http.status).toBeGreaterThanOrEqual(400);
    expect(http.body).not.toContain('"__typename":"Query"');
  });

  it('CSRF: form and plain-text content types, and multipart without a preflighted header, and mutations over GET are refused', async () => {
    const mutation = 'mutation { login(input: { email: "a@b.c", password: "x" }) { __typename } }';
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body: type === 'text/plain' ? JSON.stringify({ query: mutation }) : `query=${encodeURIComponent(mutation)}` });
      expect({ type, status: r.status }).toEqual({ type, status: 415 });
    }
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: mutation }));
    form.set('map', '{}');
    const multipart = await fetch(url, { method: 'POST', body: form });
    expect(multipart.status).toBe(415);
    expect((await multipart.json()).errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const get = await fetch(`${url}?query=${encodeURIComponent(mutation)}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(405);
  });

  it('body size: over 1 MB is 413 as a GraphQL-over-HTTP error, sized or chunked', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1.2 * 2 ** 20) } });
    const sized = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: big });
    expect(sized.status).toBe(413);
    expect(sized.headers.get('content-type')).toMatch(/application\/graphql-response\+json/);
    expect((await sized.json()).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 12; i++) c.enqueue(new TextEncoder().encode(i === 0 ? big.slice(0, 2 ** 17) : big.slice(i * 2 ** 17, (i + 1) * 2 ** 17)));
        c.close();
      },
    });
    const chunked = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('a document within every limit still executes', async () => {
    const [http] = await both(JSON.stringify({ query: nest(3) }), {});
    expect(http.status).toBe(200);
    expect(JSON.parse(http.body)).toEqual({ data: { trackFeedback: null } });
  });
});
