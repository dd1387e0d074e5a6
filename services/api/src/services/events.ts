import { sql, type SQL } from 'drizzle-orm';
import { feedback, timelineEvents, type Tx } from '@closeloop/db';
import type { TicketStatus, TimelineEventType, Visibility } from '@closeloop/domain';

import type { TicketRow, TimelineRow } from '@closeloop/db';
export type { TimelineRow };

/** Called with the events of a committed change; never inside the transaction, never after a rollback. */
export type Publish = (events: TimelineRow[], ticket?: TicketRow) => void;

export interface Actor {
  type: 'CUSTOMER' | 'ANONYMOUS' | 'STAFF' | 'PARTNER' | 'SYSTEM';
  id: string | null;
  name: string | null;
  /** Staff: what customers see instead of the name (staff.display_name, or its default). */
  displayName?: string | null;
}

export interface NewEvent {
  type: TimelineEventType;
  visibility: Visibility;
  fromStatus?: TicketStatus | null;
  toStatus?: TicketStatus | null;
  body?: string | null;
  data?: Record<string, unknown> | null;
  /** Only with appendToFeedback (one row): a retried customer message is stored once. */
  idempotencyKey?: string | null;
}

/** Advisory lock key that serialises every append to timeline_events (see lockTimeline). */
export const TIMELINE_LOCK = 72022603;

/**
 * Serialises timeline appends until the caller's transaction ends. Must run before every INSERT into
 * timeline_events.
 *
 * Why: `timeline_events.id` is an identity, and identity values are handed out at INSERT time, not at
 * commit. Without this lock, transaction A could take id 10, B id 11, and B commit first; a staff stream
 * that saw 11 and later resumed with `after: "11"` would never see 10. With the lock, ids are allocated
 * in lock order and the lock is held until commit, so ids become visible in strictly increasing order:
 * once id N is visible, every id below N that will ever exist is visible too. The realtime hub relies on
 * this to read new events with `id > highWater`, and resumes rely on it to replay with `id > after`.
 *
 * Cost: every ticket change already takes the audit-chain lock (services/audit.ts) for the rest of its
 * transaction, so changes were serialised before; the lock adds one round trip and newly serialises the
 * short tail (timeline insert → commit) of customer submissions. Measured figures are in README, Live progress.
 * Lock order is always timeline → audit, so the two locks cannot deadlock.
 */
export async function lockTimeline(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(TIMELINE_LOCK))})`);
}

/** One statement per INSERT_CHUNK rows: a statement takes at most 65,535 parameters (12 per row). */
const INSERT_CHUNK = 4000;

/**
 * Appends one event to the timeline of every feedback linked to the ticket, inside the caller's
 * transaction. Positions come from an UPDATE … RETURNING on the feedback rows, which takes their row
 * locks: positions are gap-free, strictly ordered, and commit in order. Three statements for up to
 * INSERT_CHUNK linked feedback (an incident may link thousands), one more per further INSERT_CHUNK.
 */
export function appendToTicket(tx: Tx, ticketId: string, actor: Actor, event: NewEvent): Promise<TimelineRow[]> {
  return append(tx, ticketId, sql`${feedback.ticketId} = ${ticketId}`, actor, event);
}

/** Appends an event to one feedback's timeline only (a rating belongs to its feedback, not the incident). */
export function appendToFeedback(tx: Tx, ticketId: string, feedbackId: string, actor: Actor, event: NewEvent): Promise<TimelineRow[]> {
  return append(tx, ticketId, sql`${feedback.id} = ${feedbackId}`, actor, event);
}

async function append(tx: Tx, ticketId: string, which: SQL, actor: Actor, event: NewEvent): Promise<TimelineRow[]> {
  await lockTimeline(tx);
  const slots = await tx
    .update(feedback)
    .set({ lastPosition: sql`${feedback.lastPosition} + 1` })
    .where(which)
    .returning({ feedbackId: feedback.id, position: feedback.lastPosition });
  const rows = slots.map((s) => ({
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
    actorDisplayName: actor.displayName ?? null,
    idempotencyKey: event.idempotencyKey ?? null,
  }));
  const out: TimelineRow[] = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    out.push(...(await tx.insert(timelineEvents).values(rows.slice(i, i + INSERT_CHUNK)).returning()));
  }
  return out;
}
