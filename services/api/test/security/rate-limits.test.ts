// OWASP GraphQL Cheat Sheet, rate limits: staff sign-in with growing back-off, access-key checks,
// submissions, the partner cost budget, WebSocket connections and subscriptions. Run on one instance
// with counters in memory, and on two instances sharing Redis (REDIS_URL), alternating requests between
// them; each test gets its own key prefix. Aliased attempts in one document count one by one, and a
// refused request changes nothing.
import { randomUUID } from 'node:crypto';
import { count } from 'drizzle-orm';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { feedback } from '@closeloop/db';
import { createApp, type App } from '../../src/http/server.ts';
import { createStaff } from '../../src/admin.ts';
import type { AbuseLimitSettings } from '../../src/limits/abuse.ts';
import { bearer, setup, SUBMIT, TRACK, type TestEnv } from '../helpers.ts';
import { collect, PROGRESS, waitFor, wsClient } from '../realtime-helpers.ts';

const redisUrl = process.env.REDIS_URL;
if (process.env.CI && !redisUrl) throw new Error('CI requires REDIS_URL for the shared rate-limit tests');

let env: TestEnv;
beforeAll(async () => {
  env = await setup();
});
afterAll(() => env.close());

const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(input: { email: $email, password: $password }) {
      __typename ... on LoginPayload { token } ... on RateLimitedError { code retryAfter } ... on Error { code }
    }
  }
