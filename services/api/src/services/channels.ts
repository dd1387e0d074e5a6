// Channel apps: where customer feedback comes from. Create, update (name, allowed origins, enabled,
// public key), and rotate the signing secret with an overlap window. Secrets are returned once.
//
// Identity realms: the institution's own channels share DEFAULT_REALM, so a customer of the site, the
// app and the mini-program is one person; a partner's channel gets a realm of its own, so its signing
// secret can never act as a customer of the institution's channels. The realm is fixed at creation.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { channelApps, type Database } from '@closeloop/db';
import {
  CHANNELS, CUSTOMER_SIGNING_ALGORITHMS, DEFAULT_REALM, REALM_PATTERN, type Channel, type CustomerSigningAlgorithm, type FieldError,
} from '@closeloop/domain';
import type { ChannelApp, Identity } from '../auth/identity.ts';
import { randomToken } from '../auth/keys.ts';
import { ConflictError, NotFoundError, ValidationError } from '../schema/errors.ts';
import { audit } from './audit.ts';
import type { Actor } from './events.ts';
import { isUniqueViolation } from './feedback.ts';

export const DEFAULT_CHANNEL_SECRET_OVERLAP_S = 24 * 3600;

export interface CreateChannelInput {
  name: string;
  kind: string;
  /** A partner's channel: its customers form a realm of their own. Default: true for kind PARTNER. */
  partner?: boolean | null;
  /** An explicit realm (e.g. two channels of one partner sharing customers); implies nothing else. */
  realm?: string | null;
  publicKeyJwk?: Record<string, unknown> | null;
  /** Defaults to HS256 with a generated secret; with a public key, its algorithm. */
  algorithms?: CustomerSigningAlgorithm[] | null;
  allowedOrigins?: string[] | null;
  publishableKey?: string;
}

export interface UpdateChannelInput {
  name?: string | null;
  allowedOrigins?: string[] | null;
  active?: boolean | null;
  /** Registers or replaces the public key; null leaves it, use `removePublicKey` to drop it. */
  publicKeyJwk?: Record<string, unknown> | null;
  removePublicKey?: boolean | null;
  algorithms?: CustomerSigningAlgorithm[] | null;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function alnum(n: number): string {
  return Array.from(randomBytes(n), (x) => ALNUM[x % ALNUM.length]).join('');
}

/** `https://bank.example` or `http://localhost:8080`: scheme, host and optional port, nothing else. */
export function originProblem(origin: string): string | null {
  try {
    const u = new URL(origin);
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.origin !== origin) return 'an origin is scheme://host[:port] without a path';
    return null;
  } catch {
    return 'not an origin (e.g. https://www.bank.example)';
  }
}

function checkOrigins(origins: string[] | null | undefined, errors: FieldError[]): void {
  if (!origins) return;
  if (origins.length > 50) errors.push({ path: ['input', 'allowedOrigins'], code: 'TOO_MANY', message: 'allowedOrigins: at most 50' });
  origins.forEach((o, i) => {
    const problem = originProblem(o);
    if (problem) errors.push({ path: ['input', 'allowedOrigins', String(i)], code: 'INVALID_ORIGIN', message: `allowedOrigins: ${problem}` });
  });
}

function checkJwk(jwk: Record<string, unknown> | null | undefined, errors: FieldError[]): void {
  if (!jwk) return;
  if (jwk.d !== undefined) errors.push({ path: ['input', 'publicKeyJwk'], code: 'PRIVATE_KEY', message: 'publicKeyJwk must be a public key (it contains "d")' });
  else if (!((jwk.kty === 'EC' && jwk.crv === 'P-256') || (jwk.kty === 'OKP' && jwk.crv === 'Ed25519'))) {
    errors.push({ path: ['input', 'publicKeyJwk'], code: 'UNSUPPORTED_KEY', message: 'publicKeyJwk must be an EC P-256 (ES256) or OKP Ed25519 (EdDSA) public JWK' });
  }
}

