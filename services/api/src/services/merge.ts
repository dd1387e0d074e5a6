// Merging feedback into one ticket (an incident: one ATM outage, fifty complaints) and unlinking it.
//
// SLA of merged tickets: every feedback keeps its own receivedAt and base targets. The ticket's clock
// starts at the earliest linked feedback and its targets are the strictest over the linked feedback
// (scaled by priority), so meeting the ticket's deadlines meets every customer's. Merging or
// unlinking recomputes both tickets involved.
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { feedback, tickets, type Database, type Tx } from '@closeloop/db';
import { effectiveTargets, isOpen, type Channel, type FeedbackKind, type TicketStatus } from '@closeloop/domain';
import type { Viewer } from '../policy/viewer.ts';
import { assertCanWriteTicket } from '../policy/access.ts';
import { NotFoundError, ValidationError } from '../policy/errors.ts';
import { audit } from './audit.ts';
import { appendToTicket, type TimelineRow } from './events.ts';
import { actorOf } from './feedback.ts';
import { routeSubmission } from './routing.ts';
import { departmentCalendar, EMPTY_TICKET, refreshSla, retarget, schedule } from './sla.ts';
import type { Publish, TicketChange, TicketRow } from './tickets.ts';

const MAX_MERGE = 200;
const MERGED_NOTICE = '您的反馈已与相关反馈合并处理。Your feedback is now handled together with related reports as one case.';
const UNLINKED_NOTICE = '您的反馈将单独处理。Your feedback is now handled as a case of its own.';

export class MergeService {
  constructor(private readonly db: Database, private readonly publish: Publish) {}

