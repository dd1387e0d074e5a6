// Admin management of business calendars, SLA policies, routing rules and customer tiers. Every edit
// is validated first (typed errors, nothing changed), audited, and reschedules the open tickets it
// affects in the same transaction.
import { and, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import {
  businessCalendars, customers, departments, routingRules, slaPolicies, tickets, tiers, type Database, type Tx,
} from '@closeloop/db';
import {
  validateCalendar, DEFAULT_TIME_ZONE, type BusinessCalendar, type EscalationLevel, type FeedbackKind, type FieldError, type Priority, type WorkingInterval,
} from '@closeloop/domain';
import type { Viewer } from '../policy/viewer.ts';
import { ConflictError, NotFoundError, ValidationError } from '../policy/errors.ts';
import { audit } from './audit.ts';
import { actorOf, isUniqueViolation } from './feedback.ts';
import { OPEN_STATUSES, recomputeOpenTickets, retierOpenTickets } from './sla.ts';

export interface CalendarInput {
  code?: string | null;
  name?: string | null;
  timeZone?: string | null;
  weeklyHours?: Array<{ weekday: number; intervals: WorkingInterval[] }> | null;
  holidays?: string[] | null;
  workingDays?: string[] | null;
  makeupHours?: WorkingInterval[] | null;
  /** Years whose holidays are fully listed (coverage); null keeps the stored value, [] = none. */
  holidayYears?: number[] | null;
  isDefault?: boolean | null;
}

export interface PolicyInput {
  kind: FeedbackKind;
  tierCode?: string | null;
  category?: string | null;
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

export interface RuleInput {
  name?: string | null;
  position?: number | null;
  enabled?: boolean | null;
  kinds?: string[] | null;
  categories?: string[] | null;
  keywords?: string[] | null;
  tiers?: string[] | null;
  channels?: string[] | null;
  departmentId?: string | null;
  level?: EscalationLevel | null;
  priority?: Priority | null;
}

const MAX_TARGET_MINUTES = 366 * 1440;

const fail = (path: string[], code: string, message: string): never => {
  throw new ValidationError([{ path, code, message }]);
};

/** GraphQL takes weekly hours as a list; domain paths name the weekday, so map them back to list indexes. */
function calendarErrors(cal: BusinessCalendar, weekly: CalendarInput['weeklyHours']): FieldError[] {
  return validateCalendar(cal).map((e) => {
    if (e.path[1] !== 'weeklyHours' || e.path.length < 3 || !weekly) return e;
    const index = weekly.findIndex((w) => String(w.weekday) === e.path[2]);
    return index < 0 ? e : { ...e, path: ['input', 'weeklyHours', String(index), 'intervals', ...e.path.slice(3)] };
  });
}

function weeklyRecord(list: NonNullable<CalendarInput['weeklyHours']>): BusinessCalendar['weeklyHours'] {
  const errors: FieldError[] = [];
  const out: Record<number, WorkingInterval[]> = { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] };
  const seen = new Set<number>();
  list.forEach((w, i) => {
    if (!Number.isInteger(w.weekday) || w.weekday < 1 || w.weekday > 7) {
      errors.push({ path: ['input', 'weeklyHours', String(i), 'weekday'], code: 'INVALID', message: 'weekday is 1 (Monday) to 7 (Sunday)' });
    } else if (seen.has(w.weekday)) {
      errors.push({ path: ['input', 'weeklyHours', String(i), 'weekday'], code: 'DUPLICATE', message: `weekday ${w.weekday} is listed twice` });
    } else {
      seen.add(w.weekday);
      out[w.weekday] = w.intervals.map((iv) => ({ start: iv.start, end: iv.end }));
    }
  });
  if (errors.length) throw new ValidationError(errors);
  return out as unknown as BusinessCalendar['weeklyHours'];
}

export class WorkflowService {
  constructor(private readonly db: Database) {}

  // ---- calendars -----------------------------------------------------------------------------

  async saveCalendar(viewer: Viewer, id: string | null, input: CalendarInput) {
    const code = input.code?.trim();
    if (id === null && !code) fail(['input', 'code'], 'REQUIRED', 'code is required');
    if (code !== undefined && !/^[A-Z0-9_-]{1,40}$/i.test(code)) fail(['input', 'code'], 'INVALID', 'code: 1–40 letters, digits, _ or -');
    if (input.name != null && !input.name.trim()) fail(['input', 'name'], 'REQUIRED', 'name must not be empty');
    try {
      return await this.db.transaction(async (tx) => {
        let prior: typeof businessCalendars.$inferSelect | undefined;
        if (id) {
          [prior] = await tx.select().from(businessCalendars).where(eq(businessCalendars.id, id)).for('update');
          if (!prior) throw new NotFoundError('No such calendar');
        }
        const makeup = input.makeupHours === undefined ? prior?.makeupHours : input.makeupHours;
        const cal: BusinessCalendar = {
          timeZone: input.timeZone ?? prior?.timeZone ?? DEFAULT_TIME_ZONE,
          weeklyHours: input.weeklyHours ? weeklyRecord(input.weeklyHours) : (prior?.weeklyHours as BusinessCalendar['weeklyHours']) ?? weeklyRecord([]),
          holidays: [...new Set(input.holidays ?? prior?.holidays ?? [])].sort(),
          workingDays: [...new Set(input.workingDays ?? prior?.workingDays ?? [])].sort(),
          // Omitted keeps the stored hours; null goes back to Monday's.
          ...(makeup ? { makeupHours: makeup as WorkingInterval[] } : {}),
          holidayYears: input.holidayYears ?? prior?.holidayYears ?? null,
        };
        // Validate what was sent as given, so list indexes in error paths match the input.
        const errors = calendarErrors({ ...cal, holidays: input.holidays ?? cal.holidays, workingDays: input.workingDays ?? cal.workingDays }, input.weeklyHours);
        if (errors.length) throw new ValidationError(errors);
        if (prior?.isDefault && input.isDefault === false) fail(['input', 'isDefault'], 'DEFAULT_REQUIRED', 'make another calendar the default instead');
        if (input.isDefault) await tx.update(businessCalendars).set({ isDefault: false }).where(eq(businessCalendars.isDefault, true));
        const values = {
          name: input.name?.trim() ?? prior?.name ?? code!, timeZone: cal.timeZone, weeklyHours: cal.weeklyHours,
          holidays: [...cal.holidays], workingDays: [...cal.workingDays], makeupHours: cal.makeupHours ?? null,
          holidayYears: cal.holidayYears ? [...new Set(cal.holidayYears)].sort((a, b) => a - b) : null,
          isDefault: input.isDefault ?? prior?.isDefault ?? false, updatedAt: new Date(),
        };
        const [row] = id
          ? await tx.update(businessCalendars).set({ ...values, ...(code ? { code } : {}) }).where(eq(businessCalendars.id, id)).returning()
          : await tx.insert(businessCalendars).values({ ...values, code: code! }).returning();
        // Open tickets on this calendar get new due times now (warnings already sent stay sent).
        const rescheduled = id ? await recomputeOpenTickets(tx, eq(tickets.calendarId, id), new Date()) : 0;
        await audit(tx, actorOf(viewer), id ? 'calendar.update' : 'calendar.create', { type: 'BusinessCalendar', id: row!.id }, { code: row!.code, rescheduled });
        return row!;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`A calendar with code ${code} already exists`);
      throw e;
    }
  }

  /** Moves a department (and its open tickets) to a calendar; null = the default calendar. */
  async setDepartmentCalendar(viewer: Viewer, departmentId: string, calendarId: string | null) {
    return this.db.transaction(async (tx) => {
      const [dept] = await tx.select().from(departments).where(eq(departments.id, departmentId)).limit(1);
      if (!dept) fail(['input', 'departmentId'], 'NOT_FOUND', 'No such department');
      const [target] = calendarId
        ? await tx.select().from(businessCalendars).where(eq(businessCalendars.id, calendarId)).limit(1)
        : await tx.select().from(businessCalendars).where(eq(businessCalendars.isDefault, true)).limit(1);
      if (!target) fail(['input', 'calendarId'], 'NOT_FOUND', 'No such calendar');
      const [row] = await tx.update(departments).set({ calendarId }).where(eq(departments.id, departmentId)).returning();
      await tx.update(tickets).set({ calendarId: target!.id })
        .where(and(eq(tickets.departmentId, departmentId), inArray(tickets.status, [...OPEN_STATUSES]), or(isNull(tickets.calendarId), ne(tickets.calendarId, target!.id))));
      const rescheduled = await recomputeOpenTickets(tx, eq(tickets.departmentId, departmentId), new Date());
      await audit(tx, actorOf(viewer), 'department.calendar', { type: 'Department', id: departmentId }, { calendarId, rescheduled });
      return row!;
    });
  }

  // ---- SLA policies --------------------------------------------------------------------------

  /** Creates or replaces the policy for kind × tier × category. Applies to feedback submitted from now on. */
  async setPolicy(viewer: Viewer, input: PolicyInput) {
    const errors: FieldError[] = [];
    for (const f of ['firstResponseMinutes', 'resolutionMinutes'] as const) {
      const v = input[f];
      if (!Number.isInteger(v) || v < 1 || v > MAX_TARGET_MINUTES) errors.push({ path: ['input', f], code: 'OUT_OF_RANGE', message: `${f} must be a whole number of business minutes from 1 to ${MAX_TARGET_MINUTES}` });
    }
    if (!errors.length && input.firstResponseMinutes > input.resolutionMinutes) {
      errors.push({ path: ['input', 'firstResponseMinutes'], code: 'AFTER_RESOLUTION', message: 'the first response cannot be due after the resolution' });
    }
    const tierCode = input.tierCode?.trim() || null;
    const category = input.category?.trim() || null;
    if (tierCode) {
      const [t] = await this.db.select({ id: tiers.id }).from(tiers).where(eq(tiers.code, tierCode)).limit(1);
      if (!t) errors.push({ path: ['input', 'tierCode'], code: 'NOT_FOUND', message: `No tier ${tierCode}` });
    }
    if (errors.length) throw new ValidationError(errors);
    return this.db.transaction(async (tx) => {
      const values = { kind: input.kind, tierCode, category, firstResponseMinutes: input.firstResponseMinutes, resolutionMinutes: input.resolutionMinutes, updatedAt: new Date() };
      const [row] = await tx.insert(slaPolicies).values(values)
        .onConflictDoUpdate({ target: [slaPolicies.kind, slaPolicies.tierCode, slaPolicies.category], set: values })
        .returning();
      await audit(tx, actorOf(viewer), 'sla_policy.set', { type: 'SlaPolicy', id: row!.id }, values);
      return row!;
    });
  }

  async deletePolicy(viewer: Viewer, id: string) {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(slaPolicies).where(eq(slaPolicies.id, id)).for('update');
      if (!row) throw new NotFoundError('No such SLA policy');
      if (row.tierCode === null && row.category === null) {
        fail(['input', 'id'], 'BASE_POLICY', `The ${row.kind} policy for any tier is the fallback of its kind and cannot be deleted; edit it instead`);
      }
      await tx.delete(slaPolicies).where(eq(slaPolicies.id, id));
      await audit(tx, actorOf(viewer), 'sla_policy.delete', { type: 'SlaPolicy', id }, { kind: row.kind, tierCode: row.tierCode, category: row.category });
      return row;
    });
  }

  // ---- routing rules -------------------------------------------------------------------------

  private async checkRule(input: RuleInput, creating: boolean): Promise<void> {
    const errors: FieldError[] = [];
    if (creating || input.name != null) {
      if (!input.name?.trim() || input.name.trim().length > 100) errors.push({ path: ['input', 'name'], code: 'REQUIRED', message: 'name: 1–100 characters' });
    }
    if (creating && input.departmentId == null) errors.push({ path: ['input', 'departmentId'], code: 'REQUIRED', message: 'departmentId is required' });
    if (input.position != null && (!Number.isInteger(input.position) || Math.abs(input.position) > 1_000_000)) {
      errors.push({ path: ['input', 'position'], code: 'OUT_OF_RANGE', message: 'position must be a whole number' });
    }
    if (input.departmentId) {
      const [d] = await this.db.select({ id: departments.id }).from(departments).where(eq(departments.id, input.departmentId)).limit(1);
      if (!d) errors.push({ path: ['input', 'departmentId'], code: 'NOT_FOUND', message: 'No such department' });
    }
    if (input.tiers?.length) {
      const known = new Set((await this.db.select({ code: tiers.code }).from(tiers)).map((t) => t.code));
      input.tiers.forEach((t, i) => { if (!known.has(t)) errors.push({ path: ['input', 'match', 'tiers', String(i)], code: 'NOT_FOUND', message: `No tier ${t}` }); });
    }
    input.keywords?.forEach((k, i) => { if (!k.trim()) errors.push({ path: ['input', 'match', 'keywords', String(i)], code: 'REQUIRED', message: 'a keyword must not be blank' }); });
    if (errors.length) throw new ValidationError(errors);
  }

  async createRule(viewer: Viewer, input: RuleInput) {
    await this.checkRule(input, true);
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(routingRules).values({
        name: input.name!.trim(), position: input.position ?? (await this.nextPosition(tx)), enabled: input.enabled ?? true,
        kinds: input.kinds ?? [], categories: clean(input.categories), keywords: clean(input.keywords), tiers: input.tiers ?? [],
        channels: input.channels ?? [], departmentId: input.departmentId!, level: input.level ?? 'L1', priority: input.priority ?? 'NORMAL',
      }).returning();
      await audit(tx, actorOf(viewer), 'routing_rule.create', { type: 'RoutingRule', id: row!.id }, { name: row!.name, position: row!.position });
      return row!;
    });
  }

  /** The default rule keeps matching everything and stays enabled: only its action can change. */
  async updateRule(viewer: Viewer, id: string, input: RuleInput) {
    await this.checkRule(input, false);
    return this.db.transaction(async (tx) => {
      const [prior] = await tx.select().from(routingRules).where(eq(routingRules.id, id)).for('update');
      if (!prior) throw new NotFoundError('No such routing rule');
      if (prior.isDefault) {
        const touched = (['kinds', 'categories', 'keywords', 'tiers', 'channels'] as const).find((k) => input[k]?.length);
        if (touched) fail(['input', 'match', touched], 'DEFAULT_RULE', 'The default rule matches everything; add a rule before it instead');
        if (input.enabled === false) fail(['input', 'enabled'], 'DEFAULT_RULE', 'The default rule cannot be disabled');
      }
      const set: Partial<typeof routingRules.$inferInsert> = { updatedAt: new Date() };
      if (input.name != null) set.name = input.name.trim();
      if (input.position != null) set.position = input.position;
      if (input.enabled != null) set.enabled = input.enabled;
      if (input.kinds != null) set.kinds = input.kinds;
      if (input.categories != null) set.categories = clean(input.categories);
      if (input.keywords != null) set.keywords = clean(input.keywords);
      if (input.tiers != null) set.tiers = input.tiers;
      if (input.channels != null) set.channels = input.channels;
      if (input.departmentId != null) set.departmentId = input.departmentId;
      if (input.level != null) set.level = input.level;
      if (input.priority != null) set.priority = input.priority;
      const [row] = await tx.update(routingRules).set(set).where(eq(routingRules.id, id)).returning();
      await audit(tx, actorOf(viewer), 'routing_rule.update', { type: 'RoutingRule', id }, { ...set, updatedAt: undefined });
      return row!;
    });
  }

  async deleteRule(viewer: Viewer, id: string) {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(routingRules).where(eq(routingRules.id, id)).for('update');
      if (!row) throw new NotFoundError('No such routing rule');
      if (row.isDefault) fail(['input', 'id'], 'DEFAULT_RULE', 'The default rule cannot be deleted; change its department, level or priority instead');
      await tx.delete(routingRules).where(eq(routingRules.id, id));
      await audit(tx, actorOf(viewer), 'routing_rule.delete', { type: 'RoutingRule', id }, { name: row.name });
      return row;
    });
  }

  private async nextPosition(tx: Tx): Promise<number> {
    // New rules go last among the ordinary ones, in steps of 10 so others fit in between.
    const [r] = await tx.select({ max: sql<number | null>`max(${routingRules.position})` }).from(routingRules).where(eq(routingRules.isDefault, false));
    return (r?.max ?? 0) + 10;
  }

  // ---- tiers ---------------------------------------------------------------------------------

  /**
   * Re-tiers a customer: their feedback on open tickets get the new tier's targets and those tickets
   * new due times (a VIP upgrade shortens them, a downgrade lengthens them).
   */
  async setCustomerTier(viewer: Viewer, customerId: string, tierCode: string) {
    const [tier] = await this.db.select().from(tiers).where(eq(tiers.code, tierCode)).limit(1);
    if (!tier) fail(['input', 'tierCode'], 'NOT_FOUND', `No tier ${tierCode}`);
    return this.db.transaction(async (tx) => {
      const [c] = await tx.select().from(customers).where(eq(customers.id, customerId)).for('update');
      if (!c) throw new NotFoundError('No such customer');
      const [updated] = await tx.update(customers).set({ tierId: tier!.id, updatedAt: new Date() }).where(eq(customers.id, customerId)).returning();
      const rescheduled = await retierOpenTickets(tx, customerId, tier!.code, new Date());
      await audit(tx, actorOf(viewer), 'customer.tier', { type: 'Customer', id: customerId }, { from: c.tierId, to: tier!.code, rescheduled });
      return updated!;
    });
  }
}

function clean(list: string[] | null | undefined): string[] {
  return [...new Set((list ?? []).map((s) => s.trim()).filter(Boolean))];
}
