// The customer's half of the conversation (issue 14): messages, withdrawal and review requests.
// Same shape as TicketService.change: lock the ticket, check, write events, commit, then publish.
import { createHash } from 'node:crypto';
import { and, eq, ne, sql } from 'drizzle-orm';
import { feedback, tickets, timelineEvents, type Database, type Tx } from '@closeloop/db';
import { isOpen, nextLevel, validateMessage, validateReason, type FeedbackKind, type FieldError } from '@closeloop/domain';
import type { Viewer } from '../auth/identity.ts';
import { ConflictError, NotAllowedError, ValidationError } from '../policy/errors.ts';
import { audit } from './audit.ts';
import type { AttachmentService } from './attachments.ts';
import { appendToFeedback, appendToTicket, type TimelineRow } from './events.ts';
import { actorOf, isUniqueViolation, type FeedbackRow, type FeedbackService } from './feedback.ts';
import { chooseAssignee } from './routing.ts';
import { pausesAfter, refreshSla } from './sla.ts';
import type { Publish, TicketRow } from './tickets.ts';

const DAY_MS = 86_400_000;

export interface ConversationOptions {
  /** A message this many days after RESOLVED no longer reopens the ticket (default 14). */
  reopenWindowDays?: number;
  /** A review may be requested this many days after RESOLVED (default 30). */
  reviewWindowDays?: number;
  /**
   * Called before a customer's message is accepted; throws to refuse it. The rate limiter hooks in here so
   * replies are limited like submissions (no-op until one is given).
   */
  limit?: (viewer: Viewer, action: 'reply' | 'upload') => Promise<void>;
}

export interface ReplyInput {
  trackingCode: string;
  accessKey?: string | null;
  body?: string | null;
  /** Upload ids (raw uuids) from createAttachmentUpload. */
  attachments?: readonly string[] | null;
  idempotencyKey?: string | null;
}

export interface ReplyResult {
  /** The feedback the message is on: a new linked one once the single reopening is used up. */
  feedback: FeedbackRow;
  event: TimelineRow;
  /** Only when a new linked feedback was opened for an anonymous customer. */
  accessKey: string | null;
  replayed: boolean;
}

export interface ActionResult {
  feedback: FeedbackRow;
  ticket: TicketRow;
  events: TimelineRow[];
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

export class ConversationService {
  readonly reopenWindowMs: number;
  readonly reviewWindowMs: number;

  constructor(
    private readonly db: Database,
    private readonly feedback: FeedbackService,
    private readonly attachments: AttachmentService,
    private readonly publish: Publish,
    private readonly options: ConversationOptions = {},
  ) {
    this.reopenWindowMs = (options.reopenWindowDays ?? 14) * DAY_MS;
    this.reviewWindowMs = (options.reviewWindowDays ?? 30) * DAY_MS;
  }

  /** The rate limiter's hook (ConversationOptions.limit); throws to refuse. */
  async checkLimit(viewer: Viewer, action: 'reply' | 'upload'): Promise<void> {
    await this.options.limit?.(viewer, action);
  }

  /** Whether a message is accepted now (the rules of `reply`). */
  canReply(t: Pick<TicketRow, 'status' | 'resolvedAt'>, now = Date.now()): boolean {
    if (t.status === 'CLOSED') return false;
    return t.status !== 'RESOLVED' || (t.resolvedAt != null && now - t.resolvedAt.getTime() <= this.reopenWindowMs);
  }

  /** Until when `requestReview` is accepted; null when it is not (the rules of `requestReview`). */
  reviewableUntil(t: Pick<TicketRow, 'status' | 'resolvedAt' | 'reviewRequestedAt' | 'outcome' | 'mergedIntoId'>, now = Date.now()): Date | null {
    if ((t.status !== 'RESOLVED' && t.status !== 'CLOSED') || !t.resolvedAt || t.outcome || t.mergedIntoId || t.reviewRequestedAt) return null;
    const until = new Date(t.resolvedAt.getTime() + this.reviewWindowMs);
    return until.getTime() >= now ? until : null;
  }

