import { SignJWT, jwtVerify, importJWK, decodeJwt, decodeProtectedHeader, errors as joseErrors, type JWK } from 'jose';
import { eq } from 'drizzle-orm';
import { apiKeys, channelApps, customers, staff, tiers, type Database } from '@closeloop/db';
import type { ApiScope, CustomerSigningAlgorithm } from '@closeloop/domain';
import { decryptSecret, deriveKey, encryptSecret, safeEqualHex, sha256 } from './keys.ts';
import { retierOpenTickets } from '../services/sla.ts';

import type { ChannelApp, CustomerRow, StaffRow } from '@closeloop/db';
export type { ChannelApp, CustomerRow, StaffRow };

import type { Viewer } from '../policy/viewer.ts';
export type { Viewer };

/** Hosts' clocks drift: a customer token is accepted this long after its `exp`. */
const CUSTOMER_CLOCK_TOLERANCE_S = 30;

/** Why a credential was refused; becomes `extensions.code` on HTTP and a close reason on WebSocket. */
export class AuthenticationFailure extends Error {
  constructor(readonly code: 'UNAUTHENTICATED' | 'TOKEN_EXPIRED' | 'UNKNOWN_CHANNEL', message: string) {
    super(message);
  }
}

const STAFF_ISSUER = 'closeloop';
const STAFF_AUDIENCE = 'closeloop:staff';
/** Short customer sessions the hosted portal gets in exchange for a single-use portal ticket. */
const PORTAL_AUDIENCE = 'closeloop:portal';
export const API_KEY_PREFIX = 'clk_';

export interface IdentityOptions {
  db: Database;
  secretKey: Buffer;
  staffSessionTtlSeconds: number;
}

export class Identity {
  private readonly sessionKey: Buffer;
  private readonly channelKey: Buffer;
  private readonly portalKey: Buffer;

  constructor(private readonly opts: IdentityOptions) {
    this.sessionKey = deriveKey(opts.secretKey, 'staff-session');
    this.channelKey = deriveKey(opts.secretKey, 'channel-secret');
    this.portalKey = deriveKey(opts.secretKey, 'portal-session');
  }

  sealChannelSecret(secret: string): string {
    return encryptSecret(this.channelKey, secret);
  }

  issueStaffToken(member: Pick<StaffRow, 'id' | 'sessionVersion'>, ttlSeconds = this.opts.staffSessionTtlSeconds) {
    return this.sign({ sv: member.sessionVersion }, STAFF_AUDIENCE, member.id, ttlSeconds, this.sessionKey);
  }

  /** A server-signed session token (HS256, iss = STAFF_ISSUER) for `audience`, with its expiry. */
  private async sign(claims: Record<string, unknown>, audience: string, subject: string, ttlSeconds: number, key: Buffer) {
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(STAFF_ISSUER)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(key);
    return { token, expiresAt };
  }

  async channelByKey(publishableKey: string): Promise<ChannelApp> {
    const [row] = await this.opts.db.select().from(channelApps).where(eq(channelApps.publishableKey, publishableKey)).limit(1);
    if (!row || !row.active) throw new AuthenticationFailure('UNKNOWN_CHANNEL', 'Unknown or disabled channel key');
    return row;
  }

