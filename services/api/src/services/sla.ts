// SLA bookkeeping shared by submission, ticket changes, merging and the sweeper: which calendar and
// targets apply to a ticket, and its due times, warn times and next sweeper check.
import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { businessCalendars, departments, feedback, slaPolicies, tickets, type Tx } from '@closeloop/db';
import {
  computeSla, effectiveTargets, nextSlaCheck, resolvePolicy, DEFAULT_TIME_ZONE,
  type BusinessCalendar, type FeedbackKind, type Priority, type SlaPause, type SlaResult, type SlaTargets,
} from '@closeloop/domain';

import type { CalendarRow, TicketRow } from '@closeloop/db';
import { log } from '../log.ts';
export type { CalendarRow };

/** The statuses `isOpen` accepts, for SQL filters on open tickets. */
export const OPEN_STATUSES = ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER'] as const;
export type StoredPause = { from: string; to: string | null };

export function toBusinessCalendar(
  row: Pick<CalendarRow, 'timeZone' | 'weeklyHours' | 'holidays' | 'workingDays' | 'makeupHours'> & Partial<Pick<CalendarRow, 'holidayYears'>>,
): BusinessCalendar {
  return {
    holidayYears: row.holidayYears ?? null,
    timeZone: row.timeZone || DEFAULT_TIME_ZONE,
    weeklyHours: row.weeklyHours as BusinessCalendar['weeklyHours'],
    holidays: row.holidays,
    workingDays: row.workingDays,
    ...(row.makeupHours ? { makeupHours: row.makeupHours as BusinessCalendar['makeupHours'] } : {}),
  };
}

/**
 * The department's calendar, else the default one, in one statement (submission runs this on every
 * feedback). Both null only before the default calendar is seeded.
 */
export async function departmentCalendar(tx: Tx, departmentId: string | null): Promise<{ calendarId: string | null; calendar: BusinessCalendar | null }> {
  const own = departmentId ? sql`(select ${departments.calendarId} from ${departments} where ${departments.id} = ${departmentId})` : sql`null`;
  const [row] = await tx
    .select()
    .from(businessCalendars)
    .where(sql`${businessCalendars.id} = coalesce(${own}, (select d.id from business_calendars d where d.is_default limit 1))`)
    .limit(1);
  return row ? { calendarId: row.id, calendar: toBusinessCalendar(row) } : { calendarId: null, calendar: null };
}

export async function loadCalendar(tx: Tx, calendarId: string | null): Promise<BusinessCalendar | null> {
  if (!calendarId) return null;
  const [row] = await tx.select().from(businessCalendars).where(eq(businessCalendars.id, calendarId)).limit(1);
  return row ? toBusinessCalendar(row) : null;
}

/** The base targets of one feedback: the most specific policy for its kind × tier × category. */
export async function policyTargets(tx: Tx, kind: FeedbackKind, tierCode: string | null, category: string | null): Promise<SlaTargets | null> {
  const rows = await tx.select().from(slaPolicies).where(eq(slaPolicies.kind, kind));
  const policy = resolvePolicy(
    rows.map((r) => ({ kind: r.kind, tierCode: r.tierCode, category: r.category, targets: { firstResponseMinutes: r.firstResponseMinutes, resolutionMinutes: r.resolutionMinutes } })),
    kind, tierCode, category,
  );
  return policy?.targets ?? null;
}

export function pausesOf(stored: readonly StoredPause[]): SlaPause[] {
  return stored.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null }));
}

/** Opens a pause (entering AWAITING_CUSTOMER) or closes the open one (leaving it). */
export function pausesAfter(stored: readonly StoredPause[], from: string, to: string, now: Date): StoredPause[] | undefined {
  if (to === 'AWAITING_CUSTOMER' && from !== to) return [...stored, { from: now.toISOString(), to: null }];
  if (from === 'AWAITING_CUSTOMER' && from !== to) return stored.map((p) => (p.to === null ? { ...p, to: now.toISOString() } : p));
  return undefined;
}

