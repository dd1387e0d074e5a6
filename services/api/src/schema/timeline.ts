import { builder } from './builder.ts';
import { canSeeInternal } from './access.ts';
import { ActorTypeEnum, TicketStatusEnum, TimelineEventTypeEnum, VisibilityEnum } from './enums.ts';

export const TimelineEventRef = builder.drizzleNode('timelineEvents', {
  name: 'TimelineEvent',
  description: 'One step in the handling of a feedback. Customers only ever see PUBLIC events.',
  id: { column: (e) => e.id },
  // position and id are always selected so that `cursor` and `sequence` need no per-field selection:
  // a subscription resolves rows the hub already read, and a field with its own selection would make
  // the drizzle plugin re-load every row once per subscriber.
  select: { columns: { visibility: true, position: true } },
  // Belt and braces: list fields already filter INTERNAL events out for customers.
  authScopes: (e, ctx) => e.visibility === 'PUBLIC' || canSeeInternal(ctx.viewer),
  runScopesOnType: true,
  fields: (t) => ({
    position: t.exposeInt('position', { description: "Order within the feedback's timeline, from 1, without gaps." }),
    cursor: t.string({
      description: 'Pass as `after` to feedbackProgress to resume after this event.',
      resolve: (e) => String(e.position),
    }),
    sequence: t.string({
      description: 'Global order of events across all tickets (pass as `after` to ticketEvents to resume after this event).',
      resolve: (e) => String((e as unknown as { id: number }).id),
    }),
    type: t.expose('type', { type: TimelineEventTypeEnum }),
    visibility: t.expose('visibility', { type: VisibilityEnum }),
    fromStatus: t.expose('fromStatus', { type: TicketStatusEnum, nullable: true }),
    toStatus: t.expose('toStatus', { type: TicketStatusEnum, nullable: true }),
    body: t.exposeString('body', { nullable: true, description: 'Reply or note text; plain text, never HTML.' }),
    actorType: t.expose('actorType', { type: ActorTypeEnum }),
    actorName: t.exposeString('actorName', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    feedback: t.relation('feedback'),
  }),
});