`;

interface Cluster {
  urls: string[];
  /** POSTs to the instances in turn. */
  post(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>;
}

for (const mode of ['memory', 'redis'] as const) {
  describe.skipIf(mode === 'redis' && !redisUrl)(`abuse limits (${mode === 'redis' ? 'two instances sharing Redis' : 'one instance, in memory'})`, () => {
    const open: Array<{ app: App; redis?: Redis }> = [];
    afterEach(async () => {
      for (const { app, redis } of open.splice(0)) {
        await app.close();
        redis?.disconnect();
      }
    });

    async function cluster(settings: Partial<AbuseLimitSettings>): Promise<Cluster> {
      const prefix = `closeloop:test:${randomUUID()}`;
      const urls: string[] = [];
      for (let i = 0; i < (mode === 'redis' ? 2 : 1); i++) {
        const redis = mode === 'redis' ? new Redis(redisUrl!) : undefined;
        const app = createApp({ handle: env.handle, secretKey: env.secretKey, limits: { ...settings, redis, prefix } });
        open.push({ app, redis });
        urls.push(`http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/graphql`);
      }
      let turn = 0;
      return {
        urls,
        async post(query, variables, headers = {}) {
          const r = await fetch(urls[turn++ % urls.length]!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
          return { status: r.status, headers: r.headers, body: await r.json() };
        },
      };
    }

    const feedbackCount = async () => (await env.handle.db.select({ n: count() }).from(feedback))[0]!.n;

    it('staff sign-in: blocked per account after the allowed failures, even with the right password, longer each time', async () => {
      const c = await cluster({ loginAccount: { points: 3, duration: 900 }, loginBlockSeconds: 1 });
      const email = `lock-${randomUUID()}@test.dev`;
      await createStaff(env.handle.db, env.app.identity, { email, role: 'AGENT', department: 'CUSTOMER_SERVICE', password: 'right-password-1' });
      for (let i = 0; i < 3; i++) expect((await c.post(LOGIN, { email, password: 'wrong' })).body.data.login.code).toBe('UNAUTHENTICATED');
      const blocked = (await c.post(LOGIN, { email, password: 'right-password-1' })).body.data.login;
      expect(blocked).toEqual({ __typename: 'RateLimitedError', code: 'RATE_LIMITED', retryAfter: 1 });
      // After the block: three more failures block for twice as long.
      let again: any;
      const until = Date.now() + 10_000;
      do again = (await c.post(LOGIN, { email, password: 'wrong' })).body.data.login;
      while (again.code === 'RATE_LIMITED' && Date.now() < until);
      expect(again.code).toBe('UNAUTHENTICATED');
      for (let i = 0; i < 2; i++) await c.post(LOGIN, { email, password: 'wrong' });
      expect((await c.post(LOGIN, { email, password: 'right-password-1' })).body.data.login).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 2 });
    });

    it('staff sign-in: twenty aliased attempts in one document are twenty attempts', async () => {
      const c = await cluster({ loginAccount: { points: 5, duration: 900 } });
      const email = `alias-${randomUUID()}@test.dev`;
      await createStaff(env.handle.db, env.app.identity, { email, role: 'AGENT', department: 'CUSTOMER_SERVICE', password: 'right-password-2' });
      const fields = Array.from({ length: 20 }, (_, i) => `a${i}: login(input: { email: "${email}", password: "guess-${i}" }) { __typename ... on Error { code } }`);
      const r = await c.post(`mutation { ${fields.join(' ')} }`, undefined, {});
      const codes = Object.values(r.body.data).map((x: any) => x.code);
      expect(codes).toEqual([...Array(5).fill('UNAUTHENTICATED'), ...Array(15).fill('RATE_LIMITED')]);
      // The next request, on the other instance, is refused too, right password and all.
      expect((await c.post(LOGIN, { email, password: 'right-password-2' })).body.data.login.code).toBe('RATE_LIMITED');
    });

    it('anonymous submissions per address; a refused one writes nothing', async () => {
      const c = await cluster({ submitAddress: { points: 3, duration: 3600 } });
      const headers = { 'x-closeloop-channel': env.channel.publishableKey };
      const input = { kind: 'SUGGESTION', content: 'Please open the branch on Saturdays.' };
      for (let i = 0; i < 3; i++) expect((await c.post(SUBMIT, { input }, headers)).body.data.submitFeedback.__typename).toBe('SubmitFeedbackPayload');
      const before = await feedbackCount();
      const refused = (await c.post(SUBMIT, { input }, headers)).body.data.submitFeedback;
      expect(refused).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
      expect(await feedbackCount()).toBe(before);
    });

    it('anonymous submissions per channel key, signed-in ones per customer', async () => {
      const c = await cluster({ submitChannel: { points: 2, duration: 3600 }, submitCustomer: { points: 1, duration: 3600 } });
      const input = { kind: 'PRAISE', content: 'Friendly staff at the counter today.' };
      const anon = { 'x-closeloop-channel': env.channel.publishableKey };
      for (let i = 0; i < 2; i++) expect((await c.post(SUBMIT, { input }, anon)).body.data.submitFeedback.__typename).toBe('SubmitFeedbackPayload');
      expect((await c.post(SUBMIT, { input }, anon)).body.data.submitFeedback.code).toBe('RATE_LIMITED');
      const customer = { ...anon, ...bearer(await env.customerToken(`rl-${randomUUID()}`)) };
      expect((await c.post(SUBMIT, { input }, customer)).body.data.submitFeedback.__typename).toBe('SubmitFeedbackPayload');
      expect((await c.post(SUBMIT, { input }, customer)).body.data.submitFeedback.code).toBe('RATE_LIMITED');
    });

    it('tracking-code checks per code, aliases counted, as RATE_LIMITED errors with retryAfter', async () => {
      const c = await cluster({ accessCode: { points: 3, duration: 60 } });
      const s = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'The app logs me out every minute.' } }, { 'x-closeloop-channel': env.channel.publishableKey });
      const { trackingCode, accessKey } = s.data.submitFeedback;
      const doc = `query($c: String!, $k: String) { ${['a', 'b', 'c', 'd'].map((a) => `${a}: trackFeedback(trackingCode: $c, accessKey: $k) { trackingCode }`).join(' ')} }`;
      const r = await c.post(doc, { c: trackingCode, k: accessKey });
      expect(r.status).toBe(200);
      const limited = r.body.errors.filter((e: any) => e.extensions.code === 'RATE_LIMITED');
      expect(limited).toHaveLength(1);
      expect(limited[0].extensions.retryAfter).toBeGreaterThan(0);
      expect(Object.values(r.body.data).filter(Boolean)).toHaveLength(3);
      const next = await c.post(TRACK, { code: trackingCode, key: accessKey });
      expect(next.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    });

    it('customer replies: access keys guessed through replyToFeedback count per code, and a refused reply writes nothing', async () => {
      const c = await cluster({ accessCode: { points: 2, duration: 60 } });
      const s = await env.gql(SUBMIT, { input: { kind: 'INQUIRY', content: 'When does the new card arrive?' } }, { 'x-closeloop-channel': env.channel.publishableKey });
      const { trackingCode, accessKey } = s.data.submitFeedback;
      const REPLY = `mutation($i: ReplyToFeedbackInput!) { replyToFeedback(input: $i) { __typename ... on Error { code } } }`;
      const reply = (key: string, body: string) => c.post(REPLY, { i: { trackingCode, accessKey: key, body } });
      expect((await reply('A'.repeat(43), 'guess one')).body.data.replyToFeedback.code).toBe('NOT_FOUND');
      expect((await reply(accessKey, 'A real question about the card.')).body.data.replyToFeedback.__typename).toBe('ReplyToFeedbackPayload');
      const refused = (await reply(accessKey, 'This one is over the limit.')).body.data.replyToFeedback;
      expect(refused).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
      const track = await env.gql(TRACK, { code: trackingCode, key: accessKey });
      const bodies = track.data.trackFeedback.timeline.map((e: { body: string | null }) => e.body);
      expect(bodies).toContain('A real question about the card.');
      expect(bodies).not.toContain('This one is over the limit.');
    });

    it('partner keys: a leaky bucket of document cost with RateLimit headers, then 429 with Retry-After and nothing run', async () => {
      const c = await cluster({ partnerCost: { points: 1000, duration: 60 } });
      const key = bearer(await env.apiKey(['feedback:read']));
      const doc = '{ feedbacks(first: 5) { edges { node { trackingCode } } } }';
      const first = await c.post(doc, undefined, key);
      expect(first.status).toBe(200);
      expect(first.headers.get('ratelimit-policy')).toBe('"cost";q=1000;w=60');
      const used = 1000 - Number(/r=(\d+)/.exec(first.headers.get('ratelimit')!)![1]);
      expect(used).toBeGreaterThan(1);
      let last = first;
      // The bucket drains while we pour (1000 per minute), so allow for a few more requests than 1000 / used.
      for (let i = 0; i < 3 * Math.ceil(1000 / used) && last.status === 200; i++) last = await c.post(doc, undefined, key);
      expect(last.status).toBe(429);
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(last.body.data).toBeUndefined();
      expect(last.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      // A leaky bucket: once enough has drained (Retry-After), the same request fits again.
      const until = Date.now() + 15_000;
      let again = last;
      while (again.status === 429 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 250));
        again = await c.post(doc, undefined, key);
      }
      expect(again.status).toBe(200);
      // Staff are not charged by the partner budget.
      const staff = bearer((await env.staffToken('AGENT')).token);
      expect((await c.post(doc, undefined, staff)).status).toBe(200);
    });

    it('WebSocket connections and subscriptions per address', async () => {
      const c = await cluster({ wsConnectAddress: { points: 2, duration: 60 }, subscribeAddress: { points: 1, duration: 60 } });
      const wsUrls = c.urls.map((u) => u.replace('http', 'ws'));
      const sockets: WebSocket[] = [];
      const upgrade = (u: string) =>
        new Promise<number>((resolve) => {
          const s = new WebSocket(u, 'graphql-transport-ws');
          sockets.push(s);
          s.on('error', () => {});
          s.once('open', () => resolve(101));
          s.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        });
      expect(await upgrade(wsUrls[0]!)).toBe(101);
      expect(await upgrade(wsUrls[wsUrls.length - 1]!)).toBe(101);
      expect(await upgrade(wsUrls[0]!)).toBe(429);
      for (const s of sockets) s.close();
      // Subscriptions: a fresh cluster so connections are not what refuses.
      const d = await cluster({ subscribeAddress: { points: 1, duration: 60 } });
      const s = await env.gql(SUBMIT, { input: { kind: 'INQUIRY', content: 'When does the new card arrive?' } }, { 'x-closeloop-channel': env.channel.publishableKey });
      // after: "0" replays the SUBMITTED event: the sign that the first subscription is running.
      const vars = { code: s.data.submitFeedback.trackingCode, key: s.data.submitFeedback.accessKey, after: '0' };
      const clients = d.urls.map((u) => wsClient(u.replace('http', 'ws')));
      const one = collect(clients[0]!, PROGRESS, vars, 'feedbackProgress');
      await waitFor(() => one.received.events.length > 0, 10_000, 'replay of the first subscription');
      const two = collect(clients[clients.length - 1]!, PROGRESS, vars, 'feedbackProgress');
      await two.done;
      expect(two.received.errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
      one.dispose();
      for (const cl of clients) await cl.dispose();
    });
  });
}
