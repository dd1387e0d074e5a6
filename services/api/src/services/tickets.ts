import { eq } from 'drizzle-orm';
import { staff, tickets, type Database, type Tx } from '@closeloop/db';
import { checkTransition, isOpen, validateNote, type Priority, type TicketStatus, type Visibility } from '@closeloop/domain';
import type { Viewer } from '../policy/viewer.ts';
import { assertCanAddInternalNote, assertCanWriteTicket } from '../policy/access.ts';
import { InvalidTransitionError, NotFoundError, ValidationError } from '../policy/errors.ts';
import { audit } from './audit.ts';
import { appendToTicket, type Actor, type Publish, type TimelineRow } from './events.ts';
import { actorOf } from './feedback.ts';
import { markFeedbackResponded, pausesAfter, refreshSla, retarget } from './sla.ts';
import { escalateInTx } from './escalation.ts';
import type { AttachmentService } from './attachments.ts';

/** The handling side's upload scope (attachments.ts): uploads are bound to who asked for them. */
export function uploaderScope(viewer: Viewer): string {
  if (viewer.kind === 'STAFF') return `staff:${viewer.staff.id}`;
  if (viewer.kind === 'PARTNER') return `partner:${viewer.apiKey.id}`;
  return 'none';
}

import type { TicketRow } from '@closeloop/db';
export type { TicketRow };

export interface TicketChange {
  ticket: TicketRow;
  events: TimelineRow[];
}

export type { Publish } from './events.ts';

export class TicketService {
  constructor(private readonly db: Database, private readonly publish: Publish, private readonly attachments?: AttachmentService) {}

  /** Locks the ticket, checks the caller may change it, runs `fn`, commits, then publishes. */
  async change(
    viewer: Viewer,
    ticketId: string,
    fn: (tx: Tx, t: TicketRow) => Promise<TicketChange>,
    authorise: (v: Viewer, t: TicketRow) => void = assertCanWriteTicket,
  ): Promise<TicketChange> {
    const result = await this.db.transaction(async (tx) => {
      const [t] = await tx.select().from(tickets).where(eq(tickets.id, ticketId)).for('update').limit(1);
      if (!t) throw new NotFoundError('No such ticket');
      authorise(viewer, t);
      return fn(tx, t);
    });
    if (result.events.length) this.publish(result.events, result.ticket);
    return result;
  }

  transition(viewer: Viewer, ticketId: string, to: TicketStatus, note?: string | null): Promise<TicketChange> {
    if (note != null) {
      const errors = validateNote(note, ['input', 'note']);
      if (errors.length) throw new ValidationError(errors);
    }
    return this.change(viewer, ticketId, async (tx, t) => {
      const check = checkTransition(t.status, to);
      if (!check.ok) throw new InvalidTransitionError(t.status, to, check.allowed);
      const now = new Date();
      const patch: Partial<TicketRow> = { status: to, updatedAt: now };
      if (to === 'ACKNOWLEDGED' && !t.firstRespondedAt) patch.firstRespondedAt = now;
      if (to === 'RESOLVED') patch.resolvedAt = now;
      if (to === 'CLOSED') patch.closedAt = now;
      if (check.reopened) patch.resolvedAt = null;
      // SLA: AWAITING_CUSTOMER pauses the resolution clock; any change of state reschedules it.
      const pauses = pausesAfter(t.slaPauses, t.status, to, now);
      if (pauses) patch.slaPauses = pauses;
      Object.assign(patch, await refreshSla(tx, { ...t, ...patch }, now));
      if (patch.firstRespondedAt) await markFeedbackResponded(tx, t.id, now);
      const [ticket] = await tx.update(tickets).set(patch).where(eq(tickets.id, t.id)).returning();
      const actor = actorOf(viewer);
      const events = await appendToTicket(tx, t.id, actor, {
        type: 'STATUS_CHANGED', visibility: 'PUBLIC', fromStatus: t.status, toStatus: to, body: note?.trim() || null,
        data: check.reopened ? { reopened: true } : null,
      });
      await audit(tx, actor, 'ticket.transition', { type: 'Ticket', id: t.id }, { from: t.status, to });
      return { ticket: ticket!, events };
    });
  }

  assign(viewer: Viewer, ticketId: string, assigneeId: string | null): Promise<TicketChange> {
    return this.change(viewer, ticketId, async (tx, t) => {
      const name = await assigneeName(tx, assigneeId);
      return assignLocked(tx, actorOf(viewer), t, assigneeId, name);
    });
  }

