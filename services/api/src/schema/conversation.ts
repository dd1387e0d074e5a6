// The customer's half of the conversation (issue 14): replyToFeedback, withdrawFeedback, requestReview.
import { builder } from './builder.ts';
import { FeedbackRef } from './feedback.ts';
import { ConflictError, ForbiddenError, NotAllowedError, NotFoundError, RateLimitedError, ValidationError } from '../policy/errors.ts';
import type { Context } from '../context.ts';
import { inputId } from './ids.ts';
import { TimelineEventRef } from './timeline.ts';
import type { FeedbackRow } from '../services/feedback.ts';
import type { ReplyResult } from '../services/conversation.ts';
import type { TicketRow } from '../services/tickets.ts';
import './attachment.ts';

const customerErrors = [ValidationError, NotFoundError, ForbiddenError, ConflictError, NotAllowedError, RateLimitedError];

/**
 * Customer actions are limited like submissions, and an access key presented with a tracking code is
 * counted like any other access check, so none of them can be used to guess keys.
 */
async function limitCustomerAction(ctx: Context, input: { trackingCode: string; accessKey?: string | null }, write: boolean) {
  if (input.accessKey) await ctx.limits?.accessCheck(ctx.viewer, ctx.clientAddress, input.trackingCode);
  if (write) await ctx.limits?.submission(ctx.viewer, ctx.clientAddress);
}

const ReplyToFeedbackInput = builder.inputType('ReplyToFeedbackInput', {
  fields: (t) => ({
    trackingCode: t.string({ required: true }),
    accessKey: t.string({ description: 'Anonymous customers: the access key received on submission. The signed-in owner needs none.' }),
    body: t.string({ description: 'Plain text, at most 5000 characters (code points). May be empty when files are attached.' }),
    attachments: t.idList({ description: 'Upload ids (createAttachmentUpload, then PUT); at most 5 by default.' }),
    idempotencyKey: t.string({ description: 'One per message: a retry with the same key and content returns the first result; with other content, a ConflictError.' }),
  }),
});

const ReplyToFeedbackPayload = builder.objectRef<ReplyResult>('ReplyToFeedbackPayload').implement({
  fields: (t) => ({
    feedback: t.drizzleField({
      type: 'feedback',
      description: 'The feedback the message is on. After the one reopening of resolved feedback is used up, a new feedback linked to the old one.',
      resolve: async (query, p, _args, ctx) => (await ctx.db.query.feedback.findFirst(query({ where: { id: p.feedback.id } })))!,
    }),
    event: t.drizzleField({
      type: TimelineEventRef,
      description: 'The CUSTOMER_MESSAGE event (or, on a new linked feedback, its SUBMITTED event).',
      resolve: async (query, p, _args, ctx) => (await ctx.db.query.timelineEvents.findFirst(query({ where: { id: Number(p.event.id) } })))!,
    }),
    trackingCode: t.string({ resolve: (p) => p.feedback.trackingCode }),
    accessKey: t.string({ nullable: true, description: 'Only when a new linked feedback was opened for an anonymous customer: its access key.', resolve: (p) => p.accessKey }),
    replayed: t.boolean({ description: 'True when an idempotent retry returned the first result.', resolve: (p) => p.replayed }),
  }),
});

const CustomerActionInput = (name: string, reasonHelp: string) =>
  builder.inputType(name, {
    fields: (t) => ({
      trackingCode: t.string({ required: true }),
      accessKey: t.string({ description: 'Anonymous customers: the access key received on submission.' }),
      reason: t.string({ description: reasonHelp }),
    }),
  });

const WithdrawFeedbackInput = CustomerActionInput('WithdrawFeedbackInput', 'Optional, at most 1000 characters; staff see it.');
const RequestReviewInput = CustomerActionInput('RequestReviewInput', 'Why the customer disagrees; optional, at most 1000 characters.');