  /** Resolves the caller from the `Authorization` bearer value and the channel's publishable key. */
  async resolve(bearer: string | null | undefined, channelKey: string | null | undefined): Promise<Viewer> {
    const channel = channelKey ? await this.channelByKey(channelKey) : null;
    if (!bearer) return { kind: 'ANONYMOUS', channel };
    if (bearer.startsWith(API_KEY_PREFIX)) return this.partner(bearer);
    let claims: ReturnType<typeof decodeJwt>;
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      claims = decodeJwt(bearer);
      header = decodeProtectedHeader(bearer);
    } catch {
      throw new AuthenticationFailure('UNAUTHENTICATED', 'The bearer token is neither a JWT nor an API key');
    }
    if (claims.iss === STAFF_ISSUER && claims.aud === STAFF_AUDIENCE) return this.staff(bearer);
    if (claims.iss === STAFF_ISSUER && claims.aud === PORTAL_AUDIENCE) return this.portalSession(bearer);
    // A customer token names its channel by the header, or by `iss`/`kid` carrying the publishable key.
    const key = channel ?? (await this.channelByKey(String(claims.iss ?? header.kid ?? '')).catch(() => null));
    if (!key) throw new AuthenticationFailure('UNKNOWN_CHANNEL', 'A customer token needs the x-closeloop-channel header (or iss = the publishable key)');
    return this.customer(bearer, key, header.alg as CustomerSigningAlgorithm);
  }

  /** A customer session for the hosted portal, signed by the server (the channel may only have a public key). */
  issuePortalSession(channel: ChannelApp, customer: CustomerRow, ttlSeconds: number) {
    return this.sign({ ch: channel.id }, PORTAL_AUDIENCE, customer.id, ttlSeconds, this.portalKey);
  }

  private async portalSession(token: string): Promise<Viewer> {
    let sub: string;
    let ch: unknown;
    let exp: number;
    try {
      const { payload } = await jwtVerify(token, this.portalKey, {
        issuer: STAFF_ISSUER, audience: PORTAL_AUDIENCE, algorithms: ['HS256'], requiredClaims: ['exp', 'sub'],
      });
      sub = payload.sub!;
      ch = payload.ch;
      exp = payload.exp!;
    } catch (e) {
      throw tokenFailure(e);
    }
    const [channel] = await this.opts.db.select().from(channelApps).where(eq(channelApps.id, String(ch))).limit(1);
    const [customer] = await this.opts.db.select().from(customers).where(eq(customers.id, sub)).limit(1);
    if (!channel || !channel.active || !customer) throw new AuthenticationFailure('UNAUTHENTICATED', 'The portal session is no longer valid');
    return { kind: 'CUSTOMER', channel, customer, expiresAt: exp * 1000 };
  }

  private async staff(token: string): Promise<Viewer> {
    let sub: string;
    let sv: unknown;
    try {
      const { payload } = await jwtVerify(token, this.sessionKey, {
        issuer: STAFF_ISSUER, audience: STAFF_AUDIENCE, algorithms: ['HS256'], requiredClaims: ['exp', 'sub'],
      });
      sub = payload.sub!;
      sv = payload.sv;
    } catch (e) {
      throw tokenFailure(e);
    }
    const [row] = await this.opts.db.select().from(staff).where(eq(staff.id, sub)).limit(1);
    if (!row || !row.active || row.sessionVersion !== sv) {
      throw new AuthenticationFailure('UNAUTHENTICATED', 'The staff session is no longer valid');
    }
    return { kind: 'STAFF', staff: row };
  }

  private async customer(token: string, channel: ChannelApp, alg: CustomerSigningAlgorithm): Promise<Viewer> {
    const algorithms = channel.allowedAlgorithms as CustomerSigningAlgorithm[];
    if (!algorithms.includes(alg)) {
      throw new AuthenticationFailure('UNAUTHENTICATED', `This channel does not accept ${String(alg)} tokens`);
    }
    let key: Uint8Array | CryptoKey;
    if (alg === 'HS256') {
      if (!channel.signingSecretEnc) throw new AuthenticationFailure('UNAUTHENTICATED', 'This channel has no signing secret');
      key = new TextEncoder().encode(decryptSecret(this.channelKey, channel.signingSecretEnc));
    } else {
      if (!channel.publicKeyJwk) throw new AuthenticationFailure('UNAUTHENTICATED', 'This channel has no registered public key');
      key = (await importJWK(channel.publicKeyJwk as JWK, alg)) as CryptoKey;
    }
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: [alg], requiredClaims: ['exp', 'sub'], clockTolerance: CUSTOMER_CLOCK_TOLERANCE_S }));
    } catch (e) {
      throw tokenFailure(e);
    }
    const externalId = String(payload.sub);
    if (externalId.length === 0 || externalId.length > 128) {
      throw new AuthenticationFailure('UNAUTHENTICATED', 'The token subject must be 1–128 characters');
    }
    const customer = await upsertCustomer(this.opts.db, externalId, payload);
    // The same tolerance as at verification, so a stream is not ended before a request would be refused.
    return { kind: 'CUSTOMER', channel, customer, expiresAt: (payload.exp! + CUSTOMER_CLOCK_TOLERANCE_S) * 1000 };
  }

  private async partner(raw: string): Promise<Viewer> {
    const [, prefix] = /^clk_([A-Za-z0-9]{8})_[A-Za-z0-9_-]+$/.exec(raw) ?? [];
    if (!prefix) throw new AuthenticationFailure('UNAUTHENTICATED', 'Malformed API key');
    const [row] = await this.opts.db.select().from(apiKeys).where(eq(apiKeys.prefix, prefix)).limit(1);
    if (!row || row.revokedAt || !safeEqualHex(row.keyHash, sha256(raw))) {
      throw new AuthenticationFailure('UNAUTHENTICATED', 'Unknown or revoked API key');
    }
    return { kind: 'PARTNER', apiKey: { id: row.id, name: row.name, scopes: row.scopes as ApiScope[] } };
  }
}

