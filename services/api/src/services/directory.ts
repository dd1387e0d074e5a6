// The institution's directory: departments and customer tiers. Validated, audited.
import { eq } from 'drizzle-orm';
import { departments, tiers, type Database } from '@closeloop/db';
import type { FieldError } from '@closeloop/domain';
import { ConflictError, NotFoundError, ValidationError } from '../schema/errors.ts';
import { audit } from './audit.ts';
import type { Actor } from './events.ts';
import { isUniqueViolation } from './feedback.ts';

const CODE = /^[A-Z][A-Z0-9_]{0,39}$/;

function checkCodeName(input: { code?: string | null; name?: string | null }, creating: boolean, errors: FieldError[]): void {
  if ((creating || input.code != null) && !CODE.test(input.code ?? '')) {
    errors.push({ path: ['input', 'code'], code: 'INVALID', message: 'code: 1–40 of A-Z, 0-9 and _, starting with a letter (e.g. CREDIT)' });
  }
  if ((creating || input.name != null) && (!input.name?.trim() || input.name.trim().length > 100)) {
    errors.push({ path: ['input', 'name'], code: 'REQUIRED', message: 'name: 1–100 characters' });
  }
}

export interface TierInput {
  code?: string | null;
  name?: string | null;
  rank?: number | null;
  dedicatedManager?: boolean | null;
}

export class DirectoryService {
  constructor(private readonly db: Database) {}

  async saveDepartment(actor: Actor, id: string | null, input: { code?: string | null; name?: string | null }) {
    const errors: FieldError[] = [];
    checkCodeName(input, id === null, errors);
    if (errors.length) throw new ValidationError(errors);
    try {
      return await this.db.transaction(async (tx) => {
        const set = { ...(input.code != null ? { code: input.code } : {}), ...(input.name != null ? { name: input.name.trim() } : {}) };
        const [row] = id
          ? await (Object.keys(set).length ? tx.update(departments).set(set).where(eq(departments.id, id)).returning() : tx.select().from(departments).where(eq(departments.id, id)))
          : await tx.insert(departments).values({ code: input.code!, name: input.name!.trim() }).returning();
        if (!row) throw new NotFoundError('No such department');
        await audit(tx, actor, id ? 'department.update' : 'department.create', { type: 'Department', id: row.id }, set);
        return row;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`A department with code ${input.code} already exists`);
      throw e;
    }
  }

  /** Tier codes are what SLA policies, routing rules and host tokens name: fixed once created. */
  async saveTier(actor: Actor, id: string | null, input: TierInput) {
    const errors: FieldError[] = [];
    if (id !== null && input.code != null) errors.push({ path: ['input', 'code'], code: 'IMMUTABLE', message: 'A tier code cannot change: SLA policies, routing rules and host tokens name it' });
    checkCodeName(id === null ? input : { name: input.name }, id === null, errors);
    if (input.rank != null && (!Number.isInteger(input.rank) || Math.abs(input.rank) > 1000)) errors.push({ path: ['input', 'rank'], code: 'OUT_OF_RANGE', message: 'rank: a whole number from -1000 to 1000' });
    if (errors.length) throw new ValidationError(errors);
    try {
      return await this.db.transaction(async (tx) => {
        const set: Partial<typeof tiers.$inferInsert> = {};
        if (input.name != null) set.name = input.name.trim();
        if (input.rank != null) set.rank = input.rank;
        if (input.dedicatedManager != null) set.dedicatedManager = input.dedicatedManager;
        const [row] = id
          ? await (Object.keys(set).length ? tx.update(tiers).set(set).where(eq(tiers.id, id)).returning() : tx.select().from(tiers).where(eq(tiers.id, id)))
          : await tx.insert(tiers).values({ ...set, code: input.code!, name: input.name!.trim() }).returning();
        if (!row) throw new NotFoundError('No such tier');
        await audit(tx, actor, id ? 'tier.update' : 'tier.create', { type: 'Tier', id: row.id }, { code: row.code, ...set });
        return row;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`A tier with code ${input.code} already exists`);
      throw e;
    }
  }
}
