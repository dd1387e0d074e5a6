// What the operations console needs beyond single-ticket changes (issue 13): re-classification,
// collaborators, bulk assignment and merging whole tickets.
import { asc, eq, inArray } from 'drizzle-orm';
import { departments, feedback, staff, tickets, type Database } from '@closeloop/db';
import { LIMITS } from '@closeloop/domain';
import type { Viewer } from '../policy/viewer.ts';
import { assertCanWriteTicket } from '../policy/access.ts';
import { NotFoundError, ValidationError } from '../policy/errors.ts';
import { audit } from './audit.ts';
import { appendToTicket, type TimelineRow } from './events.ts';
import { actorOf } from './feedback.ts';
import type { MergeService } from './merge.ts';
import { assigneeName, assignLocked, type Publish, type TicketChange, type TicketRow, type TicketService } from './tickets.ts';

/** Bulk actions take at most this many tickets per request (work per request stays bounded). */
export const MAX_BULK = 100;
/** Collaborators per ticket (departments and staff together). */
export const MAX_COLLABORATORS = 20;

export interface BulkChange {
  tickets: TicketRow[];
  events: TimelineRow[];
}

const len = (s: string) => [...s].length;

function checkBulk(ids: string[], path: string[]): string[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0 || unique.length > MAX_BULK) {
    throw new ValidationError([{ path, code: 'INVALID_COUNT', message: `give 1 to ${MAX_BULK} ticket IDs` }]);
  }
  return unique;
}

export class HandlingService {
  constructor(
    private readonly db: Database,
    private readonly publish: Publish,
    private readonly tickets: TicketService,
    private readonly merges: MergeService,
  ) {}

  /** Sets category and tags on every feedback of the ticket; SLA targets stay as they were committed. */
  reclassify(viewer: Viewer, ticketId: string, category: string | null, tags: string[]): Promise<TicketChange> {
    const cat = category?.trim() || null;
    const clean = [...new Set(tags.map((t) => t.trim()))];
    const errors = [];
    if (cat && len(cat) > LIMITS.categoryMax) errors.push({ path: ['input', 'category'], code: 'TOO_LONG', message: `category must be at most ${LIMITS.categoryMax} characters` });
    if (clean.length > LIMITS.tagsMax) errors.push({ path: ['input', 'tags'], code: 'TOO_MANY', message: `at most ${LIMITS.tagsMax} tags` });
    clean.forEach((t, i) => {
      if (!t || len(t) > LIMITS.tagMax) errors.push({ path: ['input', 'tags', String(i)], code: 'INVALID', message: `a tag must be 1–${LIMITS.tagMax} characters` });
    });
    if (errors.length) throw new ValidationError(errors);
    return this.tickets.change(viewer, ticketId, async (tx, t) => {
      const [before] = await tx.select({ category: feedback.category, tags: feedback.tags }).from(feedback).where(eq(feedback.ticketId, t.id)).orderBy(asc(feedback.receivedAt)).limit(1);
      await tx.update(feedback).set({ category: cat, tags: clean }).where(eq(feedback.ticketId, t.id));
      const [ticket] = await tx.update(tickets).set({ updatedAt: new Date() }).where(eq(tickets.id, t.id)).returning();
      const actor = actorOf(viewer);
      const change = { from: { category: before?.category ?? null, tags: before?.tags ?? [] }, to: { category: cat, tags: clean } };
      const events = await appendToTicket(tx, t.id, actor, { type: 'RECLASSIFIED', visibility: 'INTERNAL', data: change });
      await audit(tx, actor, 'ticket.reclassify', { type: 'Ticket', id: t.id }, change);
      return { ticket: ticket!, events };
    });
  }