type SlaFields = Pick<TicketRow,
  'firstResponseDueAt' | 'firstResponseWarnAt' | 'resolutionDueAt' | 'resolutionWarnAt' | 'slaNextCheckAt'>;

export function slaOf(t: TicketRow, cal: BusinessCalendar, now: Date): SlaResult | null {
  if (t.slaFirstResponseMinutes == null || t.slaResolutionMinutes == null) return null;
  return computeSla({
    calendar: cal,
    targets: { firstResponseMinutes: t.slaFirstResponseMinutes, resolutionMinutes: t.slaResolutionMinutes },
    receivedAt: t.receivedAt,
    now,
    pauses: pausesOf(t.slaPauses),
    firstRespondedAt: t.firstRespondedAt,
    resolvedAt: t.resolvedAt,
  });
}

/**
 * `slaOf`, or null when the ticket's clock cannot be measured (a receivedAt or due time outside the
 * supported years, stored before receivedAt was bounded): such a ticket gets no due times and is never
 * swept again, rather than failing every change to it and stalling the sweeper.
 */
export function safeSlaOf(t: TicketRow, cal: BusinessCalendar, now: Date): SlaResult | null {
  try {
    return slaOf(t, cal, now);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    log.warn({ ticketId: t.id, err: e }, 'ticket has no SLA');
    return null;
  }
}

/**
 * Due times, warn times and the next sweeper check of a ticket as it will be after a change. While a
 * pause is open the resolution due time is projected as if the customer answered at `now`.
 */
export function schedule(t: TicketRow, cal: BusinessCalendar | null, now: Date): SlaFields {
  const sla = cal ? safeSlaOf(t, cal, now) : null;
  if (!sla) return { firstResponseDueAt: null, firstResponseWarnAt: null, resolutionDueAt: null, resolutionWarnAt: null, slaNextCheckAt: null };
  const merged = t.status === 'CLOSED' && !t.resolvedAt; // merged away: nothing left to watch
  return {
    firstResponseDueAt: sla.firstResponseDueAt,
    firstResponseWarnAt: sla.firstResponseWarnAt,
    resolutionDueAt: sla.resolutionDueAt,
    resolutionWarnAt: sla.resolutionWarnAt,
    slaNextCheckAt: merged ? null : nextSlaCheck(sla, { firstRespondedAt: t.firstRespondedAt, resolvedAt: t.resolvedAt, pauses: pausesOf(t.slaPauses) }, t),
  };
}

/** `schedule` for the ticket's own calendar, loaded in the transaction. */
export async function refreshSla(tx: Tx, t: TicketRow, now: Date): Promise<SlaFields> {
  return schedule(t, await loadCalendar(tx, t.calendarId), now);
}

/**
 * Effective targets of a ticket from its linked feedback and its priority; the clock starts at the
 * earliest linked feedback. Used after a merge, an unlink, a re-tier or a reprioritisation.
 */
export async function retarget(tx: Tx, ticketId: string, priority: Priority): Promise<Pick<TicketRow, 'slaFirstResponseMinutes' | 'slaResolutionMinutes'> & { receivedAt?: Date }> {
  const linked = await tx
    .select({ fr: feedback.slaFirstResponseMinutes, res: feedback.slaResolutionMinutes, receivedAt: feedback.receivedAt })
    .from(feedback)
    .where(eq(feedback.ticketId, ticketId));
  const targets = effectiveTargets(
    linked.map((f) => (f.fr == null || f.res == null ? null : { firstResponseMinutes: f.fr, resolutionMinutes: f.res })),
    priority,
  );
  const earliest = linked.reduce<Date | undefined>((m, f) => (!m || f.receivedAt < m ? f.receivedAt : m), undefined);
  return {
    slaFirstResponseMinutes: targets?.firstResponseMinutes ?? null,
    slaResolutionMinutes: targets?.resolutionMinutes ?? null,
    ...(earliest ? { receivedAt: earliest } : {}),
  };
}

