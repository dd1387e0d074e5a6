// The browser-facing routes (/sdk, /portal, /demo) and the SDK used from Node by a partner system.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCloseloop, type ProgressEvent } from '@closeloop/sdk';
import { createApp } from '../src/http/server.ts';
import { csp, webRoutes } from '../src/web/routes.ts';
import { setup, bearer, TRANSITION, type TestEnv } from './helpers.ts';
import { FIRST_BUDGET_BYTES } from '@closeloop/web-components/build';

let env: TestEnv;
let base: string;
beforeAll(async () => {
  env = await setup({ routes: webRoutes({}) });
  base = `http://127.0.0.1:${await env.app.listen(0, '127.0.0.1')}`;
});
afterAll(() => env.close());

describe('/sdk/closeloop.js', () => {
  it('serves the built bundle within budget, gzipped, cacheable and loadable cross-origin', async () => {
    const res = await fetch(`${base}/sdk/closeloop.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    // fetch has already decompressed it: measure the gzipped size again.
    const body = Buffer.from(await res.arrayBuffer());
    expect(gzipSync(body, { level: 9 }).length).toBeLessThanOrEqual(FIRST_BUDGET_BYTES);
    expect(body.toString()).toContain('cl-feedback-form');
    const again = await fetch(`${base}/sdk/closeloop.js`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${base}/sdk/locale-en.js`)).status).toBe(200);
    expect((await fetch(`${base}/sdk/../package.json`)).status).toBe(404);
  });
});

describe('/portal', () => {
  it('is served under a strict CSP with no inline script or handlers', async () => {
    const res = await fetch(`${base}/portal?ticket=cpt_x&channel=pk`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it('lets a deployment allow the WeChat JS-SDK on the portal, and nothing by injection', () => {
    const req = { headers: { host: 'feedback.example-bank.com' } } as never;
    expect(csp(req, "'self'", 'https://res.wx.qq.com')).toContain("script-src 'self' https://res.wx.qq.com;");
    expect(csp(req, "'self'", "https://a.example 'unsafe-inline'; x")).toContain("script-src 'self' https://a.example unsafe-inline x;");
    expect(csp(req, "'self'")).toContain("script-src 'self';");
  });

  it('hides the demo pages in production', async () => {
    const prod = createApp({ handle: env.handle, secretKey: env.secretKey, production: true, routes: webRoutes({ production: true, demo: { db: env.handle.db, secretKey: env.secretKey } }) });
    const port = await prod.listen(0, '127.0.0.1');
    try {
      expect((await fetch(`http://127.0.0.1:${port}/demo/website`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/demo/customer-token`, { method: 'POST' })).status).not.toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/portal`)).status).toBe(200);
    } finally {
      await prod.close();
    }
  });
});

describe('the SDK from Node (a partner system)', () => {
  it("asks getToken again for an expired customer token and lists the customer's feedback", async () => {
    const tokens = [await env.customerToken('node-cust-1', {}, Math.floor(Date.now() / 1000) - 120), await env.customerToken('node-cust-1')];
    let asked = 0;
    const cl = createCloseloop({ url: `${base}/graphql`, channelKey: env.channel.publishableKey, transport: 'sse', getToken: () => tokens[Math.min(asked++, 1)] });
    const r = await cl.submitFeedback({ kind: 'SUGGESTION', content: 'Signed in from Node' });
    expect(r.__typename).toBe('SubmitFeedbackPayload');
    expect(asked).toBe(2);
    expect((await cl.myFeedback(5)).map((f) => f.content)).toEqual(['Signed in from Node']);
  });

  for (const transport of ['ws', 'sse'] as const) {
    it(`submits with an idempotency key and follows progress over ${transport}`, async () => {
      const cl = createCloseloop({ url: `${base}/graphql`, channelKey: env.channel.publishableKey, webSocketImpl: WebSocket, transport });
      const r = await cl.submitFeedback({ kind: 'INQUIRY', content: `From Node over ${transport}` });
      if (r.__typename !== 'SubmitFeedbackPayload') throw new Error(r.message);
      const events: ProgressEvent[] = [];
      const statuses: string[] = [];
      const stop = cl.watchProgress({ trackingCode: r.trackingCode, accessKey: r.accessKey }, { next: (e) => events.push(e), status: (s) => statuses.push(s) });
      await expect.poll(() => statuses.includes('live')).toBe(true);
      const staff = (await env.staffToken('SUPERVISOR')).token;
      const ticketId = (await env.gql(`query($c:String!){ trackFeedback(trackingCode:$c){ ticket { id } } }`, { c: r.trackingCode }, bearer(staff))).data.trackFeedback.ticket.id;
      await env.gql(TRANSITION, { input: { ticketId, status: 'ACKNOWLEDGED' } }, bearer(staff));
      await expect.poll(() => events.map((e) => e.toStatus)).toContain('ACKNOWLEDGED');
      stop();
      cl.close();
    });
  }
});