function checkAlgorithms(algorithms: string[] | null | undefined, hasKey: boolean, hasSecret: boolean, errors: FieldError[]): void {
  if (!algorithms) return;
  if (algorithms.length === 0) errors.push({ path: ['input', 'algorithms'], code: 'REQUIRED', message: 'algorithms: at least one' });
  for (const a of algorithms) {
    if (!CUSTOMER_SIGNING_ALGORITHMS.includes(a as CustomerSigningAlgorithm)) errors.push({ path: ['input', 'algorithms'], code: 'INVALID', message: `algorithms: one of ${CUSTOMER_SIGNING_ALGORITHMS.join(', ')}` });
    else if (a !== 'HS256' && !hasKey) errors.push({ path: ['input', 'algorithms'], code: 'NO_PUBLIC_KEY', message: `${a} needs a registered public key` });
    else if (a === 'HS256' && !hasSecret) errors.push({ path: ['input', 'algorithms'], code: 'NO_SECRET', message: 'HS256 needs a signing secret (rotateChannelSecret creates one)' });
  }
}

export class ChannelService {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
    private readonly overlapSeconds = DEFAULT_CHANNEL_SECRET_OVERLAP_S,
  ) {}

  async create(actor: Actor, input: CreateChannelInput) {
    const errors: FieldError[] = [];
    const name = input.name?.trim() ?? '';
    if (!name || name.length > 100) errors.push({ path: ['input', 'name'], code: 'REQUIRED', message: 'name is required (1–100 characters)' });
    if (!CHANNELS.includes(input.kind as Channel)) errors.push({ path: ['input', 'kind'], code: 'INVALID', message: `kind must be one of ${CHANNELS.join(', ')}` });
    const realm = input.realm?.trim();
    if (realm !== undefined && !REALM_PATTERN.test(realm)) errors.push({ path: ['input', 'realm'], code: 'INVALID', message: 'realm: 1–100 letters, digits, -, _ and :, starting with a letter or digit' });
    const jwk = input.publicKeyJwk ?? null;
    checkJwk(jwk, errors);
    checkOrigins(input.allowedOrigins, errors);
    const algorithms = input.algorithms ?? (jwk ? [jwk.kty === 'OKP' ? 'EdDSA' : 'ES256'] as CustomerSigningAlgorithm[] : ['HS256' as const]);
    checkAlgorithms(algorithms, jwk !== null, true, errors);
    if (errors.length) throw new ValidationError(errors);
    const signingSecret = algorithms.includes('HS256') ? randomToken(32) : null;
    const publishableKey = input.publishableKey ?? `pk_${input.kind.toLowerCase()}_${alnum(20)}`;
    const partner = input.partner ?? input.kind === 'PARTNER';
    // A partner channel's own realm is named after its publishable key: unique and recognisable.
    const channelRealm = realm ?? (partner ? `partner:${publishableKey}` : DEFAULT_REALM);
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.insert(channelApps).values({
          name, kind: input.kind as Channel, realm: channelRealm, publishableKey,
          signingSecretEnc: signingSecret ? this.identity.sealChannelSecret(signingSecret) : null,
          publicKeyJwk: jwk, allowedAlgorithms: algorithms, allowedOrigins: [...new Set(input.allowedOrigins ?? [])],
        }).returning();
        await audit(tx, actor, 'channel.create', { type: 'Channel', id: row!.id }, { name, kind: input.kind, realm: channelRealm, algorithms });
        return { channel: row!, publishableKey, signingSecret };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('A channel with this publishable key already exists');
      throw e;
    }
  }

  async update(actor: Actor, id: string, input: UpdateChannelInput): Promise<ChannelApp> {
    const errors: FieldError[] = [];
    if (input.name != null && (!input.name.trim() || input.name.trim().length > 100)) errors.push({ path: ['input', 'name'], code: 'INVALID', message: 'name: 1–100 characters' });
    checkOrigins(input.allowedOrigins, errors);
    checkJwk(input.publicKeyJwk, errors);
    if (errors.length) throw new ValidationError(errors);
    return this.db.transaction(async (tx) => {
      const [prior] = await tx.select().from(channelApps).where(eq(channelApps.id, id)).for('update');
      if (!prior) throw new NotFoundError('No such channel');
      const jwk = input.removePublicKey ? null : (input.publicKeyJwk ?? prior.publicKeyJwk);
      let algorithms = input.algorithms ?? (prior.allowedAlgorithms as CustomerSigningAlgorithm[]);
      // A newly registered key is accepted at once unless algorithms are given; a removed one no longer is.
      if (!input.algorithms && input.publicKeyJwk) algorithms = [...new Set([...algorithms.filter((a) => a === 'HS256'), (input.publicKeyJwk.kty === 'OKP' ? 'EdDSA' : 'ES256') as CustomerSigningAlgorithm])];
      if (!input.algorithms && input.removePublicKey) algorithms = algorithms.filter((a) => a === 'HS256');
      const algErrors: FieldError[] = [];
      checkAlgorithms(algorithms, jwk !== null, prior.signingSecretEnc !== null, algErrors);
      if (algorithms.length === 0) algErrors.push({ path: ['input', 'removePublicKey'], code: 'NO_CREDENTIAL', message: 'The channel would accept no customer token at all' });
      if (algErrors.length) throw new ValidationError(algErrors);
      const set: Partial<typeof channelApps.$inferInsert> = { updatedAt: new Date(), publicKeyJwk: jwk, allowedAlgorithms: algorithms };
      if (input.name != null) set.name = input.name.trim();
      if (input.allowedOrigins != null) set.allowedOrigins = [...new Set(input.allowedOrigins)];
      if (input.active != null) set.active = input.active;
      const [row] = await tx.update(channelApps).set(set).where(eq(channelApps.id, id)).returning();
      await audit(tx, actor, 'channel.update', { type: 'Channel', id }, {
        name: set.name, allowedOrigins: set.allowedOrigins, active: set.active, algorithms,
        publicKey: input.removePublicKey ? 'removed' : input.publicKeyJwk ? 'replaced' : undefined,
      });
      return row!;
    });
  }

  /**
   * A new signing secret, returned once. The replaced one keeps verifying until the overlap window
   * ends, so hosts can deploy the new secret without signing anyone out; a second rotation within
   * the window drops the oldest secret at once.
   */
  async rotateSecret(actor: Actor, id: string, overlapSeconds = this.overlapSeconds) {
    if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > 30 * 86400) {
      throw new ValidationError([{ path: ['input', 'overlapSeconds'], code: 'OUT_OF_RANGE', message: 'overlapSeconds: 0 to 2592000 (30 days)' }]);
    }
    const secret = randomToken(32);
    return this.db.transaction(async (tx) => {
      const [prior] = await tx.select().from(channelApps).where(eq(channelApps.id, id)).for('update');
      if (!prior) throw new NotFoundError('No such channel');
      const previousSecretExpiresAt = prior.signingSecretEnc && overlapSeconds > 0 ? new Date(Date.now() + overlapSeconds * 1000) : null;
      const algorithms = prior.allowedAlgorithms.includes('HS256') ? prior.allowedAlgorithms : ['HS256', ...prior.allowedAlgorithms];
      const [row] = await tx.update(channelApps).set({
        signingSecretEnc: this.identity.sealChannelSecret(secret),
        previousSigningSecretEnc: previousSecretExpiresAt ? prior.signingSecretEnc : null,
        previousSecretExpiresAt,
        allowedAlgorithms: algorithms,
        updatedAt: new Date(),
      }).where(eq(channelApps.id, id)).returning();
      await audit(tx, actor, 'channel.rotate_secret', { type: 'Channel', id }, { previousSecretExpiresAt: previousSecretExpiresAt?.toISOString() ?? null });
      return { channel: row!, signingSecret: secret, previousSecretExpiresAt };
    });
  }
}
