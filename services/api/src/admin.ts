// Provisioning used by the CLI, the demo seed and tests. Each returns its secrets exactly once.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { apiKeys, channelApps, departments, staff, type Database } from '@closeloop/db';
import {
  API_SCOPES, CHANNELS, STAFF_ROLES, type ApiScope, type Channel, type CustomerSigningAlgorithm, type EscalationLevel, type StaffRole,
} from '@closeloop/domain';
import type { Identity } from './auth/identity.ts';
import { API_KEY_PREFIX } from './auth/identity.ts';
import { randomToken, sha256 } from './auth/keys.ts';
import { hashPassword } from './auth/passwords.ts';
import { normalizeOrigin } from './limits/cors.ts';

export class UsageError extends Error {}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function alnum(n: number): string {
  const b = randomBytes(n);
  return Array.from(b, (x) => ALNUM[x % ALNUM.length]).join('');
}

export interface CreateChannelInput {
  name: string;
  kind: string;
  publicKeyJwk?: Record<string, unknown> | null;
  /** Defaults to HS256 with a generated secret; with a public key, its algorithm. */
  algorithms?: CustomerSigningAlgorithm[];
  publishableKey?: string;
  /** Web origins whose pages may call the API from a browser (CORS), e.g. https://www.example-bank.com. */
  allowedOrigins?: string[];
}

export async function createChannel(db: Database, identity: Identity, input: CreateChannelInput) {
  if (!input.name?.trim()) throw new UsageError('--name is required');
  if (!CHANNELS.includes(input.kind as Channel)) throw new UsageError(`--kind must be one of ${CHANNELS.join(', ')}`);
  const allowedOrigins = (input.allowedOrigins ?? []).map((o) => {
    const n = normalizeOrigin(o);
    if (!n) throw new UsageError(`--origin must be an http(s) origin such as https://www.example-bank.com (got ${o})`);
    return n;
  });
  const jwk = input.publicKeyJwk ?? null;
  let algorithms = input.algorithms;
  if (!algorithms) {
    algorithms = jwk ? [jwk.kty === 'OKP' ? 'EdDSA' : 'ES256'] : ['HS256'];
  }
  const needsSecret = algorithms.includes('HS256');
  const signingSecret = needsSecret ? randomToken(32) : null;
  const publishableKey = input.publishableKey ?? `pk_${input.kind.toLowerCase()}_${alnum(20)}`;
  const [row] = await db
    .insert(channelApps)
    .values({
      name: input.name.trim(),
      kind: input.kind as Channel,
      publishableKey,
      signingSecretEnc: signingSecret ? identity.sealChannelSecret(signingSecret) : null,
      publicKeyJwk: jwk,
      allowedAlgorithms: algorithms,
      allowedOrigins,
    })
    .returning();
  return { channel: row!, publishableKey, signingSecret };
}

export interface CreateStaffInput {
  email: string;
  name?: string;
  role: string;
  department?: string | null;
  level?: EscalationLevel;
  password?: string | null;
}

const LEVEL_FOR_ROLE: Record<StaffRole, EscalationLevel> = {
  AGENT: 'L1', SENIOR: 'L2', EXPERT: 'L3', SUPERVISOR: 'L3', ADMIN: 'L3', AUDITOR: 'L1',
};

export async function createStaff(db: Database, identity: Identity, input: CreateStaffInput) {
  const email = input.email?.trim().toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new UsageError('--email must be an email address');
  if (!STAFF_ROLES.includes(input.role as StaffRole)) throw new UsageError(`--role must be one of ${STAFF_ROLES.join(', ')}`);
  let departmentId: string | null = null;
  if (input.department) {
    const [d] = await db.select().from(departments).where(eq(departments.code, input.department.toUpperCase())).limit(1);
    if (!d) {
      const all = await db.select({ code: departments.code }).from(departments);
      throw new UsageError(`Unknown department ${input.department}; known: ${all.map((x) => x.code).join(', ') || '(none)'}`);
    }
    departmentId = d.id;
  }
  const [existing] = await db.select({ id: staff.id }).from(staff).where(eq(staff.email, email)).limit(1);
  if (existing) throw new UsageError(`A staff member with email ${email} already exists`);
  const role = input.role as StaffRole;
  const [row] = await db
    .insert(staff)
    .values({
      email,
      name: input.name?.trim() || email.split('@')[0]!,
      role,
      departmentId,
      level: input.level ?? LEVEL_FOR_ROLE[role],
      passwordHash: input.password ? await hashPassword(input.password) : null,
    })
    .returning();
  const { token, expiresAt } = await identity.issueStaffToken(row!);
  return { staff: row!, token, expiresAt };
}

export async function createApiKey(db: Database, input: { name: string; scopes: string[] }) {
  if (!input.name?.trim()) throw new UsageError('--name is required');
  const bad = input.scopes.filter((s) => !API_SCOPES.includes(s as ApiScope));
  if (input.scopes.length === 0 || bad.length) {
    throw new UsageError(`--scopes must be a comma-separated list of ${API_SCOPES.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}`);
  }
  const prefix = alnum(8);
  const apiKey = `${API_KEY_PREFIX}${prefix}_${randomToken(20)}`;
  const [row] = await db
    .insert(apiKeys)
    .values({ name: input.name.trim(), prefix, keyHash: sha256(apiKey), scopes: input.scopes })
    .returning();
  return { apiKey, record: row! };
}
