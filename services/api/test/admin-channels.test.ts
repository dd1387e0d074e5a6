// Channels and partner API keys through the API (issue 13): creation, updates, secret rotation with an
// overlap window, API key scopes, expiry, last use and revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { eq } from 'drizzle-orm';
import { channelApps } from '@closeloop/db';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { bearer, setup, type TestEnv } from './helpers.ts';
import { auditLog } from '@closeloop/db';
import { verifyAuditChain } from '../src/services/audit.ts';
import { runCommand } from '../src/commands.ts';

let env: TestEnv;
let admin: string;
let auditor: string;

const CHANNEL = 'id name kind realm partner publishableKey algorithms hasSigningSecret allowedOrigins active previousSecretExpiresAt';
const CREATE = `mutation($i: CreateChannelInput!) { createChannel(input: $i) { __typename
  ... on CreateChannelPayload { publishableKey signingSecret channel { ${CHANNEL} } }
  ... on ValidationError { fieldErrors { path code } } ... on Error { code } } }`;
const UPDATE = `mutation($i: UpdateChannelInput!) { updateChannel(input: $i) { __typename
  ... on ChannelApp { ${CHANNEL} publicKeyJwk } ... on ValidationError { fieldErrors { path code } } ... on Error { code } } }`;
const ROTATE = `mutation($i: RotateChannelSecretInput!) { rotateChannelSecret(input: $i) { __typename
  ... on RotateChannelSecretPayload { signingSecret previousSecretExpiresAt channel { previousSecretExpiresAt } }
  ... on ValidationError { fieldErrors { path code } } ... on Error { code } } }`;
const WHO = '{ viewer { kind customer { externalId } } }';

const token = (secret: string, sub = 'cust-1') =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(secret));
const asCustomer = async (secret: string, key: string) => env.gql(WHO, {}, { ...bearer(await token(secret)), 'x-closeloop-channel': key });

beforeAll(async () => {
  env = await setup();
  admin = (await env.staffToken('ADMIN', null)).token;
  auditor = (await env.staffToken('AUDITOR', null)).token;
});
afterAll(() => env.close());