  /** Adds (or removes) a department or a staff member as collaborator; the assignee keeps the ticket. */
  setCollaborator(viewer: Viewer, ticketId: string, who: { departmentId?: string | null; staffId?: string | null }, add: boolean): Promise<TicketChange> {
    if (Boolean(who.departmentId) === Boolean(who.staffId)) {
      throw new ValidationError([{ path: ['input'], code: 'ONE_OF', message: 'give exactly one of departmentId and staffId' }]);
    }
    return this.tickets.change(viewer, ticketId, async (tx, t) => {
      let name: string;
      if (who.departmentId) {
        const [d] = await tx.select().from(departments).where(eq(departments.id, who.departmentId)).limit(1);
        if (!d) throw new ValidationError([{ path: ['input', 'departmentId'], code: 'NOT_FOUND', message: 'No such department' }]);
        name = d.name;
      } else {
        const [m] = await tx.select().from(staff).where(eq(staff.id, who.staffId!)).limit(1);
        if (!m || !m.active) throw new ValidationError([{ path: ['input', 'staffId'], code: 'NOT_FOUND', message: 'No such active staff member' }]);
        if (m.role === 'AUDITOR') throw new ValidationError([{ path: ['input', 'staffId'], code: 'NOT_ASSIGNABLE', message: 'Auditors read everything already and cannot collaborate' }]);
        name = m.name;
      }
      const key = who.departmentId ? 'collaboratorDepartmentIds' : 'collaboratorStaffIds';
      const id = (who.departmentId ?? who.staffId)!;
      const current = t[key];
      const present = current.includes(id);
      if (add === present) return { ticket: t, events: [] }; // already so: nothing to record
      if (add && t.collaboratorDepartmentIds.length + t.collaboratorStaffIds.length >= MAX_COLLABORATORS) {
        throw new ValidationError([{ path: ['input'], code: 'TOO_MANY', message: `at most ${MAX_COLLABORATORS} collaborators per ticket` }]);
      }
      const next = add ? [...current, id] : current.filter((x) => x !== id);
      const [ticket] = await tx.update(tickets).set({ [key]: next, updatedAt: new Date() }).where(eq(tickets.id, t.id)).returning();
      const actor = actorOf(viewer);
      const data = who.departmentId ? { departmentId: id, departmentName: name } : { staffId: id, staffName: name };
      const events = await appendToTicket(tx, t.id, actor, { type: add ? 'COLLABORATOR_ADDED' : 'COLLABORATOR_REMOVED', visibility: 'INTERNAL', data });
      await audit(tx, actor, add ? 'ticket.collaborator.add' : 'ticket.collaborator.remove', { type: 'Ticket', id: t.id }, data);
      return { ticket: ticket!, events };
    });
  }

  /** Assigns up to MAX_BULK tickets in one transaction: all or nothing. */
  async bulkAssign(viewer: Viewer, ticketIds: string[], assigneeId: string | null): Promise<BulkChange> {
    const ids = checkBulk(ticketIds, ['input', 'ticketIds']);
    const result = await this.db.transaction(async (tx) => {
      // Locks in id order, so concurrent bulk actions cannot deadlock.
      const locked = await tx.select().from(tickets).where(inArray(tickets.id, ids)).orderBy(asc(tickets.id)).for('update');
      const missing = ids.findIndex((id) => !locked.some((t) => t.id === id));
      if (missing >= 0) throw new NotFoundError('No such ticket');
      for (const t of locked) assertCanWriteTicket(viewer, t);
      const name = await assigneeName(tx, assigneeId);
      const actor = actorOf(viewer);
      const out: BulkChange = { tickets: [], events: [] };
      for (const t of locked) {
        const c = await assignLocked(tx, actor, t, assigneeId, name);
        out.tickets.push(c.ticket);
        out.events.push(...c.events);
      }
      return out;
    });
    if (result.events.length) this.publish(result.events);
    return result;
  }

  /** Merges every feedback of the source tickets into `ticketId` (an incident); emptied sources close. */
  async mergeTickets(viewer: Viewer, ticketId: string, sourceTicketIds: string[]): Promise<TicketChange> {
    const sources = checkBulk(sourceTicketIds, ['input', 'sourceTicketIds']).filter((id) => id !== ticketId);
    if (sources.length === 0) throw new ValidationError([{ path: ['input', 'sourceTicketIds'], code: 'ALREADY_LINKED', message: 'Give tickets other than the target' }]);
    const rows = await this.db.select({ id: feedback.id, ticketId: feedback.ticketId }).from(feedback).where(inArray(feedback.ticketId, sources)).limit(201);
    const found = sources.findIndex((id) => !rows.some((r) => r.ticketId === id));
    if (found >= 0) throw new NotFoundError('No such ticket');
    // The merge re-checks, under its locks, that the caller may change every ticket involved.
    return this.merges.merge(viewer, ticketId, rows.map((r) => r.id));
  }
}
