// Escalation (manual and on SLA breach) and the SLA sweeper that raises warnings and breaches.
//
// The sweeper keeps no state in memory: what is due is `tickets.sla_next_check_at`, what was done is
// the *_warned_at / *_breached_at marks, both written in the same transaction as the events. Each
// ticket is claimed with FOR UPDATE SKIP LOCKED, so any number of sweepers (API processes, the
// `closeloop sweep` worker) can run at once: a ticket locked by one is skipped by the others, and once
// committed its next check has moved past `now`, so it is never handled twice.
import { and, asc, eq, lte } from 'drizzle-orm';
import { staff, tickets, type Database, type Tx } from '@closeloop/db';
import { dueSlaActions, nextLevel, type SlaAction } from '@closeloop/domain';
import { audit } from './audit.ts';
import { appendToTicket, type Actor, type TimelineRow } from './events.ts';
import { chooseAssignee } from './routing.ts';
import { loadCalendar, pausesOf, safeSlaOf, schedule } from './sla.ts';
import type { Publish, TicketRow } from './tickets.ts';

export const SLA_ACTOR: Actor = { type: 'SYSTEM', id: null, name: 'SLA monitor' };

export interface Escalation { patch: Partial<TicketRow>; events: TimelineRow[] }

/**
 * One level up (L1 → L2 → L3) and reassignment to the least-loaded handler at the new level in the
 * ticket's department. When nobody works at that level the current assignee keeps the ticket (the
 * event says so). null at L3: there is no level above.
 */
export async function escalateInTx(
  tx: Tx, t: TicketRow, actor: Actor, reason: string | null, now: Date, cause: 'MANUAL' | 'SLA_BREACH',
): Promise<Escalation | null> {
  if (t.level === 'L3') return null;
  const to = nextLevel(t.level);
  const picked = await chooseAssignee(tx, t.departmentId, to);
  const assigneeId = picked?.id ?? t.assigneeId;
  let assigneeName = picked?.name ?? null;
  if (!picked && assigneeId) {
    [{ name: assigneeName } = { name: null }] = await tx.select({ name: staff.name }).from(staff).where(eq(staff.id, assigneeId)).limit(1);
  }
  const events = await appendToTicket(tx, t.id, actor, {
    type: 'ESCALATED',
    visibility: 'INTERNAL',
    body: reason,
    data: { cause, fromLevel: t.level, toLevel: to, assigneeId, assigneeName, previousAssigneeId: t.assigneeId, reassigned: Boolean(picked) },
  });
  await audit(tx, actor, 'ticket.escalate', { type: 'Ticket', id: t.id }, { cause, from: t.level, to, assigneeId });
  return { patch: { level: to, assigneeId, updatedAt: now }, events };
}

const CLOCK_LABEL = { FIRST_RESPONSE: 'First response', RESOLUTION: 'Resolution' } as const;
const MARK = {
  FIRST_RESPONSE: { WARNING: 'firstResponseWarnedAt', BREACH: 'firstResponseBreachedAt' },
  RESOLUTION: { WARNING: 'resolutionWarnedAt', BREACH: 'resolutionBreachedAt' },
} as const;

export interface SweepResult { tickets: number; warnings: number; breaches: number; escalations: number }

export interface SweeperOptions {
  /** Tickets handled per sweep at most (one short transaction each). */
  batchSize?: number;
  clock?: () => Date;
  onError?: (e: unknown) => void;
}