describe('channels', () => {
  it('createChannel validates, returns the secret once, and puts partner channels in their own realm', async () => {
    const bad = await env.gql(CREATE, { i: { name: ' ', kind: 'APP', allowedOrigins: ['https://bank.example/path', 'bank.example'], realm: 'bad realm' } }, bearer(admin));
    expect(bad.data.createChannel.fieldErrors).toEqual([
      { path: ['input', 'name'], code: 'REQUIRED' },
      { path: ['input', 'realm'], code: 'INVALID' },
      { path: ['input', 'allowedOrigins', '0'], code: 'INVALID_ORIGIN' },
      { path: ['input', 'allowedOrigins', '1'], code: 'INVALID_ORIGIN' },
    ]);
    const own = await env.gql(CREATE, { i: { name: 'Bank app', kind: 'APP', allowedOrigins: ['https://m.bank.example'] } }, bearer(admin));
    expect(own.data.createChannel).toMatchObject({
      __typename: 'CreateChannelPayload', signingSecret: expect.any(String),
      channel: { kind: 'APP', realm: 'default', partner: false, algorithms: ['HS256'], hasSigningSecret: true, allowedOrigins: ['https://m.bank.example'], active: true },
    });
    const partner = await env.gql(CREATE, { i: { name: 'Insurer portal', kind: 'PARTNER' } }, bearer(admin));
    expect(partner.data.createChannel.channel).toMatchObject({ partner: true, realm: `partner:${partner.data.createChannel.publishableKey}` });
    // The secret is never readable again.
    const listed = await env.gql('{ channelApps { publishableKey hasSigningSecret } }', {}, bearer(auditor));
    expect(JSON.stringify(listed.data)).not.toContain(own.data.createChannel.signingSecret);
    expect(listed.data.channelApps.length).toBeGreaterThanOrEqual(3);
    expect((await env.gql(CREATE, { i: { name: 'x', kind: 'WEB' } }, bearer(auditor))).data.createChannel.code).toBe('FORBIDDEN');
  });

  it('updateChannel sets origins, disables and enables, registers and removes a public key', async () => {
    const made = (await env.gql(CREATE, { i: { name: 'Mini program', kind: 'MINI_PROGRAM' } }, bearer(admin))).data.createChannel;
    const id = made.channel.id;
    const key = made.publishableKey;
    expect((await asCustomer(made.signingSecret, key)).data.viewer.kind).toBe('CUSTOMER');

    const off = await env.gql(UPDATE, { i: { id, active: false, name: 'Mini program (paused)', allowedOrigins: ['https://servicewechat.com'] } }, bearer(admin));
    expect(off.data.updateChannel).toMatchObject({ active: false, name: 'Mini program (paused)', allowedOrigins: ['https://servicewechat.com'] });
    const refused = await asCustomer(made.signingSecret, key);
    expect(refused.errors?.[0].extensions.code).toBe('UNKNOWN_CHANNEL');
    await env.gql(UPDATE, { i: { id, active: true } }, bearer(admin));

    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const withKey = await env.gql(UPDATE, { i: { id, publicKeyJwk: JSON.stringify(jwk) } }, bearer(admin));
    expect(withKey.data.updateChannel.algorithms).toEqual(['HS256', 'ES256']);
    const es = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('cust-es').setIssuedAt().setExpirationTime('5m').sign(privateKey);
    expect((await env.gql(WHO, {}, { ...bearer(es), 'x-closeloop-channel': key })).data.viewer.customer.externalId).toBe('cust-es');

    const privateJwk = await exportJWK(privateKey);
    const leaked = await env.gql(UPDATE, { i: { id, publicKeyJwk: JSON.stringify(privateJwk) } }, bearer(admin));
    expect(leaked.data.updateChannel.fieldErrors).toEqual([{ path: ['input', 'publicKeyJwk'], code: 'PRIVATE_KEY' }]);
    expect((await env.gql(UPDATE, { i: { id, publicKeyJwk: '{not json' } }, bearer(admin))).data.updateChannel.fieldErrors[0].code).toBe('INVALID_JSON');

    const removed = await env.gql(UPDATE, { i: { id, removePublicKey: true } }, bearer(admin));
    expect(removed.data.updateChannel).toMatchObject({ algorithms: ['HS256'], publicKeyJwk: null });
    expect((await env.gql(WHO, {}, { ...bearer(es), 'x-closeloop-channel': key })).status).toBe(401);
  });

  it('rotateChannelSecret: the old secret verifies only through the overlap window', async () => {
    const made = (await env.gql(CREATE, { i: { name: 'Website', kind: 'WEB' } }, bearer(admin))).data.createChannel;
    const { id } = made.channel;
    const before = Date.now();
    const rotated = (await env.gql(ROTATE, { i: { id } }, bearer(admin))).data.rotateChannelSecret;
    expect(rotated.__typename).toBe('RotateChannelSecretPayload');
    expect(rotated.signingSecret).not.toBe(made.signingSecret);
    // Default overlap: 24 h.
    const until = new Date(rotated.previousSecretExpiresAt).getTime();
    expect(until - before).toBeGreaterThanOrEqual(24 * 3600 * 1000 - 5000);
    expect(until - before).toBeLessThanOrEqual(24 * 3600 * 1000 + 5000);
    expect((await asCustomer(rotated.signingSecret, made.publishableKey)).data.viewer.kind).toBe('CUSTOMER');
    expect((await asCustomer(made.signingSecret, made.publishableKey)).data.viewer.kind).toBe('CUSTOMER');

    // The window ends (moved into the past rather than waited for): the old secret is refused, the new one works.
    await env.handle.db.update(channelApps).set({ previousSecretExpiresAt: new Date(Date.now() - 1000) }).where(eq(channelApps.id, decodeGlobalID(id).id));
    expect((await asCustomer(made.signingSecret, made.publishableKey)).status).toBe(401);
    expect((await asCustomer(rotated.signingSecret, made.publishableKey)).data.viewer.kind).toBe('CUSTOMER');

    // overlapSeconds: 0 replaces the secret at once; a second rotation drops the one before it.
    const now = (await env.gql(ROTATE, { i: { id, overlapSeconds: 0 } }, bearer(admin))).data.rotateChannelSecret;
    expect(now.previousSecretExpiresAt).toBeNull();
    expect((await asCustomer(rotated.signingSecret, made.publishableKey)).status).toBe(401);
    expect((await asCustomer(now.signingSecret, made.publishableKey)).data.viewer.kind).toBe('CUSTOMER');
    const bad = await env.gql(ROTATE, { i: { id, overlapSeconds: -1 } }, bearer(admin));
    expect(bad.data.rotateChannelSecret.fieldErrors).toEqual([{ path: ['input', 'overlapSeconds'], code: 'OUT_OF_RANGE' }]);
  });

  it('the overlap window is configuration', async () => {
    const short = await setup({ channelSecretOverlapSeconds: 60 });
    try {
      const a = (await short.staffToken('ADMIN', null)).token;
      const made = (await short.gql(CREATE, { i: { name: 'Web', kind: 'WEB' } }, bearer(a))).data.createChannel;
      const r = (await short.gql(ROTATE, { i: { id: made.channel.id } }, bearer(a))).data.rotateChannelSecret;
      const ms = new Date(r.previousSecretExpiresAt).getTime() - Date.now();
      expect(ms).toBeGreaterThan(50_000);
      expect(ms).toBeLessThanOrEqual(60_000);
    } finally {
      await short.close();
    }
  });
});