  /** Locks the ticket of `f`, runs `fn`, commits, then publishes (TicketService.change for the customer side). */
  private async change<T extends { events: TimelineRow[]; ticket?: TicketRow }>(f: FeedbackRow, fn: (tx: Tx, t: TicketRow) => Promise<T>): Promise<T> {
    const result = await this.db.transaction(async (tx) => {
      const [t] = await tx.select().from(tickets).where(eq(tickets.id, f.ticketId)).for('update').limit(1);
      return fn(tx, t!);
    });
    if (result.events.length) this.publish(result.events, result.ticket);
    return result;
  }

  async reply(viewer: Viewer, input: ReplyInput): Promise<ReplyResult> {
    const body = input.body?.trim() ?? '';
    const uploads = input.attachments ?? [];
    const errors: FieldError[] = validateMessage(body, uploads.length, this.attachments.limits.perMessage);
    if (input.idempotencyKey != null && !IDEMPOTENCY_KEY.test(input.idempotencyKey)) {
      errors.push({ path: ['input', 'idempotencyKey'], code: 'INVALID', message: 'idempotencyKey must be 8–128 characters of A–Z, a–z, 0–9, _ . : -' });
    }
    if (errors.length) throw new ValidationError(errors);
    const found = await this.feedback.ownedFeedback(viewer, input.trackingCode, input.accessKey, 'reply to it');
    await this.checkLimit(viewer, 'reply');
    const idemKey = input.idempotencyKey ? `${found.id}:${input.idempotencyKey}` : null;
    const hash = createHash('sha256').update(JSON.stringify([body, [...uploads].sort()])).digest('hex');
    if (idemKey) {
      const prior = await this.replay(found, idemKey, hash);
      if (prior) return prior;
    }
    const owner = { ticketId: found.ticketId, feedbackId: found.id, scope: `feedback:${found.id}` };
    const actor = actorOf(viewer);
    let result: { event: TimelineRow; events: TimelineRow[]; ticket: TicketRow } | { followUp: true };
    try {
      result = await this.change(found, async (tx, t) => {
        const now = new Date();
        let reopen = false;
        if (t.status === 'CLOSED') throw new NotAllowedError('This feedback is closed; please submit new feedback', 'FEEDBACK_CLOSED');
        if (t.status === 'RESOLVED') {
          if (!t.resolvedAt || now.getTime() - t.resolvedAt.getTime() > this.reopenWindowMs) {
            throw new NotAllowedError('It is too long since this feedback was resolved; please submit new feedback', 'WINDOW_PASSED');
          }
          // The one reopening is used up: the message starts a new feedback that links back to this one.
          if (t.customerReopenedAt) return { followUp: true as const, events: [] };
          reopen = true;
        }
        const [event] = await appendToFeedback(tx, t.id, found.id, actor, {
          type: 'CUSTOMER_MESSAGE', visibility: 'PUBLIC', body: body || null, idempotencyKey: idemKey,
          data: { idempotencyHash: hash, attachmentCount: uploads.length },
        });
        await this.attachments.link(tx, uploads, owner, [event!]);
        const events = [event!];
        let ticket = t;
        // Answering the staff's question hands the ticket back and resumes the SLA clock at this commit.
        if (t.status === 'AWAITING_CUSTOMER' || reopen) {
          const patch: Partial<TicketRow> = { status: 'IN_PROGRESS', updatedAt: now };
          if (reopen) Object.assign(patch, { resolvedAt: null, customerReopenedAt: now });
          const pauses = pausesAfter(t.slaPauses, t.status, 'IN_PROGRESS', now);
          if (pauses) patch.slaPauses = pauses;
          Object.assign(patch, await refreshSla(tx, { ...t, ...patch }, now));
          [ticket] = (await tx.update(tickets).set(patch).where(eq(tickets.id, t.id)).returning()) as [TicketRow];
          events.push(...(await appendToTicket(tx, t.id, actor, {
            type: 'STATUS_CHANGED', visibility: 'PUBLIC', fromStatus: t.status, toStatus: 'IN_PROGRESS',
            data: { cause: 'CUSTOMER_MESSAGE', ...(reopen ? { reopened: true } : {}) },
          })));
        } else {
          [ticket] = (await tx.update(tickets).set({ updatedAt: now }).where(eq(tickets.id, t.id)).returning()) as [TicketRow];
        }
        return { event: event!, events, ticket };
      });
    } catch (e) {
      // Two retries racing with the same key: the loser returns the winner's result.
      if (idemKey && isUniqueViolation(e)) {
        const prior = await this.replay(found, idemKey, hash);
        if (prior) return prior;
      }
      throw e;
    }
    if ('followUp' in result) return this.followUp(viewer, found, body, uploads, input.idempotencyKey ?? null);
    return { feedback: found, event: result.event, accessKey: null, replayed: false };
  }

