import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { FeedbackKindEnum, TicketStatusEnum, TimelineEventTypeEnum } from './enums.ts';
import { argId } from './ids.ts';
import { TimelineEventRef } from './timeline.ts';
import { StreamEnd } from '../realtime/hub.ts';
import { feedbackProgress, ticketEvents, type StreamItem } from '../realtime/subscriptions.ts';

const TicketEventsFilter = builder.inputType('TicketEventsFilter', {
  description: 'Every given condition must hold (on the ticket as it is just after the event committed).',
  fields: (t) => ({
    departmentId: t.id({ description: 'Department ID.' }),
    assigneeId: t.id({ description: 'Staff ID of the assignee.' }),
    status: t.field({ type: [TicketStatusEnum] }),
    kind: t.field({ type: [FeedbackKindEnum] }),
    types: t.field({ type: [TimelineEventTypeEnum], description: 'Event types, e.g. [STATUS_CHANGED, INTERNAL_NOTE].' }),
  }),
});

/** A stream's end marker becomes an error result with a stable code; the subscription then completes. */
function unwrap(item: StreamItem) {
  if (item instanceof StreamEnd) throw new GraphQLError(item.message, { extensions: { code: item.code } });
  return item as never;
}

builder.subscriptionType({
  description:
    'Live progress, over graphql-ws (WebSocket, `connectionParams: { authorization, channelKey }`) or Server-Sent Events ' +
    '(`accept: text/event-stream`, identity in headers). Pass the last `cursor`/`sequence` you saw as `after` to replay ' +
    'what you missed, then continue live, with no gap and no duplicate. See README, Live progress.',
});

builder.subscriptionFields((t) => ({
  feedbackProgress: t.field({
    type: TimelineEventRef,
    description:
      "Each PUBLIC event of one feedback as it commits. The signed-in owner needs no access key; anonymous submitters pass the one they received; staff may follow too. `after`: a `cursor` from an earlier event (or from trackFeedback's timeline) to replay what came after it first. Fails with NOT_FOUND for an unknown code or one you may not follow.",
    args: {
      trackingCode: t.arg.string({ required: true }),
      accessKey: t.arg.string(),
      after: t.arg.string({ description: 'Resume after this `cursor`.' }),
    },
    subscribe: (_root, args, ctx) => feedbackProgress(ctx, args),
    resolve: (item: StreamItem) => unwrap(item),
  }),
  ticketEvents: t.field({
    type: TimelineEventRef,
    description:
      'Every event of the tickets you may read, INTERNAL ones included where your role or API key allows, in commit order. For staff and partner keys with tickets:read or tickets:write. `after`: a `sequence` from an earlier event to replay what came after it first.',
    args: {
      filter: t.arg({ type: TicketEventsFilter }),
      after: t.arg.string({ description: 'Resume after this `sequence`.' }),
    },
    subscribe: (_root, args, ctx) =>
      ticketEvents(
        ctx,
        {
          departmentId: args.filter?.departmentId ? argId(String(args.filter.departmentId), 'Department', 'filter.departmentId') : null,
          assigneeId: args.filter?.assigneeId ? argId(String(args.filter.assigneeId), 'Staff', 'filter.assigneeId') : null,
          status: args.filter?.status ?? null,
          kind: args.filter?.kind ?? null,
          types: args.filter?.types ?? null,
        },
        args.after,
      ),
    resolve: (item: StreamItem) => unwrap(item),
  }),
}));