  async merge(viewer: Viewer, ticketId: string, feedbackIds: string[]): Promise<TicketChange> {
    const ids = [...new Set(feedbackIds)];
    if (ids.length === 0 || ids.length > MAX_MERGE) {
      throw new ValidationError([{ path: ['input', 'feedbackIds'], code: 'INVALID_COUNT', message: `give 1 to ${MAX_MERGE} feedback IDs` }]);
    }
    const result = await this.db.transaction(async (tx) => {
      const rows = await tx.select({ id: feedback.id, ticketId: feedback.ticketId }).from(feedback).where(inArray(feedback.id, ids));
      const missing = ids.findIndex((id) => !rows.some((r) => r.id === id));
      if (missing >= 0) throw new ValidationError([{ path: ['input', 'feedbackIds', String(missing)], code: 'NOT_FOUND', message: 'No such feedback' }]);
      const moving = rows.filter((r) => r.ticketId !== ticketId);
      if (moving.length === 0) throw new ValidationError([{ path: ['input', 'feedbackIds'], code: 'ALREADY_LINKED', message: 'Every feedback given is already linked to this ticket' }]);
      const sourceIds = [...new Set(moving.map((r) => r.ticketId))];
      // Locks in id order, so two merges touching the same tickets cannot deadlock.
      const locked = await tx.select().from(tickets).where(inArray(tickets.id, [ticketId, ...sourceIds])).orderBy(asc(tickets.id)).for('update');
      const target = locked.find((t) => t.id === ticketId);
      if (!target) throw new NotFoundError('No such ticket');
      for (const t of locked) assertCanWriteTicket(viewer, t);
      if (!isOpen(target.status)) {
        throw new ValidationError([{ path: ['input', 'ticketId'], code: 'NOT_OPEN', message: 'Feedback can only be merged into an open ticket' }]);
      }
      const now = new Date();
      const actor = actorOf(viewer);
      await tx.update(feedback).set({ ticketId }).where(inArray(feedback.id, moving.map((r) => r.id)));
      const events: TimelineRow[] = [];
      for (const source of locked.filter((t) => t.id !== ticketId)) {
        const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(feedback).where(eq(feedback.ticketId, source.id))) as [{ n: number }];
        if (n === 0) {
          // Emptied: closed and pointing at the incident (no resolution: nothing was resolved there).
          await tx.update(tickets).set({ status: 'CLOSED', closedAt: now, mergedIntoId: ticketId, slaNextCheckAt: null, updatedAt: now }).where(eq(tickets.id, source.id));
        } else {
          await this.reschedule(tx, source, now);
          events.push(...(await appendToTicket(tx, source.id, actor, {
            type: 'MERGED', visibility: 'INTERNAL', data: { movedTo: ticketId, feedbackIds: moving.filter((m) => m.ticketId === source.id).map((m) => m.id) },
          })));
        }
      }
      const ticket = await this.reschedule(tx, target, now);
      events.push(...(await appendToTicket(tx, ticketId, actor, { type: 'MERGED', visibility: 'PUBLIC', body: MERGED_NOTICE, data: { added: moving.length } })));
      await audit(tx, actor, 'ticket.merge', { type: 'Ticket', id: ticketId }, { feedbackIds: moving.map((m) => m.id), fromTicketIds: sourceIds });
      return { ticket, events };
    });
    this.publish(result.events);
    return result;
  }

  /** Moves one feedback off its ticket onto a new ticket of its own, routed afresh. */
  async unlink(viewer: Viewer, feedbackId: string): Promise<TicketChange> {
    const result = await this.db.transaction(async (tx) => {
      const [f] = await tx.select().from(feedback).where(eq(feedback.id, feedbackId)).limit(1);
      if (!f) throw new NotFoundError('No such feedback');
      const [old] = await tx.select().from(tickets).where(eq(tickets.id, f.ticketId)).for('update');
      assertCanWriteTicket(viewer, old!);
      const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(feedback).where(eq(feedback.ticketId, old!.id))) as [{ n: number }];
      if (n < 2) {
        throw new ValidationError([{ path: ['input', 'feedbackId'], code: 'NOT_MERGED', message: 'This feedback is the only one on its ticket' }]);
      }
      const now = new Date();
      const route = await routeSubmission(tx, {
        kind: f.kind as FeedbackKind, category: f.category, content: f.content, channel: f.channel as Channel, customerId: f.customerId,
      });
      // The case goes on where it was for this customer; a resolved incident did not resolve it.
      const status: TicketStatus = old!.status === 'SUBMITTED' || old!.status === 'ACKNOWLEDGED' || old!.status === 'IN_PROGRESS' ? old!.status : 'IN_PROGRESS';
      const base = f.slaFirstResponseMinutes == null || f.slaResolutionMinutes == null ? null
        : { firstResponseMinutes: f.slaFirstResponseMinutes, resolutionMinutes: f.slaResolutionMinutes };
      const targets = effectiveTargets([base], route.priority);
      const cal = await departmentCalendar(tx, route.departmentId);
      const draft = {
        status, kind: f.kind, channel: f.channel, customerId: f.customerId, receivedAt: f.receivedAt, departmentId: route.departmentId,
        level: route.level, priority: route.priority, assigneeId: route.assigneeId, calendarId: cal.calendarId,
        firstRespondedAt: f.firstRespondedAt, slaFirstResponseMinutes: targets?.firstResponseMinutes ?? null,
        slaResolutionMinutes: targets?.resolutionMinutes ?? null,
      };
      const sla = schedule({ ...EMPTY_TICKET, ...draft }, cal.calendar, now);
      const [ticket] = await tx.insert(tickets).values({ ...draft, ...sla }).returning();
      await tx.update(feedback).set({ ticketId: ticket!.id }).where(eq(feedback.id, f.id));
      await this.reschedule(tx, old!, now);
      const actor = actorOf(viewer);
      const events = [
        ...(await appendToTicket(tx, old!.id, actor, { type: 'UNMERGED', visibility: 'INTERNAL', data: { feedbackId: f.id, newTicketId: ticket!.id } })),
        ...(await appendToTicket(tx, ticket!.id, actor, { type: 'UNMERGED', visibility: 'PUBLIC', body: UNLINKED_NOTICE, toStatus: status, data: { previousTicketId: old!.id } })),
      ];
      await audit(tx, actor, 'ticket.unlink', { type: 'Feedback', id: f.id }, { from: old!.id, to: ticket!.id });
      return { ticket: ticket!, events };
    });
    this.publish(result.events);
    return result;
  }

  /** New targets and clock start from the feedback now linked, then new due times. */
  private async reschedule(tx: Tx, t: TicketRow, now: Date): Promise<TicketRow> {
    const next: TicketRow = { ...t, ...(await retarget(tx, t.id, t.priority)) };
    const sla = await refreshSla(tx, next, now);
    const [row] = await tx
      .update(tickets)
      .set({ receivedAt: next.receivedAt, slaFirstResponseMinutes: next.slaFirstResponseMinutes, slaResolutionMinutes: next.slaResolutionMinutes, ...sla, updatedAt: now })
      .where(eq(tickets.id, t.id))
      .returning();
    return row!;
  }
}
