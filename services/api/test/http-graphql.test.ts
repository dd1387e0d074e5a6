// Plain JSON POSTs are served without Yoga's fetch plumbing (src/http/graphql.ts). Every answer must
// be the one Yoga gives on its own: same status, media type, CORS headers and body, for successes,
// typed errors, GraphQL errors and everything handed back to Yoga.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setup, SUBMIT, TRACK, type TestEnv } from './helpers.ts';
import { createSchema, createYoga } from 'graphql-yoga';
import { createDirectGraphQL, negotiateJson } from '../src/http/graphql.ts';
import { prereadJsonBody } from '../src/http/body.ts';
import { CorsPolicy } from '../src/limits/cors.ts';

/** Origins the app allows (its `corsOrigins`); example-bank is allowed, evil.example is not. */
const CROSS_ORIGINS = ['https://www.example-bank.com'];

let env: TestEnv;
let server: Server;
let base: string;
let served = 0;
let agent: string;
let anon: { trackingCode: string; accessKey: string };

beforeAll(async () => {
  env = await setup({ corsOrigins: CROSS_ORIGINS });
  const direct = createDirectGraphQL({
    yoga: env.app.yoga,
    endpoint: '/graphql',
    cors: new CorsPolicy(env.handle.db, CROSS_ORIGINS).yoga,
    viewerOf: (authorization, channelKey) =>
      env.app.viewerOf(authorization, channelKey).catch(() => undefined),
  });
  // The app's own wiring, with a count of the requests the direct path answered.
  server = createServer(async (req, res) => {
    await prereadJsonBody(req);
    if (await direct(req, res)) served++;
    else await env.app.yoga(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  agent = (await env.staffToken('AGENT')).token;
  const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'The card reader at the branch swallowed my card.' } }, { 'x-closeloop-channel': env.channel.publishableKey });
  anon = s.data.submitFeedback;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await env.close();
});

interface Case {
  name: string;
  body: unknown;
  headers?: Record<string, string>;
  /** Whether the direct path should answer it (else it must hand it to Yoga untouched). */
  direct: boolean;
}

const ANSWER_HEADERS = [
  'content-type', 'access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers', 'vary',
  'access-control-max-age', 'access-control-allow-methods', 'access-control-allow-headers',
  'x-content-type-options', 'cache-control', 'referrer-policy', 'retry-after',
];

