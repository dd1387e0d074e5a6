import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { feedback, tickets, timelineEvents, type Database } from '@closeloop/db';
import {
  DEFAULT_REALM, DEFAULT_RECEIVED_AT_LIMITS, effectiveTargets, isStrongIdempotencyKey, makeTrackingCode, validateFeedbackDraft, validateReceivedAt,
  type Channel, type FeedbackKind, type FieldError, type ReceivedAtLimits,
} from '@closeloop/domain';
import type { Viewer } from '../auth/identity.ts';
import { deriveKey } from '../auth/keys.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../schema/errors.ts';
import { audit } from './audit.ts';
import { lockTimeline, type Actor, type TimelineRow } from './events.ts';
import type { Publish } from './tickets.ts';
import { routeSubmission } from './routing.ts';
import { ensureCustomer } from './sign-in.ts';
import { departmentCalendar, EMPTY_TICKET, policyTargets, schedule } from './sla.ts';

export interface SubmitInput {
  kind: string;
  content: string;
  category?: string | null;
  tags?: string[] | null;
  contact?: { name?: string | null; phone?: string | null; email?: string | null } | null;
  channel?: string | null;
  receivedAt?: Date | null;
  customerExternalId?: string | null;
  idempotencyKey?: string | null;
}

export type FeedbackRow = typeof feedback.$inferSelect;

export interface SubmitResult {
  feedback: FeedbackRow;
  /** Only for anonymous submitters: with the tracking code it lets them follow the feedback. */
  accessKey: string | null;
  events: TimelineRow[];
  replayed: boolean;
}

export function actorOf(v: Viewer): Actor {
  switch (v.kind) {
    case 'STAFF':
      return { type: 'STAFF', id: v.staff.id, name: v.staff.name };
    case 'PARTNER':
      return { type: 'PARTNER', id: v.apiKey.id, name: v.apiKey.name };
    case 'CUSTOMER':
      return { type: 'CUSTOMER', id: v.customer.id, name: v.customer.name };
    default:
      return { type: 'ANONYMOUS', id: null, name: null };
  }
}

export class FeedbackService {
  private readonly accessKeySecret: Buffer;

  constructor(
    private readonly db: Database, secretKey: Buffer, private readonly publish: Publish = () => {},
    private readonly receivedAtLimits: ReceivedAtLimits = DEFAULT_RECEIVED_AT_LIMITS,
  ) {
    this.accessKeySecret = deriveKey(secretKey, 'access-key');
  }

  /** Access keys are derived, not stored: an idempotent retry can return the same key again. */
  accessKeyFor(feedbackId: string): string {
    return createHmac('sha256', this.accessKeySecret).update(feedbackId).digest('base64url').slice(0, 26);
  }

