// Compiled documents with the abuse limits on (src/compiled/registry.ts): two servers over the same
// database, in production posture, with the same small limits, one answering compiled documents and one
// with them turned off (every request through the schema). fast-check draws sequences of requests —
// trackers with their access key, without, with another's, from the same and other callers, the
// customer's list, partners paying their cost — and every request goes to both servers in turn: status,
// body, RateLimit, RateLimit-Policy and Retry-After must be the same, including once a limit refuses
// (a tracker's RATE_LIMITED field error, a partner's 429). The clock is frozen so the two leaky buckets
// and windows read the same time.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../src/http/server.ts';
import type { AbuseLimitSettings } from '../src/limits/abuse.ts';
import { COMPILED_DOCUMENTS } from '../src/compiled/documents.ts';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';

const LIMITS: Partial<AbuseLimitSettings> = {
  accessAddress: { points: 8, duration: 3600 },
  accessCode: { points: 2, duration: 3600 },
  partnerCost: { points: 40, duration: 3600 },
};
/**
 * The widget's tracker and list (trusted), and the bench's tracker (not trusted: anonymous and customers get
 * UNTRUSTED_DOCUMENT). The staff queue and ticket count no access checks; a partner's cost is charged by
 * the registry alike for every document.
 */
const DOCS = COMPILED_DOCUMENTS.filter((d) => !d.includes('tickets(') && !d.includes('node('));
const HEADERS = ['content-type', 'ratelimit', 'ratelimit-policy', 'retry-after', 'cache-control', 'vary'];

let env: TestEnv;
const callers: Record<string, Record<string, string>> = {};
const pool: Array<{ trackingCode: string; accessKey: string | null }> = [];
const open: App[] = [];

beforeAll(async () => {
  env = await setup();
  const channel = { 'x-closeloop-channel': env.channel.publishableKey };
  Object.assign(callers, {
    anonymous: channel,
    customerA: { ...channel, ...bearer(await env.customerToken('lim-a', { name: 'Alice' })) },
    customerB: { ...channel, ...bearer(await env.customerToken('lim-b', { name: 'Bob' })) },
    agent: bearer((await env.staffToken('AGENT', 'CUSTOMER_SERVICE')).token),
    partnerFeedback: bearer(await env.apiKey(['feedback:read'])),
    partnerTickets: bearer(await env.apiKey(['tickets:read'])),
  });
  for (const by of ['anonymous', 'customerA', 'anonymous', 'customerB']) {
    const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: `Card declined at the branch (${by}).` } }, callers[by]);
    pool.push({ trackingCode: s.data.submitFeedback.trackingCode, accessKey: s.data.submitFeedback.accessKey });
  }
  // Tokens were signed with the real time; from here on both servers read one frozen clock.
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterAll(async () => {
  vi.useRealTimers();
  for (const app of open) await app.close();
  await env?.close();
});

async function pair(production: boolean): Promise<{ compiled: string; normal: string }> {
  const urls: string[] = [];
  for (const compiled of [true, false]) {
    const app = createApp({ handle: env.handle, secretKey: env.secretKey, production, compiled, limits: { ...LIMITS, prefix: `closeloop:test:${randomUUID()}` } });
    open.push(app);
    urls.push(`http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/graphql`);
  }
  return { compiled: urls[0]!, normal: urls[1]! };
}

async function post(url: string, body: unknown, headers: Record<string, string>) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, headers: Object.fromEntries(HEADERS.map((h) => [h, r.headers.get(h)])), body: JSON.parse(text) as any, text };
}

const request = fc.record({
  doc: fc.nat({ max: DOCS.length - 1 }),
  caller: fc.constantFrom(...['anonymous', 'anonymous', 'customerA', 'customerB', 'agent', 'partnerFeedback', 'partnerTickets']),
  code: fc.oneof(fc.nat({ max: 3 }), fc.constantFrom('FB-0000-0000', 'X'.repeat(40))),
  key: fc.constantFrom('own', 'other', 'wrong', 'none'),
  first: fc.constantFrom(1, 3, 0),
});