  private async replay(found: FeedbackRow, idemKey: string, hash: string): Promise<ReplyResult | null> {
    const [prior] = await this.db.select().from(timelineEvents).where(eq(timelineEvents.idempotencyKey, idemKey)).limit(1);
    if (!prior) return null;
    if ((prior.data as { idempotencyHash?: string } | null)?.idempotencyHash !== hash) {
      throw new ConflictError('This idempotency key was already used for a different message');
    }
    return { feedback: found, event: prior, accessKey: null, replayed: true };
  }

  /** After the one reopening: the message becomes a new feedback of the same kind, linked to the old one. */
  private async followUp(viewer: Viewer, prior: FeedbackRow, body: string, uploads: readonly string[], key: string | null): Promise<ReplyResult> {
    const owner = { ticketId: prior.ticketId, feedbackId: prior.id, scope: `feedback:${prior.id}` };
    // Checked before the new feedback exists, so a bad attachment never leaves it half made.
    await this.attachments.check(uploads, owner);
    const content = body || '（见附件）';
    let submitted;
    try {
      submitted = await this.feedback.submit(viewer, {
        kind: prior.kind as FeedbackKind, content, category: prior.category, idempotencyKey: key ? `follow-up.${prior.id}.${key}`.slice(0, 128) : null,
      });
    } catch (e) {
      // The message is the new feedback's content: its rules (e.g. at least 5 characters) speak of `body` here.
      if (e instanceof ValidationError) throw new ValidationError(e.fieldErrors.map((f) => (f.path.join('.') === 'input.content' ? { ...f, path: ['input', 'body'] } : f)));
      throw e;
    }
    const event = submitted.events[0];
    if (event && !submitted.replayed) {
      await this.db.transaction(async (tx) => {
        await tx.update(feedback).set({ followsUpId: prior.id }).where(eq(feedback.id, submitted.feedback.id));
        // The uploads were issued for the old feedback; they move with the message.
        await this.attachments.link(tx, uploads, owner, [event]);
      });
    }
    const [row] = await this.db.select().from(feedback).where(eq(feedback.id, submitted.feedback.id)).limit(1);
    return { feedback: row!, event: event ?? (await this.firstEvent(row!.id)), accessKey: submitted.accessKey, replayed: submitted.replayed };
  }

  private async firstEvent(feedbackId: string): Promise<TimelineRow> {
    const [e] = await this.db.select().from(timelineEvents).where(and(eq(timelineEvents.feedbackId, feedbackId), eq(timelineEvents.position, 1))).limit(1);
    return e!;
  }

  /** The customer withdraws open feedback: the ticket closes with outcome WITHDRAWN; staff see the reason. */
  async withdraw(viewer: Viewer, input: { trackingCode: string; accessKey?: string | null; reason?: string | null }): Promise<ActionResult> {
    const errors = validateReason(input.reason);
    if (errors.length) throw new ValidationError(errors);
    const found = await this.feedback.ownedFeedback(viewer, input.trackingCode, input.accessKey, 'withdraw it');
    const actor = actorOf(viewer);
    const result = await this.change(found, async (tx, t) => {
      if (!isOpen(t.status)) throw new NotAllowedError('Only open feedback can be withdrawn', 'FEEDBACK_CLOSED');
      await this.assertAlone(tx, t, found);
      const now = new Date();
      const patch: Partial<TicketRow> = { status: 'CLOSED', outcome: 'WITHDRAWN', closedAt: now, updatedAt: now };
      const pauses = pausesAfter(t.slaPauses, t.status, 'CLOSED', now);
      if (pauses) patch.slaPauses = pauses;
      Object.assign(patch, await refreshSla(tx, { ...t, ...patch }, now));
      const [ticket] = (await tx.update(tickets).set(patch).where(eq(tickets.id, t.id)).returning()) as [TicketRow];
      const events = await appendToTicket(tx, t.id, actor, {
        type: 'WITHDRAWN', visibility: 'PUBLIC', fromStatus: t.status, toStatus: 'CLOSED', body: input.reason?.trim() || null,
      });
      await audit(tx, actor, 'feedback.withdraw', { type: 'Feedback', id: found.id }, { from: t.status });
      return { ticket, events };
    });
    return { feedback: found, ...result };
  }

