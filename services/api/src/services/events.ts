import { sql } from 'drizzle-orm';
import { feedback, timelineEvents, type Tx } from '@closeloop/db';
import type { TicketStatus, TimelineEventType, Visibility } from '@closeloop/domain';

export type TimelineRow = typeof timelineEvents.$inferSelect;

export interface Actor {
  type: 'CUSTOMER' | 'ANONYMOUS' | 'STAFF' | 'PARTNER' | 'SYSTEM';
  id: string | null;
  name: string | null;
}

export interface NewEvent {
  type: TimelineEventType;
  visibility: Visibility;
  fromStatus?: TicketStatus | null;
  toStatus?: TicketStatus | null;
  body?: string | null;
  data?: Record<string, unknown> | null;
}

/**
 * Appends one event to the timeline of every feedback linked to the ticket, inside the caller's
 * transaction. Positions come from an UPDATE … RETURNING on the feedback rows, which takes their row
 * locks: positions are gap-free, strictly ordered, and commit in order. Two statements whatever the count.
 */
export async function appendToTicket(tx: Tx, ticketId: string, actor: Actor, event: NewEvent): Promise<TimelineRow[]> {
  const slots = await tx
    .update(feedback)
    .set({ lastPosition: sql`${feedback.lastPosition} + 1` })
    .where(sql`${feedback.ticketId} = ${ticketId}`)
    .returning({ feedbackId: feedback.id, position: feedback.lastPosition });
  if (slots.length === 0) return [];
  return tx
    .insert(timelineEvents)
    .values(
      slots.map((s) => ({
        feedbackId: s.feedbackId,
        ticketId,
        position: s.position,
        type: event.type,
        visibility: event.visibility,
        fromStatus: event.fromStatus ?? null,
        toStatus: event.toStatus ?? null,
        body: event.body ?? null,
        data: event.data ?? null,
        actorType: actor.type,
        actorId: actor.id,
        actorName: actor.name,
      })),
    )
    .returning();
}
