// OWASP GraphQL Cheat Sheet on a production-mode server: introspection and field suggestions only for
// staff and partners; trusted documents for anonymous and customer callers (the SDK's own operations
// pass, over HTTP and WebSocket; a host adds its own by file); CORS from an allow-list; the headers
// every /graphql answer carries. Plus an IDOR smoke test (the full matrix lives elsewhere).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloseloop } from '@closeloop/sdk';
import { createApp, type App } from '../../src/server.ts';
import { runCommand } from '../../src/commands.ts';
import { loadTrustedDocuments } from '../../src/limits/trusted-documents.ts';
import { bearer, setup, SUBMIT, type TestEnv } from '../helpers.ts';

let env: TestEnv;
let prod: App;
let url: string;
let staff: Record<string, string>;
let partner: Record<string, string>;
const HOST_OP = 'query HostViewer { viewer { kind } }';

beforeAll(async () => {
  env = await setup();
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-trusted-'));
  writeFileSync(join(dir, 'host.graphql'), HOST_OP);
  prod = createApp({
    handle: env.handle, secretKey: env.secretKey, production: true, limits: false,
    corsOrigins: ['https://configured.example'], trustedDocuments: loadTrustedDocuments([join(dir, 'host.graphql')]),
  });
  url = `http://127.0.0.1:${await prod.listen(0, '127.0.0.1')}/graphql`;
  staff = bearer((await env.staffToken('AGENT')).token);
  partner = bearer(await env.apiKey(['feedback:read']));
});
afterAll(async () => {
  await prod.close();
  await env.close();
});

const post = async (query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
};
const anon = () => ({ 'x-closeloop-channel': env.channel.publishableKey });