describe('API keys', () => {
  const CREATE_KEY = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { __typename
    ... on CreateApiKeyPayload { key apiKey { id name prefix scopes expiresAt lastUsedAt revokedAt } }
    ... on ValidationError { fieldErrors { path code } } ... on Error { code } } }`;

  it('are created with scopes and an optional expiry, note their last use, and are revoked', async () => {
    const bad = await env.gql(CREATE_KEY, { i: { name: '', scopes: ['everything'], expiresAt: '2020-01-01T00:00:00Z' } }, bearer(admin));
    expect(bad.data.createApiKey.fieldErrors).toEqual([
      { path: ['input', 'name'], code: 'REQUIRED' }, { path: ['input', 'scopes'], code: 'INVALID' }, { path: ['input', 'expiresAt'], code: 'IN_THE_PAST' },
    ]);
    const made = (await env.gql(CREATE_KEY, { i: { name: 'CRM', scopes: ['customers:read', 'customers:write'] } }, bearer(admin))).data.createApiKey;
    expect(made.key).toMatch(new RegExp(`^clk_${made.apiKey.prefix}_`));
    expect(made.apiKey).toMatchObject({ scopes: ['customers:read', 'customers:write'], lastUsedAt: null, revokedAt: null, expiresAt: null });

    expect((await env.gql('{ viewer { kind apiKeyName } }', {}, bearer(made.key))).data.viewer).toEqual({ kind: 'PARTNER', apiKeyName: 'CRM' });
    const listed = (await env.gql('{ apiKeys { id lastUsedAt } }', {}, bearer(auditor))).data.apiKeys.find((k: any) => k.id === made.apiKey.id);
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify((await env.gql('{ apiKeys { name prefix } }', {}, bearer(admin))).data)).not.toContain(made.key);

    const revoked = await env.gql('mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { __typename ... on ApiKey { revokedAt } ... on Error { code } } }', { i: { id: made.apiKey.id } }, bearer(admin));
    expect(revoked.data.revokeApiKey.revokedAt).toBeTruthy();
    const after = await env.gql('{ viewer { kind } }', {}, bearer(made.key));
    expect(after.status).toBe(401);
  });

  it('an expired key is refused with API_KEY_EXPIRED', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const made = (await env.gql(CREATE_KEY, { i: { name: 'Short-lived', scopes: ['feedback:read'], expiresAt: soon } }, bearer(admin))).data.createApiKey;
    expect((await env.gql('{ viewer { kind } }', {}, bearer(made.key))).data.viewer.kind).toBe('PARTNER');
    const { apiKeys } = await import('@closeloop/db');
    await env.handle.db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiKeys.id, decodeGlobalID(made.apiKey.id).id));
    const r = await env.gql('{ viewer { kind } }', {}, bearer(made.key));
    expect(r.errors?.[0].extensions.code).toBe('API_KEY_EXPIRED');
  });
});

describe('the CLI', () => {
  it('create-channel --partner shares the service and puts the channel in its own realm', async () => {
    const ctx = { db: env.handle.db, identity: env.app.identity, services: env.app.services, secretKey: env.secretKey };
    const r = await runCommand(ctx, 'create-channel', { name: 'Partner H5', kind: 'mini_program', partner: true });
    expect(r.realm).toBe(`partner:${r.publishableKey}`);
    await expect(runCommand(ctx, 'create-channel', { name: 'x', kind: 'FAX' })).rejects.toThrow(/--kind must be one of/);
  });
});

describe('audit', () => {
  it('every change above is on the intact audit chain', async () => {
    const rows = await env.handle.db.select().from(auditLog).orderBy(auditLog.id);
    expect(verifyAuditChain(rows)).toBe(-1);
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['channel.create', 'channel.update', 'channel.rotate_secret', 'api_key.create', 'api_key.revoke']) expect(actions).toContain(a);
  });
});
