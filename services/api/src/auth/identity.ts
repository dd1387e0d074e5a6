import { SignJWT, jwtVerify, importJWK, decodeJwt, decodeProtectedHeader, errors as joseErrors, type JWK, type JWTPayload } from 'jose';
import { eq } from 'drizzle-orm';
import { apiKeys, channelApps, customers, staff, type Database } from '@closeloop/db';
import type { ApiScope, CustomerSigningAlgorithm } from '@closeloop/domain';
import { decryptSecret, deriveKey, encryptSecret, safeEqualHex, sha256 } from './keys.ts';

// Verification only reads: it turns a credential into who the caller is. Writes that follow a sign-in
// (the customer record a host's token describes, an API key's last use) happen afterwards, in
// services/sign-in.ts, so a refused or read-only request never changes data.

export type ChannelApp = typeof channelApps.$inferSelect;
export type StaffRow = typeof staff.$inferSelect;
export type CustomerRow = typeof customers.$inferSelect;

export type Viewer =
  | { kind: 'ANONYMOUS'; channel: ChannelApp | null }
  /** `expiresAt`: when the customer's token expires (ms since the epoch); live streams end then. */
  | { kind: 'CUSTOMER'; channel: ChannelApp; customer: CustomerRow; expiresAt?: number }
  | { kind: 'STAFF'; staff: StaffRow }
  | { kind: 'PARTNER'; apiKey: { id: string; name: string; scopes: ApiScope[]; lastUsedAt?: Date | null } };

/** What a host's customer token says about its customer, checked but not yet matched to a record. */
export interface CustomerClaims {
  realm: string;
  externalId: string;
  name?: string;
  phone?: string;
  email?: string;
  tierCode?: string;
}

/** A verified customer token: sign-in (services/sign-in.ts) turns it into a CUSTOMER viewer. */
export interface CustomerCredential {
  kind: 'CUSTOMER_TOKEN';
  channel: ChannelApp;
  claims: CustomerClaims;
  expiresAt: number;
}

export type Credential = Viewer | CustomerCredential;

/** Hosts' clocks drift: a customer token is accepted this long after its `exp` (and before its `iat`). */
export const CUSTOMER_CLOCK_TOLERANCE_S = 30;
/** Default longest life (exp − iat) of a customer token a host may sign. */
export const DEFAULT_CUSTOMER_TOKEN_MAX_TTL_S = 24 * 3600;

export type AuthFailureCode =
  | 'UNAUTHENTICATED' | 'TOKEN_EXPIRED' | 'UNKNOWN_CHANNEL' | 'TOKEN_CLAIM_MISSING' | 'TOKEN_LIFETIME_TOO_LONG'
  | 'TOKEN_ISSUED_IN_FUTURE' | 'SESSION_REVOKED' | 'API_KEY_EXPIRED' | 'CHANNEL_MISMATCH';

/** Why a credential was refused; becomes `extensions.code` on HTTP and a close reason on WebSocket. */
export class AuthenticationFailure extends Error {
  constructor(readonly code: AuthFailureCode, message: string) {
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
  /** Longest accepted exp − iat of a customer token (seconds). */
  customerTokenMaxTtlSeconds?: number;
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

  /**
   * Checks the `Authorization` bearer value and the channel's publishable key; reads only. A customer
   * token comes back as a CustomerCredential for sign-in (services/sign-in.ts) to match to its record.
   */
  async verify(bearer: string | null | undefined, channelKey: string | null | undefined): Promise<Credential> {
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
    // A token naming another channel as its issuer was not meant for this one.
    if (channel && typeof claims.iss === 'string' && claims.iss.startsWith('pk_') && claims.iss !== channel.publishableKey) {
      throw new AuthenticationFailure('CHANNEL_MISMATCH', 'The token was issued for another channel than x-closeloop-channel names');
    }
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
    if (!channel || !channel.active || !customer || customer.realm !== channel.realm) {
      throw new AuthenticationFailure('UNAUTHENTICATED', 'The portal session is no longer valid');
    }
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
      throw new AuthenticationFailure('SESSION_REVOKED', 'The staff session has ended (signed out, revoked or deactivated); sign in again');
    }
    return { kind: 'STAFF', staff: row };
  }