  /** `uploads`: ids from createAttachmentUpload, issued to this caller for this ticket (the note's attachments). */
  addNote(viewer: Viewer, ticketId: string, body: string, visibility: Visibility, uploads: readonly string[] = []): Promise<TicketChange> {
    const errors = validateNote(body);
    const perMessage = this.attachments?.limits.perMessage ?? 0;
    if (uploads.length > perMessage) errors.push({ path: ['input', 'attachments'], code: 'TOO_MANY', message: `at most ${perMessage} attachments per message` });
    if (errors.length) throw new ValidationError(errors);
    return this.change(viewer, ticketId, async (tx, t) => {
      const now = new Date();
      let ticket = t;
      // The first public reply is the first response (SLA), whatever the status.
      if (visibility === 'PUBLIC' && !t.firstRespondedAt) {
        const sla = await refreshSla(tx, { ...t, firstRespondedAt: now }, now);
        [ticket] = (await tx.update(tickets).set({ firstRespondedAt: now, ...sla, updatedAt: now }).where(eq(tickets.id, t.id)).returning()) as [TicketRow];
      }
      // Merged feedback may still owe its own first response although the ticket answered earlier.
      if (visibility === 'PUBLIC') await markFeedbackResponded(tx, t.id, now);
      const actor = actorOf(viewer);
      const events = await appendToTicket(tx, t.id, actor, {
        type: visibility === 'PUBLIC' ? 'PUBLIC_REPLY' : 'INTERNAL_NOTE', visibility, body: body.trim(),
      });
      // One attachment row per event: each customer linked to the ticket sees the files on their own event.
      if (uploads.length) await this.attachments!.link(tx, uploads, { ticketId: t.id, feedbackId: null, scope: uploaderScope(viewer) }, events);
      await audit(tx, actor, 'ticket.note', { type: 'Ticket', id: t.id }, { visibility });
      return { ticket, events };
    }, visibility === 'INTERNAL' ? assertCanAddInternalNote : assertCanWriteTicket);
  }

  /** Staff escalation one level up, with reassignment in the department (escalateTicket). */
  escalate(viewer: Viewer, ticketId: string, reason: string): Promise<TicketChange> {
    const errors = validateNote(reason, ['input', 'reason']);
    if (errors.length) throw new ValidationError(errors);
    return this.change(viewer, ticketId, async (tx, t) => {
      if (!isOpen(t.status)) throw new ValidationError([{ path: ['input', 'ticketId'], code: 'NOT_OPEN', message: 'Only open tickets can be escalated' }]);
      const esc = await escalateInTx(tx, t, actorOf(viewer), reason.trim(), new Date(), 'MANUAL');
      if (!esc) throw new ValidationError([{ path: ['input', 'ticketId'], code: 'AT_TOP_LEVEL', message: 'The ticket is already at L3, the highest level' }]);
      const [ticket] = await tx.update(tickets).set(esc.patch).where(eq(tickets.id, t.id)).returning();
      return { ticket: ticket!, events: esc.events };
    });
  }

  /** Reprioritising rescales the SLA targets (URGENT halves them) and reschedules the due times. */
  setPriority(viewer: Viewer, ticketId: string, priority: Priority): Promise<TicketChange> {
    return this.change(viewer, ticketId, async (tx, t) => {
      if (t.priority === priority) return { ticket: t, events: [] };
      const now = new Date();
      const next: TicketRow = { ...t, priority, ...(await retarget(tx, t.id, priority)) };
      const sla = await refreshSla(tx, next, now);
      const [ticket] = await tx
        .update(tickets)
        .set({ priority, slaFirstResponseMinutes: next.slaFirstResponseMinutes, slaResolutionMinutes: next.slaResolutionMinutes, ...sla, updatedAt: now })
        .where(eq(tickets.id, t.id))
        .returning();
      const actor = actorOf(viewer);
      const events = await appendToTicket(tx, t.id, actor, {
        type: 'INTERNAL_NOTE', visibility: 'INTERNAL', body: `Priority changed from ${t.priority} to ${priority}`,
        data: { priority: { from: t.priority, to: priority } },
      });
      await audit(tx, actor, 'ticket.priority', { type: 'Ticket', id: t.id }, { from: t.priority, to: priority });
      return { ticket: ticket!, events };
    });
  }
}

/** The assignee's name, after checking they may be assigned tickets (null unassigns). */
export async function assigneeName(tx: Tx, assigneeId: string | null): Promise<string | null> {
  if (!assigneeId) return null;
  const [member] = await tx.select().from(staff).where(eq(staff.id, assigneeId)).limit(1);
  if (!member || !member.active) throw new ValidationError([{ path: ['input', 'assigneeId'], code: 'NOT_FOUND', message: 'No such active staff member' }]);
  if (member.role === 'AUDITOR') throw new ValidationError([{ path: ['input', 'assigneeId'], code: 'NOT_ASSIGNABLE', message: 'Auditors cannot be assigned tickets' }]);
  return member.name;
}

/** Assigns a ticket the caller has locked and may change: the row, an INTERNAL event, the audit entry. */
export async function assignLocked(tx: Tx, actor: Actor, t: TicketRow, assigneeId: string | null, name: string | null): Promise<TicketChange> {
  const [ticket] = await tx.update(tickets).set({ assigneeId, updatedAt: new Date() }).where(eq(tickets.id, t.id)).returning();
  const events = await appendToTicket(tx, t.id, actor, {
    type: 'ASSIGNED', visibility: 'INTERNAL', data: { assigneeId, assigneeName: name, previousAssigneeId: t.assigneeId },
  });
  await audit(tx, actor, 'ticket.assign', { type: 'Ticket', id: t.id }, { assigneeId });
  return { ticket: ticket!, events };
}
