// Customer records maintained by the institution: a dedicated account manager, and bulk upserts pushed
// by partner systems (a CRM sync). Each row of a batch succeeds or fails on its own with typed errors.
import { and, eq, inArray } from 'drizzle-orm';
import { channelApps, customers, staff, tiers, type Database } from '@closeloop/db';
import { DEFAULT_REALM, REALM_PATTERN, type FieldError } from '@closeloop/domain';
import type { CustomerRow, Viewer } from '../auth/identity.ts';
import { NotFoundError, ValidationError } from '../schema/errors.ts';
import { audit } from './audit.ts';
import { actorOf } from './feedback.ts';
import { retierOpenTickets } from './sla.ts';

export const MAX_UPSERT_BATCH = 500;

/** One customer of a CRM batch. Omitted fields stay as they are; null clears them. */
export interface CustomerRecordInput {
  externalId: string;
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  tierCode?: string | null;
  /** The dedicated account manager, by e-mail (what a CRM knows). */
  accountManagerEmail?: string | null;
  /** YYYY-MM-DD. */
  birthday?: string | null;
}

export type UpsertStatus = 'CREATED' | 'UPDATED' | 'UNCHANGED' | 'FAILED';
export interface UpsertRowResult {
  index: number;
  externalId: string;
  status: UpsertStatus;
  customer: CustomerRow | null;
  errors: FieldError[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]! && d.getTime() <= Date.now() && +m[1]! >= 1900;
}

export class CustomerService {
  constructor(private readonly db: Database) {}

  /** Sets (or with null clears) a customer's dedicated account manager: an active staff member who handles tickets. */
  async setAccountManager(viewer: Viewer, customerId: string, staffId: string | null): Promise<CustomerRow> {
    if (staffId) {
      const [m] = await this.db.select().from(staff).where(eq(staff.id, staffId)).limit(1);
      if (!m) throw new ValidationError([{ path: ['input', 'staffId'], code: 'NOT_FOUND', message: 'No such staff member' }]);
      if (!m.active || m.role === 'AUDITOR') throw new ValidationError([{ path: ['input', 'staffId'], code: 'NOT_ELIGIBLE', message: 'An account manager is an active staff member who handles tickets' }]);
    }
    return this.db.transaction(async (tx) => {
      const [c] = await tx.select().from(customers).where(eq(customers.id, customerId)).for('update');
      if (!c) throw new NotFoundError('No such customer');
      const [row] = await tx.update(customers).set({ accountManagerId: staffId, updatedAt: new Date() }).where(eq(customers.id, customerId)).returning();
      await audit(tx, actorOf(viewer), 'customer.account_manager', { type: 'Customer', id: customerId }, { from: c.accountManagerId, to: staffId });
      return row!;
    });
  }

