// What follows a verified credential (auth/identity.ts only reads): the customer record a host's token
// describes is created or brought up to date, and an API key's last use is noted. Called by the
// request pipeline after verification, never by it.
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { apiKeys, customers, tiers, type Database } from '@closeloop/db';
import type { Credential, CustomerClaims, CustomerRow, Viewer } from '../auth/identity.ts';
import { retierOpenTickets } from './sla.ts';

/** An API key's `lastUsedAt` is written at most this often (ms): one write a minute, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function signIn(db: Database, credential: Credential): Promise<Viewer> {
  if (credential.kind === 'CUSTOMER_TOKEN') {
    const customer = await upsertCustomer(db, credential.claims);
    return { kind: 'CUSTOMER', channel: credential.channel, customer, expiresAt: credential.expiresAt };
  }
  if (credential.kind === 'PARTNER') {
    const last = credential.apiKey.lastUsedAt;
    const now = new Date();
    if (!last || now.getTime() - last.getTime() >= LAST_USED_RESOLUTION_MS) {
      // Conditional, so concurrent requests write once; a failure here must not refuse the request.
      const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
      await db.update(apiKeys).set({ lastUsedAt: now })
        .where(and(eq(apiKeys.id, credential.apiKey.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, stale))))
        .catch((e) => console.error('closeloop: could not record an API key use', e));
    }
  }
  return credential;
}

async function tierIdOf(db: Database, code: string | undefined): Promise<string | undefined> {
  if (!code) return undefined;
  const [t] = await db.select({ id: tiers.id }).from(tiers).where(eq(tiers.code, code)).limit(1);
  return t?.id;
}

/** The host is the source of truth for who its customer is: name, contact and tier come from the token. */
export async function upsertCustomer(db: Database, claims: CustomerClaims): Promise<CustomerRow> {
  const { realm, externalId, name, phone, email, tierCode } = claims;
  const [existing] = await db.select().from(customers)
    .where(and(eq(customers.realm, realm), eq(customers.externalId, externalId))).limit(1);
  const tierId = await tierIdOf(db, tierCode);
  if (!existing) {
    const [created] = await db
      .insert(customers)
      .values({ realm, externalId, name, phone, email, tierId })
      .onConflictDoUpdate({ target: [customers.realm, customers.externalId], set: { updatedAt: new Date() } })
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

/** The record of a customer known only by id in a realm (partner submissions, portal tickets). */
export async function ensureCustomer(db: Database, realm: string, externalId: string): Promise<CustomerRow> {
  const [row] = await db
    .insert(customers)
    .values({ realm, externalId })
    .onConflictDoUpdate({ target: [customers.realm, customers.externalId], set: { updatedAt: new Date() } })
    .returning();
  return row!;
}