  private async customer(token: string, channel: ChannelApp, alg: CustomerSigningAlgorithm): Promise<CustomerCredential> {
    const algorithms = channel.allowedAlgorithms as CustomerSigningAlgorithm[];
    if (!algorithms.includes(alg)) {
      throw new AuthenticationFailure('UNAUTHENTICATED', `This channel does not accept ${String(alg)} tokens`);
    }
    const options = { algorithms: [alg], clockTolerance: CUSTOMER_CLOCK_TOLERANCE_S };
    let payload: JWTPayload;
    try {
      if (alg === 'HS256') {
        if (!channel.signingSecretEnc) throw new AuthenticationFailure('UNAUTHENTICATED', 'This channel has no signing secret');
        const secret = (sealed: string) => new TextEncoder().encode(decryptSecret(this.channelKey, sealed));
        try {
          ({ payload } = await jwtVerify(token, secret(channel.signingSecretEnc), options));
        } catch (e) {
          // After a rotation the replaced secret verifies until the end of its overlap window.
          const previous = channel.previousSigningSecretEnc;
          const open = channel.previousSecretExpiresAt !== null && channel.previousSecretExpiresAt.getTime() > Date.now();
          if (!(e instanceof joseErrors.JWSSignatureVerificationFailed) || !previous || !open) throw e;
          ({ payload } = await jwtVerify(token, secret(previous), options));
        }
      } else {
        if (!channel.publicKeyJwk) throw new AuthenticationFailure('UNAUTHENTICATED', 'This channel has no registered public key');
        const key = (await importJWK(channel.publicKeyJwk as JWK, alg)) as CryptoKey;
        ({ payload } = await jwtVerify(token, key, options));
      }
    } catch (e) {
      throw tokenFailure(e);
    }
    const { exp } = checkCustomerLifetime(payload, this.opts.customerTokenMaxTtlSeconds ?? DEFAULT_CUSTOMER_TOKEN_MAX_TTL_S);
    const externalId = String(payload.sub ?? '');
    if (externalId.length === 0 || externalId.length > 128) {
      throw new AuthenticationFailure('UNAUTHENTICATED', 'The token subject must be 1–128 characters');
    }
    // The same tolerance as at verification, so a stream is not ended before a request would be refused.
    return { kind: 'CUSTOMER_TOKEN', channel, claims: customerClaims(channel.realm, externalId, payload), expiresAt: (exp + CUSTOMER_CLOCK_TOLERANCE_S) * 1000 };
  }

  private async partner(raw: string): Promise<Viewer> {
    const [, prefix] = /^clk_([A-Za-z0-9]{8})_[A-Za-z0-9_-]+$/.exec(raw) ?? [];
    if (!prefix) throw new AuthenticationFailure('UNAUTHENTICATED', 'Malformed API key');
    const [row] = await this.opts.db.select().from(apiKeys).where(eq(apiKeys.prefix, prefix)).limit(1);
    if (!row || row.revokedAt || !safeEqualHex(row.keyHash, sha256(raw))) {
      throw new AuthenticationFailure('UNAUTHENTICATED', 'Unknown or revoked API key');
    }
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw new AuthenticationFailure('API_KEY_EXPIRED', 'This API key has expired');
    return { kind: 'PARTNER', apiKey: { id: row.id, name: row.name, scopes: row.scopes as ApiScope[], lastUsedAt: row.lastUsedAt } };
  }
}

function tokenFailure(e: unknown): AuthenticationFailure {
  if (e instanceof joseErrors.JWTExpired) return new AuthenticationFailure('TOKEN_EXPIRED', 'The token has expired');
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    return new AuthenticationFailure('UNAUTHENTICATED', `The token is invalid: ${e.message}`);
  }
  return new AuthenticationFailure('UNAUTHENTICATED', 'The token signature or format is invalid');
}

/**
 * A host may sign customer tokens for a short while only: `iat` and `exp` are required, exp − iat is at
 * most `maxTtl`, and a token issued in the future (beyond the clock tolerance) is refused.
 */
export function checkCustomerLifetime(payload: JWTPayload, maxTtl: number, now = Date.now() / 1000): { exp: number; iat: number } {
  const { exp, iat } = payload;
  for (const [name, v] of [['exp', exp], ['iat', iat]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new AuthenticationFailure('TOKEN_CLAIM_MISSING', `A customer token needs a numeric "${name}" claim`);
    }
  }
  if (iat! > now + CUSTOMER_CLOCK_TOLERANCE_S) {
    throw new AuthenticationFailure('TOKEN_ISSUED_IN_FUTURE', 'The token was issued in the future; check the host clock');
  }
  if (exp! - iat! > maxTtl) {
    throw new AuthenticationFailure('TOKEN_LIFETIME_TOO_LONG', `A customer token may live at most ${maxTtl} s (exp − iat)`);
  }
  return { exp: exp!, iat: iat! };
}

/** The host is the source of truth for who its customer is: name, contact and tier come from the token. */
function customerClaims(realm: string, externalId: string, claims: JWTPayload): CustomerClaims {
  const str = (v: unknown, max: number) => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);
  return {
    realm,
    externalId,
    name: str(claims.name, 100),
    phone: str(claims.phone_number ?? claims.phone, 32),
    email: str(claims.email, 254),
    tierCode: str(claims.tier, 32),
  };
}
