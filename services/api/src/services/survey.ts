import { eq } from 'drizzle-orm';
import { satisfactionRatings, tickets, type Database } from '@closeloop/db';
import { checkTransition, type FieldError } from '@closeloop/domain';
import type { Viewer } from '../policy/viewer.ts';
import { ConflictError, ValidationError } from '../policy/errors.ts';
import { appendToFeedback, appendToTicket, type Publish, type TimelineRow } from './events.ts';
import { actorOf, isUniqueViolation, type FeedbackRow, type FeedbackService } from './feedback.ts';
import type { TicketRow } from '@closeloop/db';

export const COMMENT_MAX = 1000;

export interface RateInput {
  trackingCode: string;
  accessKey?: string | null;
  rating: number;
  comment?: string | null;
}

import type { RatingRow } from '@closeloop/db';
export type { RatingRow };

export function validateRating(input: RateInput): FieldError[] {
  const errors: FieldError[] = [];
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
    errors.push({ path: ['input', 'rating'], code: 'OUT_OF_RANGE', message: 'rating must be a whole number from 1 to 5' });
  }
  if (input.comment != null && [...input.comment].length > COMMENT_MAX) {
    errors.push({ path: ['input', 'comment'], code: 'TOO_LONG', message: `comment must be at most ${COMMENT_MAX} characters` });
  }
  if (input.trackingCode.trim() === '' || input.trackingCode.length > 32) {
    errors.push({ path: ['input', 'trackingCode'], code: 'INVALID', message: 'trackingCode is not a tracking code' });
  }
  return errors;
}

/** The satisfaction survey: one rating per feedback, given by its submitter after resolution. */
export class SurveyService {
  constructor(private readonly db: Database, private readonly feedback: FeedbackService, private readonly publish: Publish) {}

  async rate(viewer: Viewer, input: RateInput): Promise<{ feedback: FeedbackRow; rating: RatingRow }> {
    const errors = validateRating(input);
    if (errors.length) throw new ValidationError(errors);
    const found = await this.feedback.ownedFeedback(viewer, input.trackingCode, input.accessKey, 'rate it');

    let result: { rating: RatingRow; events: TimelineRow[]; ticket: TicketRow };
    try {
      result = await this.db.transaction(async (tx) => {
        const [t] = await tx.select().from(tickets).where(eq(tickets.id, found.ticketId)).for('update').limit(1);
        const [prior] = await tx.select({ id: satisfactionRatings.id }).from(satisfactionRatings).where(eq(satisfactionRatings.feedbackId, found.id)).limit(1);
        if (prior) throw new ConflictError('This feedback has already been rated');
        // CLOSED too: on a merged ticket the first rating closes it, and the other customers may still rate.
        if (t!.status !== 'RESOLVED' && t!.status !== 'CLOSED') throw new ConflictError('Feedback can be rated once it is resolved');
        const [rating] = await tx
          .insert(satisfactionRatings)
          .values({ feedbackId: found.id, ticketId: t!.id, rating: input.rating, comment: input.comment?.trim() || null })
          .returning();
        const actor = actorOf(viewer);
        // The RATED event belongs to this feedback only, not to every feedback linked to the ticket.
        const rated = await appendToFeedback(tx, t!.id, found.id, actor, { type: 'RATED', visibility: 'PUBLIC', data: { rating: input.rating } });
        let ticket = t!;
        const events = [...rated];
        if (input.rating <= 2) {
          // A poor rating is the supervisor's to follow up: a flag their queue filters on, and an event saying why.
          [ticket] = (await tx.update(tickets).set({ followUpRequired: true, updatedAt: new Date() }).where(eq(tickets.id, t!.id)).returning()) as [TicketRow];
          events.push(...(await appendToFeedback(tx, t!.id, found.id, actor, {
            type: 'FOLLOW_UP_REQUESTED', visibility: 'INTERNAL', body: input.comment?.trim() || null, data: { rating: input.rating, feedbackId: found.id },
          })));
        }
        if (t!.status === 'RESOLVED') {
          // The rating closes the case, through the same status machine staff use.
          const check = checkTransition(t!.status, 'CLOSED');
          if (check.ok) {
            const now = new Date();
            [ticket] = (await tx.update(tickets).set({ status: 'CLOSED', closedAt: now, updatedAt: now }).where(eq(tickets.id, t!.id)).returning()) as [TicketRow];
            events.push(...(await appendToTicket(tx, t!.id, actor, { type: 'STATUS_CHANGED', visibility: 'PUBLIC', fromStatus: 'RESOLVED', toStatus: 'CLOSED' })));
          }
        }
        return { rating: rating!, events, ticket };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('This feedback has already been rated');
      throw e;
    }
    this.publish(result.events, result.ticket);
    return { feedback: found, rating: result.rating };
  }
}