/** Records the first response on every linked feedback that had none (merged feedback keep theirs). */
export async function markFeedbackResponded(tx: Tx, ticketId: string, at: Date): Promise<void> {
  await tx.update(feedback).set({ firstRespondedAt: at }).where(and(eq(feedback.ticketId, ticketId), isNull(feedback.firstRespondedAt)));
}

/**
 * Recomputes open tickets after a calendar edit, a policy-independent change that moves due times.
 * Each ticket is locked and updated in the caller's transaction; returns how many changed.
 */
export async function recomputeOpenTickets(tx: Tx, where: SQL, now: Date): Promise<number> {
  const rows = await tx
    .select()
    .from(tickets)
    .where(and(where, inArray(tickets.status, [...OPEN_STATUSES])))
    .orderBy(tickets.id)
    .for('update');
  const calendars = new Map<string | null, BusinessCalendar | null>();
  for (const t of rows) {
    if (!calendars.has(t.calendarId)) calendars.set(t.calendarId, await loadCalendar(tx, t.calendarId));
    await tx.update(tickets).set({ ...schedule(t, calendars.get(t.calendarId)!, now), updatedAt: now }).where(eq(tickets.id, t.id));
  }
  return rows.length;
}

/**
 * After a customer's tier changed: their feedback on open tickets get the new tier's targets, and those
 * tickets new targets and due times (an upgrade shortens them, a downgrade lengthens them). Returns how
 * many tickets were rescheduled.
 */
export async function retierOpenTickets(tx: Tx, customerId: string, tierCode: string | null, now: Date): Promise<number> {
  const open = await tx
    .select()
    .from(tickets)
    .where(and(
      inArray(tickets.status, [...OPEN_STATUSES]),
      inArray(tickets.id, tx.select({ id: feedback.ticketId }).from(feedback).where(eq(feedback.customerId, customerId))),
    ))
    .orderBy(tickets.id)
    .for('update');
  for (const t of open) {
    const mine = await tx.select().from(feedback).where(and(eq(feedback.ticketId, t.id), eq(feedback.customerId, customerId)));
    for (const f of mine) {
      const targets = await policyTargets(tx, f.kind, tierCode, f.category);
      await tx.update(feedback)
        .set({ slaFirstResponseMinutes: targets?.firstResponseMinutes ?? null, slaResolutionMinutes: targets?.resolutionMinutes ?? null })
        .where(eq(feedback.id, f.id));
    }
    const next: TicketRow = { ...t, ...(await retarget(tx, t.id, t.priority)) };
    await tx.update(tickets).set({
      slaFirstResponseMinutes: next.slaFirstResponseMinutes, slaResolutionMinutes: next.slaResolutionMinutes,
      ...(await refreshSla(tx, next, now)), updatedAt: now,
    }).where(eq(tickets.id, t.id));
  }
  return open.length;
}

/** A ticket before its first insert, for computing its schedule from a draft. */
export const EMPTY_TICKET: TicketRow = Object.freeze({
  id: '', status: 'SUBMITTED', kind: 'INQUIRY', channel: 'WEB', customerId: null, priority: 'NORMAL', departmentId: null,
  assigneeId: null, level: 'L1', receivedAt: new Date(0), firstResponseDueAt: null, resolutionDueAt: null, firstRespondedAt: null,
  resolvedAt: null, closedAt: null, calendarId: null, slaFirstResponseMinutes: null, slaResolutionMinutes: null,
  firstResponseWarnAt: null, resolutionWarnAt: null, slaPauses: [], firstResponseWarnedAt: null, firstResponseBreachedAt: null,
  resolutionWarnedAt: null, resolutionBreachedAt: null, slaNextCheckAt: null, mergedIntoId: null,
  outcome: null, customerReopenedAt: null, reviewRequestedAt: null, followUpRequired: false,
  collaboratorDepartmentIds: [], collaboratorStaffIds: [],
  createdAt: new Date(0), updatedAt: new Date(0),
}) as TicketRow;