  /**
   * Creates or updates up to MAX_UPSERT_BATCH customers of one realm (default: the institution's own).
   * Rows with errors change nothing and are reported with paths `customers.<index>.<field>`; the others
   * are written in one transaction and audited as one entry.
   */
  async upsertMany(viewer: Viewer, realmInput: string | null | undefined, rows: CustomerRecordInput[]): Promise<{ results: UpsertRowResult[] }> {
    const realm = realmInput?.trim() || DEFAULT_REALM;
    if (!REALM_PATTERN.test(realm)) throw new ValidationError([{ path: ['input', 'realm'], code: 'INVALID', message: 'realm: not a realm name' }]);
    if (realm !== DEFAULT_REALM) {
      const [ch] = await this.db.select({ id: channelApps.id }).from(channelApps).where(eq(channelApps.realm, realm)).limit(1);
      if (!ch) throw new ValidationError([{ path: ['input', 'realm'], code: 'NOT_FOUND', message: `No channel belongs to realm ${realm}` }]);
    }
    if (rows.length === 0 || rows.length > MAX_UPSERT_BATCH) {
      throw new ValidationError([{ path: ['input', 'customers'], code: 'OUT_OF_RANGE', message: `customers: 1 to ${MAX_UPSERT_BATCH} records per call` }]);
    }
    const tierCodes = [...new Set(rows.map((r) => r.tierCode).filter((c): c is string => !!c))];
    const managerEmails = [...new Set(rows.map((r) => r.accountManagerEmail?.trim().toLowerCase()).filter((e): e is string => !!e))];
    const tierIds = new Map(tierCodes.length ? (await this.db.select().from(tiers).where(inArray(tiers.code, tierCodes))).map((t) => [t.code, t.id]) : []);
    const managers = new Map(managerEmails.length
      ? (await this.db.select().from(staff).where(inArray(staff.email, managerEmails))).filter((m) => m.active && m.role !== 'AUDITOR').map((m) => [m.email, m.id])
      : []);
    const seen = new Set<string>();
    const results: UpsertRowResult[] = rows.map((r, index) => {
      const errors: FieldError[] = [];
      const at = (field: string, code: string, message: string) => errors.push({ path: ['input', 'customers', String(index), field], code, message });
      const externalId = r.externalId?.trim() ?? '';
      if (!externalId || externalId.length > 128) at('externalId', 'REQUIRED', 'externalId: 1–128 characters');
      else if (seen.has(externalId)) at('externalId', 'DUPLICATE', 'externalId appears twice in this batch');
      seen.add(externalId);
      if (r.name != null && r.name.length > 100) at('name', 'TOO_LONG', 'name: at most 100 characters');
      if (r.phone != null && !/^\+?[0-9 ()-]{3,32}$/.test(r.phone)) at('phone', 'INVALID', 'phone: digits, spaces, +, (, ) and -, up to 32');
      if (r.email != null && (!/^[^\s@]+@[^\s@]+$/.test(r.email) || r.email.length > 254)) at('email', 'INVALID', 'email must be an email address');
      if (r.tierCode != null && !tierIds.has(r.tierCode)) at('tierCode', 'NOT_FOUND', `No tier ${r.tierCode}`);
      if (r.accountManagerEmail != null && !managers.has(r.accountManagerEmail.trim().toLowerCase())) {
        at('accountManagerEmail', 'NOT_FOUND', 'No active staff member who handles tickets has this e-mail');
      }
      if (r.birthday != null && !validDate(r.birthday)) at('birthday', 'INVALID_DATE', 'birthday: a past date, YYYY-MM-DD');
      return { index, externalId, status: errors.length ? 'FAILED' : 'UNCHANGED', customer: null, errors };
    });
    const valid = results.filter((r) => r.status !== 'FAILED');
    if (valid.length === 0) return { results };
    await this.db.transaction(async (tx) => {
      const existing = new Map((await tx.select().from(customers)
        .where(and(eq(customers.realm, realm), inArray(customers.externalId, valid.map((v) => v.externalId)))).for('update'))
        .map((c) => [c.externalId, c]));
      const now = new Date();
      for (const res of valid) {
        const r = rows[res.index]!;
        const set: Partial<typeof customers.$inferInsert> = {};
        if (r.name !== undefined) set.name = r.name?.trim() || null;
        if (r.phone !== undefined) set.phone = r.phone;
        if (r.email !== undefined) set.email = r.email;
        if (r.tierCode !== undefined) set.tierId = r.tierCode ? tierIds.get(r.tierCode)! : null;
        if (r.accountManagerEmail !== undefined) set.accountManagerId = r.accountManagerEmail ? managers.get(r.accountManagerEmail.trim().toLowerCase())! : null;
        if (r.birthday !== undefined) set.birthday = r.birthday;
        const prior = existing.get(res.externalId);
        if (!prior) {
          [res.customer] = await tx.insert(customers).values({ ...set, realm, externalId: res.externalId }).returning() as [CustomerRow];
          res.status = 'CREATED';
          continue;
        }
        const changed = (Object.keys(set) as Array<keyof typeof set>).some((k) => (prior as Record<string, unknown>)[k] !== set[k]);
        if (!changed) {
          res.customer = prior;
          continue;
        }
        [res.customer] = await tx.update(customers).set({ ...set, updatedAt: now }).where(eq(customers.id, prior.id)).returning() as [CustomerRow];
        res.status = 'UPDATED';
        // Re-tiered: open tickets get the new tier's targets, as with setCustomerTier.
        if (set.tierId !== undefined && set.tierId !== prior.tierId) await retierOpenTickets(tx, prior.id, r.tierCode ?? null, now);
      }
      const count = (s: UpsertStatus) => results.filter((x) => x.status === s).length;
      await audit(tx, actorOf(viewer), 'customers.upsert', { type: 'Realm', id: realm }, {
        created: count('CREATED'), updated: count('UPDATED'), unchanged: count('UNCHANGED'), failed: count('FAILED'),
        externalIds: results.filter((x) => x.status === 'CREATED' || x.status === 'UPDATED').map((x) => x.externalId),
      });
    });
    return { results };
  }
}