const deep = (n: number) => `{ trackFeedback(trackingCode: "x") { ${'timeline { feedback { '.repeat(n)} trackingCode ${'} } '.repeat(n)} } }`;
/** Documents refused before execution: every one is formatted by Yoga, on both paths alike. */
const REFUSED: Record<string, string> = {
  'depth limit': deep(8),
  'alias limit': `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: viewer { kind }`).join(' ')} }`,
  'token limit': `{ ${'__typename '.repeat(4100)} }`,
  'cost limit': '{ customers(first: 100) { edges { node { feedback(first: 100) { edges { node { trackingCode content } } } } } } }',
  'parse error': '{ viewer { kind }',
};

async function compare(c: Case) {
  const headers = { 'content-type': 'application/json', ...c.headers };
  const body = JSON.stringify(c.body);
  const before = served;
  const viaHttp = await fetch(base, { method: 'POST', headers, body });
  const handledDirectly = served > before;
  // yoga.fetch never goes through the node:http handler: Yoga's own answer.
  const viaYoga = await env.app.yoga.fetch('http://localhost/graphql', { method: 'POST', headers, body });
  const pick = async (r: Response) => ({
    status: r.status,
    headers: Object.fromEntries(ANSWER_HEADERS.map((h) => [h, r.headers.get(h)])),
    body: await r.text(),
  });
  const [a, b] = [await pick(viaHttp), await pick(viaYoga)];
  expect({ case: c.name, ...a }).toEqual({ case: c.name, ...b });
  expect({ case: c.name, handledDirectly }).toEqual({ case: c.name, handledDirectly: c.direct });
  return a;
}

describe('direct GraphQL over HTTP', () => {
  it('answers queries exactly as Yoga does, and takes the common ones itself', async () => {
    const cases: Case[] = [
      { name: 'typename', body: { query: '{ __typename }' }, direct: true },
      { name: 'track with key', body: { query: TRACK, variables: { code: anon.trackingCode, key: anon.accessKey } }, direct: true },
      { name: 'track, wrong key', body: { query: TRACK, variables: { code: anon.trackingCode, key: 'nope' } }, direct: true },
      { name: 'operation name', body: { query: `query A { __typename } query B { viewer { __typename } }`, operationName: 'B' }, direct: true },
      { name: 'staff list', body: { query: '{ tickets(first: 5) { edges { node { id status } } } }' }, headers: bearer(agent), direct: true },
      { name: 'forbidden list', body: { query: '{ tickets(first: 5) { edges { node { id } } } }' }, direct: true },
      { name: 'bad variable', body: { query: TRACK, variables: { code: 42 } }, direct: true },
      { name: 'missing variable', body: { query: TRACK, variables: {} }, direct: true },
      { name: 'graphql-response+json', body: { query: TRACK, variables: {} }, headers: { accept: 'application/graphql-response+json' }, direct: true },
      { name: 'browser accept', body: { query: '{ __typename }' }, headers: { accept: 'application/graphql-response+json, application/json, text/event-stream' }, direct: true },
      { name: 'cross-origin', body: { query: '{ __typename }' }, headers: { origin: 'https://www.example-bank.com' }, direct: true },
      { name: 'cross-origin error', body: { query: TRACK, variables: {} }, headers: { origin: 'https://www.example-bank.com' }, direct: true },
      { name: 'origin not allowed', body: { query: '{ __typename }' }, headers: { origin: 'https://evil.example' }, direct: true },
      {
        name: 'cross-origin, preflight-style headers',
        body: { query: '{ __typename }' },
        headers: { origin: 'https://www.example-bank.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-closeloop-channel' },
        direct: true,
      },
      // Handed to Yoga: it alone formats these.
      { name: 'validation error', body: { query: '{ nope }' }, direct: false },
      { name: 'syntax error', body: { query: '{ __typename ' }, direct: false },
      { name: 'unknown operation', body: { query: '{ __typename }', operationName: 'X' }, direct: false },
      { name: 'extra parameter', body: { query: '{ __typename }', foo: 1 }, direct: false },
      { name: 'extensions', body: { query: '{ __typename }', extensions: { a: 1 } }, direct: false },
      { name: 'variables as a string', body: { query: '{ __typename }', variables: '{}' }, direct: false },
      { name: 'bad token', body: { query: '{ __typename }' }, headers: bearer('not-a-token'), direct: false },
      { name: 'unknown channel', body: { query: '{ __typename }' }, headers: { 'x-closeloop-channel': 'pk_nope' }, direct: false },
      { name: 'event stream only', body: { query: '{ __typename }' }, headers: { accept: 'text/event-stream' }, direct: false },
      { name: 'subscription', body: { query: 'subscription($c: String!) { feedbackProgress(trackingCode: $c) { __typename } }', variables: { c: 'x' } }, headers: { accept: 'application/json' }, direct: false },
    ];
    for (const [name, query] of Object.entries(REFUSED)) {
      for (const accept of ['application/graphql-response+json', 'application/json']) {
        cases.push({ name: `${name} (${accept})`, body: { query }, headers: { accept, origin: 'https://www.example-bank.com' }, direct: false });
      }
    }
    for (const c of cases) {
      const answer = await compare(c);
      // GraphQL over HTTP: a refused document is 400 under graphql-response+json and 200 under json, never 5xx.
      if (c.name.endsWith('(application/graphql-response+json)')) expect({ c: c.name, status: answer.status }).toEqual({ c: c.name, status: 400 });
      if (c.name.endsWith('(application/json)')) expect({ c: c.name, status: answer.status }).toEqual({ c: c.name, status: 200 });
    }
    const ok = await compare(cases[1]!);
    expect(JSON.parse(ok.body).data.trackFeedback.trackingCode).toBe(anon.trackingCode);
  });

  it('runs mutations once, with typed errors as data', async () => {
    const bad = await compare({
      name: 'invalid submission',
      body: { query: SUBMIT, variables: { input: { kind: 'COMPLAINT', content: 'x' } } },
      headers: { 'x-closeloop-channel': env.channel.publishableKey },
      direct: true,
    });
    expect(JSON.parse(bad.body).data.submitFeedback.__typename).toBe('ValidationError');
    const before = served;
    const r = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-closeloop-channel': env.channel.publishableKey },
      body: JSON.stringify({ query: SUBMIT, variables: { input: { kind: 'PRAISE', content: 'Quick and friendly help at the counter.', idempotencyKey: 'direct-1-4kQx9ZbLmW2pRt7vYc3N' } } }),
    });
    expect(served).toBe(before + 1);
    const first = (await r.json()) as any;
    expect(first.data.submitFeedback.replayed).toBe(false);
    const again = await env.gql(SUBMIT, { input: { kind: 'PRAISE', content: 'Quick and friendly help at the counter.', idempotencyKey: 'direct-1-4kQx9ZbLmW2pRt7vYc3N' } }, { 'x-closeloop-channel': env.channel.publishableKey });
    expect(again.data.submitFeedback).toMatchObject({ trackingCode: first.data.submitFeedback.trackingCode, replayed: true });
  });

  it('is what the application server uses', async () => {
    const port = await env.app.listen(0, '127.0.0.1');
    const r = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://www.example-bank.com' },
      body: JSON.stringify({ query: TRACK, variables: { code: anon.trackingCode, key: anon.accessKey } }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://www.example-bank.com');
    expect(((await r.json()) as any).data.trackFeedback.timeline[0].type).toBe('SUBMITTED');
    // A credential the server refuses is answered by Yoga, as without the direct path.
    for (const headers of [bearer('not-a-token'), { 'x-closeloop-channel': 'pk_nope' }]) {
      const init = { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ __typename }' }) };
      const viaApp = await fetch(`http://127.0.0.1:${port}/graphql`, init);
      const viaYoga = await env.app.yoga.fetch('http://localhost/graphql', init);
      expect({ status: viaApp.status, body: await viaApp.text() }).toEqual({ status: viaYoga.status, body: await viaYoga.text() });
      expect(viaApp.status).toBe(401);
    }
  });
});