  /**
   * After RESOLVED, within the review window and once per ticket: the ticket reopens one level up (L3 stays
   * L3) with a handler other than the one who resolved it (none when nobody else works there: the queue).
   */
  async requestReview(viewer: Viewer, input: { trackingCode: string; accessKey?: string | null; reason?: string | null }): Promise<ActionResult> {
    const errors = validateReason(input.reason);
    if (errors.length) throw new ValidationError(errors);
    const found = await this.feedback.ownedFeedback(viewer, input.trackingCode, input.accessKey, 'request a review');
    const actor = actorOf(viewer);
    const result = await this.change(found, async (tx, t) => {
      const resolved = (t.status === 'RESOLVED' || t.status === 'CLOSED') && t.resolvedAt && !t.outcome && !t.mergedIntoId;
      if (t.reviewRequestedAt) throw new NotAllowedError('A review was already requested for this feedback', 'ALREADY_REQUESTED');
      if (!resolved) throw new NotAllowedError('A review can be requested once the feedback is resolved', 'NOT_RESOLVED');
      const now = new Date();
      if (now.getTime() - t.resolvedAt!.getTime() > this.reviewWindowMs) {
        throw new NotAllowedError('The time to request a review has passed', 'WINDOW_PASSED');
      }
      const level = nextLevel(t.level);
      const picked = await chooseAssignee(tx, t.departmentId, level, null, t.assigneeId);
      const patch: Partial<TicketRow> = {
        status: 'IN_PROGRESS', level, assigneeId: picked?.id ?? null, resolvedAt: null, closedAt: null, reviewRequestedAt: now, updatedAt: now,
      };
      Object.assign(patch, await refreshSla(tx, { ...t, ...patch }, now));
      const [ticket] = (await tx.update(tickets).set(patch).where(eq(tickets.id, t.id)).returning()) as [TicketRow];
      // The reason is this customer's: on their feedback only. Everyone linked sees the status change.
      const events = await appendToFeedback(tx, t.id, found.id, actor, {
        type: 'REVIEW_REQUESTED', visibility: 'PUBLIC', fromStatus: t.status, toStatus: 'IN_PROGRESS', body: input.reason?.trim() || null,
        data: { fromLevel: t.level, toLevel: level, previousAssigneeId: t.assigneeId, assigneeId: picked?.id ?? null, assigneeName: picked?.name ?? null },
      });
      const others = await tx.select({ n: sql<number>`count(*)::int` }).from(feedback).where(and(eq(feedback.ticketId, t.id), ne(feedback.id, found.id)));
      if ((others[0]?.n ?? 0) > 0) {
        events.push(...(await appendToTicket(tx, t.id, actor, { type: 'STATUS_CHANGED', visibility: 'PUBLIC', fromStatus: t.status, toStatus: 'IN_PROGRESS', data: { cause: 'REVIEW_REQUESTED' } })));
      }
      events.push(...(await appendToTicket(tx, t.id, actor, {
        type: 'ASSIGNED', visibility: 'INTERNAL', data: { cause: 'REVIEW_REQUESTED', assigneeId: picked?.id ?? null, assigneeName: picked?.name ?? null, previousAssigneeId: t.assigneeId },
      })));
      await audit(tx, actor, 'feedback.request_review', { type: 'Feedback', id: found.id }, { fromLevel: t.level, toLevel: level, assigneeId: picked?.id ?? null });
      return { ticket, events };
    });
    return { feedback: found, ...result };
  }

  /** Withdrawing closes the ticket: not while other customers' feedback shares it (an incident). */
  private async assertAlone(tx: Tx, t: TicketRow, f: FeedbackRow): Promise<void> {
    const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(feedback).where(and(eq(feedback.ticketId, t.id), ne(feedback.id, f.id)));
    if ((row?.n ?? 0) > 0) throw new NotAllowedError('This feedback is handled together with others and cannot be withdrawn alone', 'PART_OF_INCIDENT');
  }
}
