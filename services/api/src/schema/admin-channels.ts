// Channel apps and partner API keys through the API (issue 13): createChannel, updateChannel,
// rotateChannelSecret, createApiKey, revokeApiKey, and their lists for admins. Secrets appear once.
import { CUSTOMER_SIGNING_ALGORITHMS, DEFAULT_REALM, type CustomerSigningAlgorithm } from '@closeloop/domain';
import { builder } from './builder.ts';
import { ChannelEnum } from './enums.ts';
import { ValidationError } from './errors.ts';
import { inputId } from './ids.ts';
import { ADMIN, ADMIN_READERS, adminErrors } from './admin-staff.ts';
import { actorOf } from '../services/feedback.ts';
import type { ChannelApp } from '../auth/identity.ts';

const SigningAlgorithmEnum = builder.enumType('CustomerSigningAlgorithm', { values: CUSTOMER_SIGNING_ALGORITHMS });

export const ChannelAppRef = builder.drizzleNode('channelApps', {
  name: 'ChannelApp',
  description: 'A registered channel: its publishable key identifies it; customer tokens are signed with its secret or the host’s private key.',
  id: { column: (c) => c.id },
  authScopes: ADMIN_READERS,
  runScopesOnType: true,
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: ChannelEnum }),
    realm: t.exposeString('realm', { description: 'Identity realm: channels of one realm share their customers.' }),
    partner: t.boolean({ description: "A partner's channel: its customers are not the institution's own.", resolve: (c) => c.realm !== DEFAULT_REALM }),
    publishableKey: t.exposeString('publishableKey'),
    algorithms: t.field({ type: [SigningAlgorithmEnum], resolve: (c) => c.allowedAlgorithms as CustomerSigningAlgorithm[] }),
    hasSigningSecret: t.boolean({ resolve: (c) => c.signingSecretEnc !== null }),
    publicKeyJwk: t.string({ nullable: true, description: 'The registered public key (JSON).', resolve: (c) => (c.publicKeyJwk ? JSON.stringify(c.publicKeyJwk) : null) }),
    previousSecretExpiresAt: t.field({
      type: 'DateTime', nullable: true, description: 'After a rotation: until when the replaced secret still verifies.',
      resolve: (c) => (c.previousSecretExpiresAt && c.previousSecretExpiresAt.getTime() > Date.now() ? c.previousSecretExpiresAt : null),
    }),
    allowedOrigins: t.exposeStringList('allowedOrigins'),
    active: t.exposeBoolean('active'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const ApiKeyRef = builder.drizzleNode('apiKeys', {
  name: 'ApiKey',
  description: 'A partner system’s key. Only its prefix is shown; the key itself was returned once at creation.',
  id: { column: (k) => k.id },
  authScopes: { staffRole: ['ADMIN', 'AUDITOR'] },
  runScopesOnType: true,
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The key starts with clk_<prefix>_.' }),
    scopes: t.exposeStringList('scopes'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Accurate to a minute.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryFields((t) => ({
  channelApps: t.drizzleField({
    type: ['channelApps'], authScopes: ADMIN_READERS, description: 'Registered channels (admins, supervisors, auditors).',
    resolve: (query, _r, _a, ctx) => ctx.db.query.channelApps.findMany(query({ orderBy: { createdAt: 'asc', id: 'asc' } })),
  }),
  apiKeys: t.drizzleField({
    type: ['apiKeys'], authScopes: { staffRole: ['ADMIN', 'AUDITOR'] }, description: 'Partner API keys, revoked ones included.',
    resolve: (query, _r, _a, ctx) => ctx.db.query.apiKeys.findMany(query({ orderBy: { createdAt: 'asc', id: 'asc' } })),
  }),
}));

function parseJwk(raw: string | null | undefined): Record<string, unknown> | null | undefined {
  if (raw == null) return raw;
  try {
    const v = JSON.parse(raw);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch { /* reported below */ }
  throw new ValidationError([{ path: ['input', 'publicKeyJwk'], code: 'INVALID_JSON', message: 'publicKeyJwk must be a JSON Web Key object' }]);
}

const CreateChannelInput = builder.inputType('CreateChannelInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: ChannelEnum, required: true }),
    partner: t.boolean({ description: "A partner's channel gets an identity realm of its own. Default: true for kind PARTNER, else false." }),
    realm: t.string({ description: 'An explicit realm (e.g. shared by two channels of one partner). Fixed once created.' }),
    publicKeyJwk: t.string({ description: 'A public JWK (JSON): EC P-256 for ES256 or OKP Ed25519 for EdDSA.' }),
    algorithms: t.field({ type: [SigningAlgorithmEnum], description: 'Default: HS256 with a generated secret, or the public key’s algorithm.' }),
    allowedOrigins: t.stringList({ description: 'Host page origins allowed to call the API from a browser with this key.' }),
  }),
});
const UpdateChannelInput = builder.inputType('UpdateChannelInput', {
  description: 'Fields given replace the stored ones. The realm cannot change.',
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string(),
    allowedOrigins: t.stringList(),
    active: t.boolean({ description: 'false: the publishable key and its customer tokens are refused.' }),
    publicKeyJwk: t.string({ description: 'Registers or replaces the public key (JSON JWK).' }),
    removePublicKey: t.boolean(),
    algorithms: t.field({ type: [SigningAlgorithmEnum] }),
  }),
});
const RotateChannelSecretInput = builder.inputType('RotateChannelSecretInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    overlapSeconds: t.int({ description: 'How long the replaced secret keeps verifying; default CLOSELOOP_CHANNEL_SECRET_OVERLAP (24 h). 0 = at once.' }),
  }),
});
const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    scopes: t.stringList({ required: true }),
    expiresAt: t.field({ type: 'DateTime' }),
  }),
});
const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', { fields: (t) => ({ id: t.id({ required: true }) }) });

