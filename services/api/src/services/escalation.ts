// Escalation: one level up and to the least-loaded handler there, by hand (escalateTicket) or on an
// SLA breach (sweeper.ts).
import { eq } from 'drizzle-orm';
import { staff, type TicketRow, type TimelineRow, type Tx } from '@closeloop/db';
import { nextLevel } from '@closeloop/domain';
import { audit } from './audit.ts';
import { appendToTicket, type Actor } from './events.ts';
import { chooseAssignee } from './routing.ts';

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