describe('compiled documents with the abuse limits on', () => {
  // In production only trusted documents are compiled for anonymous and customer callers (the others get
  // UNTRUSTED_DOCUMENT from the schema); without the posture every compiled document serves them.
  it.each([false, true])('count, refuse and answer as the schema does: same status, body and RateLimit headers (production %s)', async (production) => {
    let compiledAnswers = 0;
    let fieldLimited = 0;
    let partnerRefused = 0;
    let budgetHeaders = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 20, maxLength: 40 }), async (requests) => {
        const urls = await pair(production);
        for (const r of requests) {
          const doc = DOCS[r.doc]!;
          const [a, b] = [...doc.matchAll(/\$(\w+):/g)].map((m) => m[1]!);
          const p = typeof r.code === 'number' ? pool[r.code]! : { trackingCode: r.code, accessKey: null };
          const key = { own: p.accessKey, other: pool[(pool.indexOf(p) + 1) % pool.length]!.accessKey, wrong: 'A'.repeat(43), none: undefined }[r.key];
          const variables = doc.includes('feedbacks(') ? { [a!]: r.first } : { [a!]: p.trackingCode, ...(key === undefined ? {} : { [b!]: key }) };
          const before = env.queries.length;
          const c = await post(urls.compiled, { query: doc, variables }, callers[r.caller]!);
          if (env.queries.slice(before).some((q) => q.includes('::text as json from'))) compiledAnswers++;
          const n = await post(urls.normal, { query: doc, variables }, callers[r.caller]!);
          expect({ ...c, text: undefined }, JSON.stringify({ r, variables })).toEqual({ ...n, text: undefined });
          if (c.body.errors?.some((e: any) => e.extensions?.code === 'RATE_LIMITED')) {
            if (c.status === 429) partnerRefused++;
            else fieldLimited++;
          }
          if (c.headers.ratelimit) budgetHeaders++;
        }
      }),
      { numRuns: 3, seed: Number(process.env.FC_SEED ?? 15), endOnFailure: true },
    );
    expect(compiledAnswers).toBeGreaterThan(production ? 8 : 20);
    if (!production) expect(fieldLimited).toBeGreaterThan(5);
    expect(partnerRefused).toBeGreaterThan(2);
    expect(budgetHeaders).toBeGreaterThan(5);
  });

  it('every attempt counts, failed ones included, and the limited answer keeps its location and path', async () => {
    const urls = await pair(false);
    const p = pool[0]!;
    const tracker = COMPILED_DOCUMENTS[0]!;
    // A wrong key, then the right one: two attempts on one code (accessCode), then refused.
    for (const k of ['A'.repeat(43), p.accessKey]) {
      const [c, n] = [await post(urls.compiled, { query: tracker, variables: { trackingCode: p.trackingCode, accessKey: k } }, callers.anonymous!),
        await post(urls.normal, { query: tracker, variables: { trackingCode: p.trackingCode, accessKey: k } }, callers.anonymous!)];
      expect(c.text).not.toContain('RATE_LIMITED');
      expect({ ...c, text: undefined }).toEqual({ ...n, text: undefined });
    }
    const c = await post(urls.compiled, { query: `\n\n   ${tracker}`, variables: { trackingCode: p.trackingCode, accessKey: p.accessKey } }, callers.anonymous!);
    const n = await post(urls.normal, { query: `\n\n   ${tracker}`, variables: { trackingCode: p.trackingCode, accessKey: p.accessKey } }, callers.anonymous!);
    expect(c.status).toBe(200);
    expect(c.body).toEqual({ errors: [expect.objectContaining({ path: ['trackFeedback'], extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })], data: { trackFeedback: null } });
    expect(c.body.errors[0].locations[0].line).toBe(4);
    expect(c.text).toBe(n.text);
    // Staff are not counted.
    const staff = await post(urls.compiled, { query: tracker, variables: { trackingCode: p.trackingCode } }, callers.agent!);
    expect(staff.body.data.trackFeedback.trackingCode).toBe(p.trackingCode);
  });
});