describe('production posture', () => {
  it('introspection: refused to anonymous callers, allowed to staff and partners', async () => {
    const q = '{ __schema { queryType { name } } }';
    const refused = await post(q, anon());
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors[0].extensions.code).toBe('INTROSPECTION_DISABLED');
    const typeQ = await post('{ __type(name: "Ticket") { name } }', anon());
    expect(typeQ.body.errors[0].extensions.code).toBe('INTROSPECTION_DISABLED');
    expect((await post(q, staff)).body.data.__schema.queryType.name).toBe('Query');
    expect((await post(q, partner)).body.data.__schema.queryType.name).toBe('Query');
  });

  it('suggestions: no "Did you mean" for anonymous callers; staff get them', async () => {
    const q = '{ trackFeedbak(trackingCode: "x") { id } }';
    const a = await post(q, anon());
    expect(a.body.errors[0].message).toContain('Cannot query field "trackFeedbak"');
    expect(JSON.stringify(a.body)).not.toContain('Did you mean');
    const s = await post(q, staff);
    expect(s.body.errors[0].message).toContain('Did you mean');
    // Variable coercion errors carry suggestions too.
    const enumErr = await post(SUBMIT, anon(), { input: { kind: 'COMPLAIN', content: 'x' } });
    expect(JSON.stringify(enumErr.body)).not.toContain('Did you mean');
  });

  it('trusted documents: an arbitrary document from an anonymous or customer caller is refused, staff and partners may send any', async () => {
    const q = '{ viewer { kind } }';
    const a = await post(q, anon());
    expect(a.status).toBe(403);
    expect(a.body.errors[0].extensions.code).toBe('UNTRUSTED_DOCUMENT');
    const customer = { ...anon(), ...bearer(await env.customerToken('trusted-1')) };
    expect((await post(q, customer)).body.errors[0].extensions.code).toBe('UNTRUSTED_DOCUMENT');
    expect((await post(q, staff)).body.data.viewer.kind).toBe('STAFF');
    expect((await post(q, partner)).body.data.viewer.kind).toBe('PARTNER');
    // Staff sign in before they hold a staff credential: a document of `login` fields alone is open.
    const login = await post('mutation SignIn { login(input: { email: "nobody@test.dev", password: "x" }) { __typename } }', {});
    expect(login.body.data.login.__typename).toBe('AuthenticationError');
    const smuggled = await post('mutation { login(input: { email: "a@b.c", password: "x" }) { __typename } submitFeedback(input: { kind: PRAISE, content: "smuggled along" }) { __typename } }', anon());
    expect(smuggled.body.errors[0].extensions.code).toBe('UNTRUSTED_DOCUMENT');
    // The portal ticket a host backend mints with its customer's token, as the README shows it.
    const ticket = await post('mutation { createPortalTicket { ... on PortalTicketPayload { portalPath } ... on Error { code message } } }', customer);
    expect(ticket.body.data.createPortalTicket.portalPath).toMatch(/^\/portal\?ticket=cpt_/);
    // The host's own operation, however it is spaced.
    expect((await post(HOST_OP.replace(/ /g, '\n  '), anon())).body.data.viewer.kind).toBe('ANONYMOUS');
  });

  it("trusted documents: the SDK's operations run as they are sent, over HTTP and WebSocket", async () => {
    const cl = createCloseloop({ url, channelKey: env.channel.publishableKey, webSocketImpl: WebSocket, transport: 'ws' });
    try {
      const sent = await cl.submitFeedback({ kind: 'COMPLAINT', content: 'The branch queue system skipped my number.' });
      if (sent.__typename !== 'SubmitFeedbackPayload') throw new Error(JSON.stringify(sent));
      const tracked = await cl.trackFeedback(sent.trackingCode, sent.accessKey);
      expect(tracked?.trackingCode).toBe(sent.trackingCode);
      const first = await new Promise<string>((resolve, reject) => {
        const stop = cl.watchProgress({ trackingCode: sent.trackingCode, accessKey: sent.accessKey, after: '0' }, {
          next: (e) => (stop(), resolve(e.type)),
          error: reject,
        });
      });
      expect(first).toBe('SUBMITTED');
      const signedIn = createCloseloop({ url, channelKey: env.channel.publishableKey, getToken: () => env.customerToken('trusted-2'), transport: 'sse' });
      expect(await signedIn.myFeedback(5)).toEqual([]);
    } finally {
      cl.close();
    }
  });

  it('CORS: registered and configured origins only, never a reflected one', async () => {
    // As `npx closeloop create-channel --origin … --origin …` registers it.
    const ctx = { db: env.handle.db, identity: env.app.identity, services: env.app.services, secretKey: env.secretKey };
    const made = await runCommand(ctx, 'create-channel', { name: 'Partner site', kind: 'WEB', origin: ['https://www.partner-bank.example', 'https://m.partner-bank.example'] });
    expect(made.allowedOrigins).toEqual(['https://www.partner-bank.example', 'https://m.partner-bank.example']);
    await expect(runCommand(ctx, 'create-channel', { name: 'Bad', kind: 'WEB', origin: 'javascript:alert(1)' })).rejects.toThrow(/origin/);
    const q = 'query HostViewer { viewer { kind } }';
    for (const origin of ['https://www.partner-bank.example', 'https://configured.example']) {
      const ok = await post(q, { ...anon(), origin });
      expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
      expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
      const pre = await fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-closeloop-channel' } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const evil = await post(q, { ...anon(), origin: 'https://evil.example' });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const pre = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('headers: nosniff, no-store, Referrer-Policy on every /graphql answer, on both paths', async () => {
    const answers = [
      (await post('{ viewer { kind } }', staff)).headers, // JSON fast path
      (await post('{ nope }', staff)).headers, // Yoga (validation error)
      (await fetch(`${url}?query=${encodeURIComponent('{ viewer { kind } }')}`, { headers: staff })).headers, // Yoga (GET)
    ];
    for (const h of answers) {
      expect(h.get('x-content-type-options')).toBe('nosniff');
      expect(h.get('cache-control')).toBe('no-store');
      expect(h.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('IDOR (smoke): a feedback is not readable by id or by code without the right credential', async () => {
    const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'Someone else’s complaint about fees.' } }, anon());
    const { trackingCode, feedback } = s.data.submitFeedback;
    const byId = await post('{ node(id: "' + feedback.id + '") { id } }', staff);
    expect(byId.body.data.node).toEqual({ id: feedback.id });
    const other = { ...anon(), ...bearer(await env.customerToken('idor-b')) };
    const track = 'query TrackFeedback($trackingCode: String!, $accessKey: String) { trackFeedback(trackingCode: $trackingCode, accessKey: $accessKey) { trackingCode } }';
    const devUrl = `http://127.0.0.1:${await env.app.listen(0, '127.0.0.1')}/graphql`;
    const viaDev = async (query: string, headers: Record<string, string>, variables?: Record<string, unknown>) =>
      (await (await fetch(devUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) })).json()) as any;
    expect((await viaDev(track, other, { trackingCode, accessKey: 'wrong' })).data.trackFeedback).toBeNull();
    expect((await viaDev(`{ node(id: "${feedback.id}") { id } }`, other)).data.node).toBeNull();
    expect((await viaDev(`{ node(id: "${feedback.id}") { id } }`, anon())).data.node).toBeNull();
  });
});