function tokenFailure(e: unknown): AuthenticationFailure {
  if (e instanceof joseErrors.JWTExpired) return new AuthenticationFailure('TOKEN_EXPIRED', 'The token has expired');
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    return new AuthenticationFailure('UNAUTHENTICATED', `The token is invalid: ${e.message}`);
  }
  return new AuthenticationFailure('UNAUTHENTICATED', 'The token signature or format is invalid');
}

/** The host is the source of truth for who its customer is: name, contact and tier come from the token. */
async function upsertCustomer(db: Database, externalId: string, claims: Record<string, unknown>): Promise<CustomerRow> {
  const str = (v: unknown, max: number) => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);
  const name = str(claims.name, 100);
  const phone = str(claims.phone_number ?? claims.phone, 32);
  const email = str(claims.email, 254);
  const tierCode = str(claims.tier, 32);
  const [existing] = await db.select().from(customers).where(eq(customers.externalId, externalId)).limit(1);
  let tierId: string | undefined;
  if (tierCode) {
    const [t] = await db.select({ id: tiers.id }).from(tiers).where(eq(tiers.code, tierCode)).limit(1);
    tierId = t?.id;
  }
  if (!existing) {
    const [created] = await db
      .insert(customers)
      .values({ externalId, name, phone, email, tierId })
      .onConflictDoUpdate({ target: customers.externalId, set: { updatedAt: new Date() } })
      .returning();
    return created!;
  }
  const changes: Partial<CustomerRow> = {};
  if (name && name !== existing.name) changes.name = name;
  if (phone && phone !== existing.phone) changes.phone = phone;
  if (email && email !== existing.email) changes.email = email;
  if (tierId && tierId !== existing.tierId) changes.tierId = tierId;
  if (Object.keys(changes).length === 0) return existing;
  if (!changes.tierId) {
    const [updated] = await db.update(customers).set({ ...changes, updatedAt: new Date() }).where(eq(customers.id, existing.id)).returning();
    return updated!;
  }
  // Re-tiered by the host: the open tickets get the new tier's SLA targets and due times.
  return db.transaction(async (tx) => {
    const [updated] = await tx.update(customers).set({ ...changes, updatedAt: new Date() }).where(eq(customers.id, existing.id)).returning();
    await retierOpenTickets(tx, existing.id, tierCode ?? null, new Date());
    return updated!;
  });
}