  verifyAccessKey(feedbackId: string, accessKey: string): boolean {
    const expected = Buffer.from(this.accessKeyFor(feedbackId));
    const given = Buffer.from(accessKey.trim());
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  async submit(viewer: Viewer, input: SubmitInput): Promise<SubmitResult> {
    const errors: FieldError[] = validateFeedbackDraft(input);
    const onBehalf = viewer.kind === 'STAFF' || viewer.kind === 'PARTNER';
    if (!onBehalf && (input.channel != null || input.receivedAt != null || input.customerExternalId != null)) {
      const field = input.channel != null ? 'channel' : input.receivedAt != null ? 'receivedAt' : 'customerExternalId';
      errors.push({ path: ['input', field], code: 'NOT_ALLOWED', message: `${field} may only be set by staff or partner systems` });
    }
    if (onBehalf && input.channel == null) {
      errors.push({ path: ['input', 'channel'], code: 'REQUIRED', message: 'channel is required when staff or partners record feedback' });
    }
    const now = new Date();
    if (input.receivedAt != null) errors.push(...validateReceivedAt(input.receivedAt, now, this.receivedAtLimits));
    if (input.idempotencyKey != null && !/^[A-Za-z0-9_.:-]{8,128}$/.test(input.idempotencyKey)) {
      errors.push({ path: ['input', 'idempotencyKey'], code: 'INVALID', message: 'idempotencyKey must be 8–128 characters of A–Z, a–z, 0–9, _ . : -' });
    } else if (input.idempotencyKey != null && viewer.kind === 'ANONYMOUS' && !isStrongIdempotencyKey(input.idempotencyKey)) {
      // Anonymous keys share one channel key: a guessable key would replay someone else's access key.
      errors.push({
        path: ['input', 'idempotencyKey'], code: 'WEAK_KEY',
        message: 'An anonymous idempotencyKey must be at least 22 random characters of A–Z, a–z, 0–9, _ and - (128 bits or more), e.g. a UUIDv4',
      });
    }
    if (errors.length) throw new ValidationError(errors);

    let channel: Channel;
    let channelAppId: string | null = null;
    let customerId: string | null = null;
    let scope: string;
    switch (viewer.kind) {
      case 'ANONYMOUS':
        if (!viewer.channel) throw new ForbiddenError('Anonymous submissions need a channel publishable key (x-closeloop-channel)');
        channel = viewer.channel.kind as Channel;
        channelAppId = viewer.channel.id;
        scope = `channel:${viewer.channel.id}`;
        break;
      case 'CUSTOMER':
        channel = viewer.channel.kind as Channel;
        channelAppId = viewer.channel.id;
        customerId = viewer.customer.id;
        scope = `customer:${viewer.customer.id}`;
        break;
      case 'STAFF':
      case 'PARTNER':
        if (viewer.kind === 'STAFF' && viewer.staff.role === 'AUDITOR') throw new ForbiddenError('Auditors cannot submit feedback');
        if (viewer.kind === 'PARTNER' && !viewer.apiKey.scopes.includes('feedback:write')) {
          throw new ForbiddenError('This API key lacks the feedback:write scope');
        }
        channel = input.channel as Channel;
        scope = viewer.kind === 'STAFF' ? `staff:${viewer.staff.id}` : `partner:${viewer.apiKey.id}`;
        // Staff and partner systems speak for the institution's own customers (the default realm).
        if (input.customerExternalId) customerId = (await ensureCustomer(this.db, DEFAULT_REALM, input.customerExternalId)).id;
        break;
    }
    const anonymous = customerId === null;
    const idemKey = input.idempotencyKey ? `${scope}:${input.idempotencyKey}` : null;
    const idemHash = idemKey ? fingerprint(input) : null;
    if (idemKey) {
      const replay = await this.replay(idemKey, idemHash!, anonymous);
      if (replay) return replay;
    }

    const receivedAt = input.receivedAt ?? now;
    const actor = actorOf(viewer);
    let result: SubmitResult;
    try {
      result = await this.db.transaction(async (tx) => {
        const kind = input.kind as FeedbackKind;
        const category = input.category?.trim() || null;
        // Routing rules pick department, level, priority and assignee; the SLA policy the due times.
        const route = await routeSubmission(tx, { kind, category, content: input.content, channel, customerId });
        const base = await policyTargets(tx, kind, route.tierCode, category);
        const targets = effectiveTargets([base], route.priority);
        const cal = await departmentCalendar(tx, route.departmentId);
        const draft = {
          kind, channel, customerId, receivedAt, departmentId: route.departmentId, level: route.level, priority: route.priority,
          assigneeId: route.assigneeId, calendarId: cal.calendarId,
          slaFirstResponseMinutes: targets?.firstResponseMinutes ?? null, slaResolutionMinutes: targets?.resolutionMinutes ?? null,
        };
        const sla = schedule({ ...EMPTY_TICKET, ...draft }, cal.calendar, now);
        const [ticket] = await tx.insert(tickets).values({ ...draft, ...sla }).returning({ id: tickets.id });
        const [row] = await tx
          .insert(feedback)
          .values({
            trackingCode: makeTrackingCode((n) => randomBytes(n)),
            kind: input.kind as FeedbackKind,
            channel,
            channelAppId,
            customerId,
            ticketId: ticket!.id,
            content: input.content.trim(),
            category: input.category?.trim() || null,
            tags: input.tags?.map((t) => t.trim()) ?? [],
            contactName: input.contact?.name || null,
            contactPhone: input.contact?.phone || null,
            contactEmail: input.contact?.email || null,
            receivedAt,
            slaFirstResponseMinutes: base?.firstResponseMinutes ?? null,
            slaResolutionMinutes: base?.resolutionMinutes ?? null,
            lastPosition: 1,
            idempotencyKey: idemKey,
            idempotencyHash: idemHash,
          })
          .returning();
        // Taken as late as possible: only the timeline insert and the commit run under the lock.
        await lockTimeline(tx);
        const events = await tx
          .insert(timelineEvents)
          .values({
            feedbackId: row!.id, ticketId: ticket!.id, position: 1, type: 'SUBMITTED', visibility: 'PUBLIC',
            toStatus: 'SUBMITTED', actorType: actor.type, actorId: actor.id, actorName: actor.name,
          })
          .returning();
        if (viewer.kind === 'STAFF' || viewer.kind === 'PARTNER') {
          await audit(tx, actor, 'feedback.submit', { type: 'Feedback', id: row!.id }, { channel });
        }
        return { feedback: row!, accessKey: anonymous ? this.accessKeyFor(row!.id) : null, events, replayed: false };
      });
    } catch (e) {
      // Two retries racing with the same key: the loser returns the winner's result.
      if (idemKey && isUniqueViolation(e)) {
        const replay = await this.replay(idemKey, idemHash!, anonymous);
        if (replay) return replay;
      }
      throw e;
    }
    // After commit only: a rolled-back submission never reaches a subscriber.
    this.publish(result.events);
    return result;
  }

  private async replay(idemKey: string, hash: string, anonymous: boolean): Promise<SubmitResult | null> {
    const [prior] = await this.db.select().from(feedback).where(eq(feedback.idempotencyKey, idemKey)).limit(1);
    if (!prior) return null;
    if (prior.idempotencyHash !== hash) {
      // Never the first submission's tracking code or access key: only the same caller with the same input gets those.
      throw new ConflictError('This idempotency key was already used for a different submission');
    }
    return { feedback: prior, accessKey: anonymous ? this.accessKeyFor(prior.id) : null, events: [], replayed: true };
  }

  async findByTrackingCode(code: string) {
    const [row] = await this.db.select().from(feedback).where(eq(feedback.trackingCode, code)).limit(1);
    return row ?? null;
  }
}

function fingerprint(input: SubmitInput): string {
  const canonical = JSON.stringify([
    input.kind, input.content.trim(), input.category ?? null, input.tags ?? [], input.contact?.name ?? null,
    input.contact?.phone ?? null, input.contact?.email ?? null, input.channel ?? null,
    input.receivedAt?.toISOString() ?? null, input.customerExternalId ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function isUniqueViolation(e: unknown): boolean {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    if ((cur as { code?: string }).code === '23505') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}
