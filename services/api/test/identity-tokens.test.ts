// Identity realms and the rules for customer tokens (issue 10, Identity), on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { count } from 'drizzle-orm';
import { customers } from '@closeloop/db';
import { bearer, setup, SUBMIT, type TestEnv } from './helpers.ts';
import { createChannel } from '../src/admin.ts';

let env: TestEnv;
let app: { publishableKey: string; signingSecret: string };
let partner: { publishableKey: string; signingSecret: string };

const sign = (secret: string, sub: string, claims: Record<string, unknown> = {}, times: { iat?: number | null; exp?: number | null } = {}) => {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub);
  const iat = times.iat === undefined ? now : times.iat;
  const exp = times.exp === undefined ? now + 600 : times.exp;
  if (iat !== null) jwt.setIssuedAt(iat);
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(secret));
};
const as = (token: string, channelKey: string) => ({ ...bearer(token), 'x-closeloop-channel': channelKey });
const MINE = `{ viewer { customer { id externalId realm } } feedbacks(first: 10) { edges { node { trackingCode } } } }`;

beforeAll(async () => {
  env = await setup();
  const a = await createChannel(env.handle.db, env.app.identity, { name: 'Bank app', kind: 'APP' });
  app = { publishableKey: a.publishableKey, signingSecret: a.signingSecret! };
  const p = await createChannel(env.handle.db, env.app.identity, { name: 'Partner mini-program', kind: 'MINI_PROGRAM', partner: true });
  partner = { publishableKey: p.publishableKey, signingSecret: p.signingSecret! };
});
afterAll(() => env.close());

describe('identity realms', () => {
  it("the bank's own channels share one customer; a partner channel's secret cannot act as them", async () => {
    const web = await sign(env.channel.signingSecret, 'u-1001', { name: 'Zhang' });
    const submitted = await env.gql(SUBMIT, { input: { kind: 'COMPLAINT', content: 'My card was charged twice' } }, as(web, env.channel.publishableKey));
    const code = submitted.data.submitFeedback.trackingCode;
    expect(code).toBeTruthy();

    // The same person signed in through the bank's app sees the feedback given on the website.
    const viaApp = await env.gql(MINE, {}, as(await sign(app.signingSecret, 'u-1001'), app.publishableKey));
    expect(viaApp.data.viewer.customer).toMatchObject({ externalId: 'u-1001', realm: 'default' });
    expect(viaApp.data.feedbacks.edges.map((e: any) => e.node.trackingCode)).toEqual([code]);

    // The partner's secret signing the same subject is another person, in the partner's realm.
    const partnerToken = await sign(partner.signingSecret, 'u-1001');
    const viaPartner = await env.gql(MINE, {}, as(partnerToken, partner.publishableKey));
    expect(viaPartner.data.viewer.customer.realm).toBe(`partner:${partner.publishableKey}`);
    expect(viaPartner.data.viewer.customer.id).not.toBe(viaApp.data.viewer.customer.id);
    expect(viaPartner.data.feedbacks.edges).toEqual([]);
    const tracked = await env.gql('query($c: String!) { trackFeedback(trackingCode: $c) { trackingCode } }', { c: code }, as(partnerToken, partner.publishableKey));
    expect(tracked.data.trackFeedback).toBeNull();

    // Presented to the bank's app channel, the partner-signed token does not verify at all.
    const forged = await env.gql(MINE, {}, as(partnerToken, app.publishableKey));
    expect(forged.status).toBe(401);
    expect(forged.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    // Nor when the token names the app channel as its issuer while the header names the partner's.
    const named = await sign(partner.signingSecret, 'u-1001', { iss: app.publishableKey });
    const mismatch = await env.gql(MINE, {}, as(named, partner.publishableKey));
    expect(mismatch.errors?.[0].extensions.code).toBe('CHANNEL_MISMATCH');
  });
});

describe('customer tokens', () => {
  const refusal = async (token: string) => {
    const r = await env.gql(MINE, {}, as(token, env.channel.publishableKey));
    expect(r.status).toBe(401);
    return r.errors?.[0].extensions.code;
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('need iat and exp, live at most 24 h, and are not issued in the future', async () => {
    const s = env.channel.signingSecret;
    expect(await refusal(await sign(s, 'u-1', {}, { iat: null }))).toBe('TOKEN_CLAIM_MISSING');
    expect(await refusal(await sign(s, 'u-1', {}, { exp: null }))).toBe('TOKEN_CLAIM_MISSING');
    // A token valid for ten years is refused even though it has not expired.
    expect(await refusal(await sign(s, 'u-1', {}, { iat: now(), exp: now() + 10 * 365 * 86400 }))).toBe('TOKEN_LIFETIME_TOO_LONG');
    expect(await refusal(await sign(s, 'u-1', {}, { iat: now() - 60, exp: now() + 24 * 3600 }))).toBe('TOKEN_LIFETIME_TOO_LONG');
    expect(await refusal(await sign(s, 'u-1', {}, { iat: now() + 3600, exp: now() + 7200 }))).toBe('TOKEN_ISSUED_IN_FUTURE');
    expect(await refusal(await sign(s, 'u-1', {}, { iat: now() - 7200, exp: now() - 3600 }))).toBe('TOKEN_EXPIRED');
    // Exactly 24 h, and a host clock a few seconds ahead, are accepted.
    const ok = await env.gql(MINE, {}, as(await sign(s, 'u-1', {}, { iat: now() + 5, exp: now() + 5 + 24 * 3600 }), env.channel.publishableKey));
    expect(ok.data.viewer.customer.externalId).toBe('u-1');
  });

  it('the maximum lifetime is configuration', async () => {
    const short = await setup({ customerTokenMaxTtlSeconds: 300 });
    try {
      const token = await sign(short.channel.signingSecret, 'u-2', {}, { iat: now(), exp: now() + 600 });
      const r = await short.gql(MINE, {}, as(token, short.channel.publishableKey));
      expect(r.errors?.[0].extensions.code).toBe('TOKEN_LIFETIME_TOO_LONG');
    } finally {
      await short.close();
    }
  });

  it('verifying a token writes nothing; sign-in afterwards creates the customer', async () => {
    const customerCount = async () => (await env.handle.db.select({ n: count() }).from(customers))[0]!.n;
    const before = await customerCount();
    const token = await sign(env.channel.signingSecret, 'u-new', { name: 'New', tier: 'VIP' });
    const credential = await env.app.identity.verify(token, env.channel.publishableKey);
    expect(credential).toMatchObject({ kind: 'CUSTOMER_TOKEN', claims: { realm: 'default', externalId: 'u-new', name: 'New', tierCode: 'VIP' } });
    expect(await customerCount()).toBe(before);
    // A refused token writes nothing either.
    await refusal(await sign(env.channel.signingSecret, 'u-refused', {}, { iat: now(), exp: now() + 10 * 86400 }));
    expect(await customerCount()).toBe(before);
    const r = await env.gql('{ viewer { customer { externalId name tier { code } } } }', {}, as(token, env.channel.publishableKey));
    expect(r.data.viewer.customer).toEqual({ externalId: 'u-new', name: 'New', tier: { code: 'VIP' } });
    expect(await customerCount()).toBe(before + 1);
  });
});
