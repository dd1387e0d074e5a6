import { builder } from './builder.ts';
import { FeedbackRef } from './feedback.ts';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from './errors.ts';
import type { FeedbackRow } from '../services/feedback.ts';
import type { RatingRow } from '../services/survey.ts';

export const SatisfactionRatingRef = builder.drizzleObject('satisfactionRatings', {
  name: 'SatisfactionRating',
  description: "The customer's satisfaction rating of the handling, given once after resolution.",
  fields: (t) => ({
    rating: t.exposeInt('rating', { description: '1 (very dissatisfied) to 5 (very satisfied).' }),
    comment: t.exposeString('comment', { nullable: true, description: 'Plain text; render as text, never as HTML.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.drizzleObjectField(FeedbackRef, 'rating', (t) =>
  t.relation('rating', { nullable: true, description: 'The satisfaction rating, once the customer has given one.' }),
);

const RateFeedbackInput = builder.inputType('RateFeedbackInput', {
  fields: (t) => ({
    trackingCode: t.string({ required: true }),
    accessKey: t.string({ description: 'Anonymous submitters: the access key received on submission. The signed-in owner needs none.' }),
    rating: t.int({ required: true, description: '1–5.' }),
    comment: t.string({ description: 'At most 1000 characters.' }),
  }),
});

const RateFeedbackPayload = builder.objectRef<{ feedback: FeedbackRow; rating: RatingRow }>('RateFeedbackPayload').implement({
  fields: (t) => ({
    feedback: t.drizzleField({
      type: 'feedback',
      resolve: async (query, p, _args, ctx) => (await ctx.db.query.feedback.findFirst(query({ where: { id: p.feedback.id } })))!,
    }),
    rating: t.field({ type: SatisfactionRatingRef, resolve: (p) => p.rating }),
  }),
});

builder.mutationFields((t) => ({
  rateFeedback: t.field({
    type: RateFeedbackPayload,
    description:
      'The satisfaction survey: the submitter rates resolved feedback 1–5 with an optional comment. One rating per feedback; ' +
      'rating RESOLVED feedback closes its ticket. A second rating is a ConflictError.',
    errors: {
      types: [ValidationError, NotFoundError, ForbiddenError, ConflictError, RateLimitedError],
      directResult: true,
      union: { name: 'RateFeedbackResult' },
    },
    args: { input: t.arg({ type: RateFeedbackInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await ctx.limits?.accessCheck(ctx.viewer, ctx.clientAddress, input.trackingCode);
      const result = await ctx.services.survey.rate(ctx.viewer, input);
      ctx.grants.add(result.feedback.id);
      return result;
    },
  }),
}));