const CustomerActionPayload = builder.objectRef<{ feedback: FeedbackRow; ticket: TicketRow }>('CustomerActionPayload').implement({
  fields: (t) => ({
    feedback: t.drizzleField({
      type: 'feedback',
      resolve: async (query, p, _args, ctx) => (await ctx.db.query.feedback.findFirst(query({ where: { id: p.feedback.id } })))!,
    }),
  }),
});

builder.mutationFields((t) => ({
  replyToFeedback: t.field({
    type: ReplyToFeedbackPayload,
    description:
      'A customer message on their own feedback (PUBLIC, type CUSTOMER_MESSAGE). While AWAITING_CUSTOMER it hands the ticket back ' +
      '(IN_PROGRESS) and resumes the SLA clock; after RESOLVED, within the reopen window, it reopens the ticket once; after that it opens ' +
      'a new linked feedback. NotAllowedError FEEDBACK_CLOSED or WINDOW_PASSED otherwise; NotFoundError when the code and key do not match.',
    errors: { types: customerErrors, directResult: true, union: { name: 'ReplyToFeedbackResult' } },
    args: { input: t.arg({ type: ReplyToFeedbackInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const uploads = (input.attachments ?? []).map((id, i) => inputId(String(id), 'AttachmentUpload', ['input', 'attachments', String(i)]));
      await limitCustomerAction(ctx, input, true);
      const result = await ctx.services.conversation.reply(ctx.viewer, { ...input, attachments: uploads });
      ctx.grants.add(result.feedback.id);
      return result;
    },
  }),
  withdrawFeedback: t.field({
    type: CustomerActionPayload,
    description: 'The customer withdraws open feedback: the ticket closes with outcome WITHDRAWN (WITHDRAWN event with the reason). NotAllowedError FEEDBACK_CLOSED when it is no longer open, PART_OF_INCIDENT when others share the ticket.',
    errors: { types: customerErrors, directResult: true, union: { name: 'WithdrawFeedbackResult' } },
    args: { input: t.arg({ type: WithdrawFeedbackInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await limitCustomerAction(ctx, input, false);
      const result = await ctx.services.conversation.withdraw(ctx.viewer, input);
      ctx.grants.add(result.feedback.id);
      return result;
    },
  }),
  requestReview: t.field({
    type: CustomerActionPayload,
    description:
      'After RESOLVED, a customer who disagrees asks for a review (once, within the review window, 30 days by default): the ticket reopens one ' +
      'escalation level up with a different handler (REVIEW_REQUESTED event). NotAllowedError NOT_RESOLVED, ALREADY_REQUESTED or WINDOW_PASSED otherwise.',
    errors: { types: customerErrors, directResult: true, union: { name: 'RequestReviewResult' } },
    args: { input: t.arg({ type: RequestReviewInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await limitCustomerAction(ctx, input, false);
      const result = await ctx.services.conversation.requestReview(ctx.viewer, input);
      ctx.grants.add(result.feedback.id);
      return result;
    },
  }),
}));

// What the widget needs to offer the right controls, from the same rules the mutations apply.
builder.drizzleObjectFields(FeedbackRef, (t) => ({
  outcome: t.string({
    nullable: true,
    description: 'WITHDRAWN when the customer withdrew it; null otherwise.',
    select: { with: { ticket: { columns: { outcome: true } } } },
    resolve: (f) => (f as unknown as { ticket: { outcome: string | null } }).ticket.outcome,
  }),
  reviewableUntil: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'Until when a review may be requested (requestReview); null when it may not.',
    select: { with: { ticket: { columns: { status: true, resolvedAt: true, reviewRequestedAt: true, outcome: true, mergedIntoId: true } } } },
    resolve: (f, _args, ctx) => ctx.services.conversation.reviewableUntil((f as unknown as { ticket: TicketRow }).ticket),
  }),
  canReply: t.boolean({
    description: 'Whether replyToFeedback accepts a message now (closed feedback and resolved feedback past the reopen window do not).',
    select: { with: { ticket: { columns: { status: true, resolvedAt: true } } } },
    resolve: (f, _args, ctx) => ctx.services.conversation.canReply((f as unknown as { ticket: TicketRow }).ticket),
  }),
}));