const CreateChannelPayload = builder.objectRef<{ channel: ChannelApp; publishableKey: string; signingSecret: string | null }>('CreateChannelPayload').implement({
  description: 'The signing secret is shown here once and never again.',
  fields: (t) => ({
    channel: t.field({ type: ChannelAppRef, resolve: (p) => p.channel as never }),
    publishableKey: t.exposeString('publishableKey'),
    signingSecret: t.exposeString('signingSecret', { nullable: true }),
  }),
});
const RotatePayload = builder.objectRef<{ channel: ChannelApp; signingSecret: string; previousSecretExpiresAt: Date | null }>('RotateChannelSecretPayload').implement({
  description: 'The new secret is shown here once. The old one verifies until previousSecretExpiresAt.',
  fields: (t) => ({
    channel: t.field({ type: ChannelAppRef, resolve: (p) => p.channel as never }),
    signingSecret: t.exposeString('signingSecret'),
    previousSecretExpiresAt: t.expose('previousSecretExpiresAt', { type: 'DateTime', nullable: true }),
  }),
});
const CreateApiKeyPayload = builder.objectRef<{ apiKey: string; record: unknown }>('CreateApiKeyPayload').implement({
  description: 'The key is shown here once and never again; only its SHA-256 is stored.',
  fields: (t) => ({
    key: t.exposeString('apiKey', { description: 'Send as `Authorization: Bearer <key>`.' }),
    apiKey: t.field({ type: ApiKeyRef, resolve: (p) => p.record as never }),
  }),
});

builder.mutationFields((t) => ({
  createChannel: t.field({
    type: CreateChannelPayload, authScopes: ADMIN, errors: adminErrors('CreateChannelResult'),
    args: { input: t.arg({ type: CreateChannelInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.channels.create(actorOf(ctx.viewer), { ...input, publicKeyJwk: parseJwk(input.publicKeyJwk) }),
  }),
  updateChannel: t.field({
    type: ChannelAppRef, authScopes: ADMIN, errors: adminErrors('UpdateChannelResult'),
    args: { input: t.arg({ type: UpdateChannelInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.channels.update(actorOf(ctx.viewer), inputId(input.id, 'ChannelApp', ['input', 'id']), {
      ...input, publicKeyJwk: parseJwk(input.publicKeyJwk),
    }) as never,
  }),
  rotateChannelSecret: t.field({
    type: RotatePayload, authScopes: ADMIN, errors: adminErrors('RotateChannelSecretResult'),
    args: { input: t.arg({ type: RotateChannelSecretInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.channels.rotateSecret(actorOf(ctx.viewer), inputId(input.id, 'ChannelApp', ['input', 'id']), input.overlapSeconds ?? undefined),
  }),
  createApiKey: t.field({
    type: CreateApiKeyPayload, authScopes: ADMIN, errors: adminErrors('CreateApiKeyResult'),
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.apiKeys.create(actorOf(ctx.viewer), input),
  }),
  revokeApiKey: t.field({
    type: ApiKeyRef, authScopes: ADMIN, errors: adminErrors('RevokeApiKeyResult'),
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.apiKeys.revoke(actorOf(ctx.viewer), inputId(input.id, 'ApiKey', ['input', 'id'])) as never,
  }),
}));