export class SlaSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepResult> | null = null;

  constructor(private readonly db: Database, private readonly publish: Publish, private readonly options: SweeperOptions = {}) {}

  /** Handles every ticket whose next check is due at `now`; safe to run concurrently anywhere. */
  async sweepOnce(now: Date = this.options.clock?.() ?? new Date()): Promise<SweepResult> {
    const total: SweepResult = { tickets: 0, warnings: 0, breaches: 0, escalations: 0 };
    const limit = this.options.batchSize ?? 500;
    for (let i = 0; i < limit; i++) {
      const r = await this.db.transaction((tx) => this.claimOne(tx, now));
      if (!r) break;
      total.tickets++;
      total.warnings += r.actions.filter((a) => a.kind === 'WARNING').length;
      total.breaches += r.actions.filter((a) => a.kind === 'BREACH').length;
      if (r.escalated) total.escalations++;
      if (r.events.length) this.publish(r.events);
    }
    return total;
  }

  private async claimOne(tx: Tx, now: Date): Promise<{ events: TimelineRow[]; actions: SlaAction[]; escalated: boolean } | null> {
    const [t] = await tx
      .select()
      .from(tickets)
      .where(and(lte(tickets.slaNextCheckAt, now)))
      .orderBy(asc(tickets.slaNextCheckAt))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!t) return null;
    const cal = await loadCalendar(tx, t.calendarId);
    const sla = cal ? safeSlaOf(t, cal, now) : null;
    if (!sla) {
      await tx.update(tickets).set({ slaNextCheckAt: null }).where(eq(tickets.id, t.id));
      return { events: [], actions: [], escalated: false };
    }
    const actions = dueSlaActions(sla, { firstRespondedAt: t.firstRespondedAt, resolvedAt: t.resolvedAt, pauses: pausesOf(t.slaPauses) }, t, now);
    const patch: Partial<TicketRow> = {};
    const events: TimelineRow[] = [];
    for (const a of actions) {
      const target = a.clock === 'FIRST_RESPONSE' ? t.slaFirstResponseMinutes : t.slaResolutionMinutes;
      events.push(...(await appendToTicket(tx, t.id, SLA_ACTOR, {
        type: a.kind === 'WARNING' ? 'SLA_WARNING' : 'SLA_BREACHED',
        visibility: 'INTERNAL',
        body: a.kind === 'WARNING'
          ? `${CLOCK_LABEL[a.clock]} at risk: 80 % of the ${target}-minute target used, due ${a.dueAt.toISOString()}`
          : `${CLOCK_LABEL[a.clock]} target of ${target} business minutes missed (due ${a.dueAt.toISOString()})`,
        data: { clock: a.clock, dueAt: a.dueAt.toISOString(), targetMinutes: target, ...(a.clock === 'RESOLUTION' ? { businessMinutesRemaining: sla.businessMinutesRemaining } : {}) },
      })));
      patch[MARK[a.clock][a.kind]] = now;
    }
    let escalated = false;
    if (actions.some((a) => a.kind === 'BREACH')) {
      // Two clocks breaching in one sweep escalate once: one missed deadline, one step up.
      const clocks = actions.filter((a) => a.kind === 'BREACH').map((a) => CLOCK_LABEL[a.clock].toLowerCase()).join(' and ');
      const esc = await escalateInTx(tx, t, SLA_ACTOR, `SLA breached (${clocks})`, now, 'SLA_BREACH');
      if (esc) {
        Object.assign(patch, esc.patch);
        events.push(...esc.events);
        escalated = true;
      }
    }
    Object.assign(patch, schedule({ ...t, ...patch }, cal, now));
    await tx.update(tickets).set(patch).where(eq(tickets.id, t.id));
    return { events, actions, escalated };
  }

  /**
   * Sweeps every `intervalMs` in this process until stopped. Overlapping runs are skipped; errors are
   * reported and the next tick tries again (the database holds all state).
   */
  start(intervalMs: number): () => Promise<void> {
    const tick = () => {
      if (this.running) return;
      this.running = this.sweepOnce()
        .catch((e) => {
          (this.options.onError ?? ((err) => console.error('SLA sweep failed', err)))(e);
          return { tickets: 0, warnings: 0, breaches: 0, escalations: 0 };
        })
        .finally(() => { this.running = null; });
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    tick();
    return async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      await this.running;
    };
  }
}
