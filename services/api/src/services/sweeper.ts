// The SLA sweeper that raises warnings and breaches, and escalates breached tickets (escalation.ts);
// each sweep also deletes, in bounded batches, uploads never attached to a message (attachments.ts).
//
// The sweeper keeps no state in memory: what is due is `tickets.sla_next_check_at`, what was done is
// the *_warned_at / *_breached_at marks, both written in the same transaction as the events. Each
// ticket is claimed with FOR UPDATE SKIP LOCKED, so any number of sweepers (API processes, the
// `closeloop sweep` worker) can run at once: a ticket locked by one is skipped by the others, and once
// committed its next check has moved past `now`, so it is never handled twice.
import { and, asc, eq, lte } from 'drizzle-orm';
import { tickets, type Database, type Tx } from '@closeloop/db';
import { dueSlaActions, type SlaAction } from '@closeloop/domain';
import { appendToTicket, type Actor, type Publish, type TimelineRow } from './events.ts';
import { escalateInTx } from './escalation.ts';
import { loadCalendar, pausesOf, safeSlaOf, schedule } from './sla.ts';
import type { TicketRow } from '@closeloop/db';
import { log } from '../log.ts';

export const SLA_ACTOR: Actor = { type: 'SYSTEM', id: null, name: 'SLA monitor' };

const CLOCK_LABEL = { FIRST_RESPONSE: 'First response', RESOLUTION: 'Resolution' } as const;
const MARK = {
  FIRST_RESPONSE: { WARNING: 'firstResponseWarnedAt', BREACH: 'firstResponseBreachedAt' },
  RESOLUTION: { WARNING: 'resolutionWarnedAt', BREACH: 'resolutionBreachedAt' },
} as const;

export interface SweepResult { tickets: number; warnings: number; breaches: number; escalations: number; uploadsDeleted: number }

export interface SweeperOptions {
  /** Tickets handled per sweep at most (one short transaction each). */
  batchSize?: number;
  clock?: () => Date;
  onError?: (e: unknown) => void;
  /** Deletes stale unattached uploads (AttachmentService.deleteUnattached, bounded); runs after the tickets. */
  cleanup?: (now: Date) => Promise<number>;
}

export class SlaSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepResult> | null = null;

  constructor(private readonly db: Database, private readonly publish: Publish, private readonly options: SweeperOptions = {}) {}

  /** Handles every ticket whose next check is due at `now`; safe to run concurrently anywhere. */
  async sweepOnce(now: Date = this.options.clock?.() ?? new Date()): Promise<SweepResult> {
    const total: SweepResult = { tickets: 0, warnings: 0, breaches: 0, escalations: 0, uploadsDeleted: 0 };
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
    if (this.options.cleanup) total.uploadsDeleted = await this.options.cleanup(now);
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
          (this.options.onError ?? ((err) => log.error({ err }, 'SLA sweep failed')))(e);
          return { tickets: 0, warnings: 0, breaches: 0, escalations: 0, uploadsDeleted: 0 };
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
