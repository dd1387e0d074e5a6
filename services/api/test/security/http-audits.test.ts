// The graphql-http package's GraphQL-over-HTTP conformance audits, run against the real server (both
// the JSON fast path and Yoga's own): no failure and no warning, in development (anonymous caller)
// and in production (a staff caller, who may send any document).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditServer } from 'graphql-http';
import { createApp, type App } from '../../src/server.ts';
import { bearer, setup, type TestEnv } from '../helpers.ts';

let env: TestEnv;
let prod: App;
let devUrl: string;
let prodUrl: string;
let staff: string;

beforeAll(async () => {
  env = await setup();
  prod = createApp({ handle: env.handle, secretKey: env.secretKey, production: true, limits: false });
  devUrl = `http://127.0.0.1:${await env.app.listen(0, '127.0.0.1')}/graphql`;
  prodUrl = `http://127.0.0.1:${await prod.listen(0, '127.0.0.1')}/graphql`;
  staff = (await env.staffToken('AGENT')).token;
});
afterAll(async () => {
  await prod.close();
  await env.close();
});

async function audit(url: string, headers: Record<string, string> = {}) {
  const fetchFn = (input: RequestInfo | URL, init: RequestInit = {}) =>
    fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers).entries()), ...headers } });
  const results = await auditServer({ url, fetchFn });
  return results.filter((r) => r.status !== 'ok').map((r) => ({ id: r.id, name: r.name, status: r.status, reason: 'reason' in r ? r.reason : '' }));
}

describe('graphql-http serverAudits', () => {
  it('passes every audit in development, with no warnings', async () => {
    expect(await audit(devUrl)).toEqual([]);
  });

  it('passes every audit in production for a staff caller, with no warnings', async () => {
    expect(await audit(prodUrl, bearer(staff))).toEqual([]);
  });
});