describe('negotiateJson', () => {
  it('picks the media type Yoga picks', () => {
    expect(negotiateJson(undefined)).toBe('application/json');
    expect(negotiateJson('*/*')).toBe('application/json');
    expect(negotiateJson('application/json')).toBe('application/json');
    expect(negotiateJson('application/graphql-response+json, application/json')).toBe('application/graphql-response+json');
    expect(negotiateJson('application/json, application/graphql-response+json')).toBe('application/json');
    expect(negotiateJson('application/*')).toBe('application/json');
    expect(negotiateJson('text/event-stream')).toBeNull();
    expect(negotiateJson('application/json; charset=latin1')).toBeNull();
    expect(negotiateJson('text/html, application/json;charset=utf-8')).toBe('application/json');
  });

  // Yoga does not export its Accept parsing, so the app's Yoga takes its JSON media type from
  // negotiateJson too (useJsonNegotiation); this keeps negotiateJson equal to a stock Yoga's choice.
  it('agrees with a stock Yoga, and the app answers as a stock Yoga does', async () => {
    const stock = createYoga({ schema: createSchema({ typeDefs: 'type Query { a: Int }' }), logging: false });
    const accepts = [
      '', '*/*', 'application/json', 'APPLICATION/JSON', 'application/json; charset=UTF-8', 'application/json;charset=latin1',
      'application/graphql-response+json', 'application/graphql-response+json;charset=utf-8, application/json;charset=latin1',
      'application/json;q=0.5, application/graphql-response+json', 'application/*', '*/json', 'text/*', 'text/plain',
      'text/event-stream', 'text/event-stream, application/json', 'application/json, text/event-stream', 'multipart/mixed',
      'multipart/mixed, application/json', ' application/graphql-response+json , */* ', 'text/html, application/xhtml+xml, */*;q=0.8',
    ];
    for (const accept of accepts) {
      const init = { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query: '{ __typename }' }) };
      const ofStock = await stock.fetch('http://localhost/graphql', init);
      const ofApp = await env.app.yoga.fetch('http://localhost/graphql', init);
      const [stockType, appType] = [ofStock.headers.get('content-type'), ofApp.headers.get('content-type')];
      await Promise.all([ofStock.text(), ofApp.text()]);
      const chosen = negotiateJson(accept);
      const stockJson = /^application\/(graphql-response\+)?json/.test(stockType ?? '') ? stockType!.split(';')[0] : null;
      expect({ accept, chosen }).toEqual({ accept, chosen: stockJson });
      expect({ accept, status: ofApp.status, type: appType }).toEqual({ accept, status: ofStock.status, type: stockType });
    }
  });
});
