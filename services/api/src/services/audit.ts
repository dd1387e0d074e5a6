import { createHash } from 'node:crypto';
import { desc, sql } from 'drizzle-orm';
import { auditLog, type Database, type Tx } from '@closeloop/db';
import type { Actor } from './events.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted keys: jsonb does not keep key order, and the hash must survive a round trip. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function auditHash(prevHash: string, row: { at: string; actorType: string; actorId: string | null; action: string; targetType: string | null; targetId: string | null; data: unknown }): string {
  return createHash('sha256')
    .update(prevHash)
    .update(canonical([row.at, row.actorType, row.actorId, row.action, row.targetType, row.targetId, row.data ?? null]))
    .digest('hex');
}

/**
 * Appends to the hash-chained audit log in the caller's transaction. A transaction-scoped advisory lock
 * serialises writers so the chain never forks.
 */
export async function audit(
  tx: Tx,
  actor: Actor,
  action: string,
  target: { type: string; id: string } | null,
  data?: Record<string, unknown>,
): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(72022602)`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  const prevHash = last?.hash ?? GENESIS_HASH;
  const at = new Date();
  const row = {
    at: at.toISOString(),
    actorType: actor.type,
    actorId: actor.id,
    action,
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    // Hashed as stored: a JSON round trip drops undefined keys and turns dates into strings, as jsonb does.
    data: data ? (JSON.parse(JSON.stringify(data)) as Record<string, unknown>) : null,
  };
  await tx.insert(auditLog).values({ ...row, at, prevHash, hash: auditHash(prevHash, row) });
}

/** Index of the first row whose hash or link does not verify, or -1 when the chain is intact. */
export function verifyAuditChain(rows: Array<typeof auditLog.$inferSelect>): number {
  let prev = GENESIS_HASH;
  for (const [i, r] of rows.entries()) {
    if (r.prevHash !== prev || auditHash(prev, { ...r, at: r.at.toISOString() }) !== r.hash) return i;
    prev = r.hash;
  }
  return -1;
}

/** One audit row for the unmasked contact details a caller read in one request (phone, e-mail). */
export async function auditPiiRead(db: Database, actor: Actor, targets: Array<{ type: string; id: string; fields: string[] }>): Promise<void> {
  await db.transaction((tx) => audit(tx, actor, 'pii.read', null, { targets }));
}
