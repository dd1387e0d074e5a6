import { builder } from './builder.ts';
import { eventVisible } from './visibility.ts';
import { ActorTypeEnum, TicketStatusEnum, TimelineEventTypeEnum, VisibilityEnum } from './enums.ts';

export const TimelineEventRef = builder.drizzleNode('timelineEvents', {
  name: 'TimelineEvent',
  description: 'One step in the handling of a feedback. Customers only ever see PUBLIC events.',
  id: { column: (e) => e.id },
  // Every column a field reads is in the type's selection, and the fields below read the row with plain
  // resolvers: with a type-level `select`, `t.expose` gives each field a selection of its own, which
  // the drizzle plugin then checks per field and per row (getLoaderMapping/setFieldMapping), the
  // largest single cost of resolving a timeline (npm run bench, README, Performance).
  select: { columns: { id: true, feedbackId: true, visibility: true, position: true, type: true, fromStatus: true, toStatus: true, body: true, actorType: true, actorName: true, createdAt: true } },
  // Visible exactly when its feedback is; INTERNAL ones only to readers of the ticket (access.ts canReadEvent).
  // Checked on every path (node, lists, payloads, subscriptions); list fields filter the same way in SQL.
  authScopes: (e, ctx) => eventVisible(ctx, e),
  runScopesOnType: true,
  fields: (t) => ({
    position: t.int({ description: "Order within the feedback's timeline, from 1, without gaps.", resolve: (e) => e.position }),
    cursor: t.string({
      description: 'Pass as `after` to feedbackProgress to resume after this event.',
      resolve: (e) => String(e.position),
    }),
    sequence: t.string({
      description: 'Global order of events across all tickets (pass as `after` to ticketEvents to resume after this event).',
      resolve: (e) => String((e as unknown as { id: number }).id),
    }),
    type: t.field({ type: TimelineEventTypeEnum, resolve: (e) => e.type }),
    visibility: t.field({ type: VisibilityEnum, resolve: (e) => e.visibility }),
    fromStatus: t.field({ type: TicketStatusEnum, nullable: true, resolve: (e) => e.fromStatus }),
    toStatus: t.field({ type: TicketStatusEnum, nullable: true, resolve: (e) => e.toStatus }),
    body: t.string({ nullable: true, description: 'Reply or note text; plain text, never HTML.', resolve: (e) => e.body }),
    actorType: t.field({ type: ActorTypeEnum, resolve: (e) => e.actorType }),
    actorName: t.string({ nullable: true, resolve: (e) => e.actorName }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
    feedback: t.relation('feedback'),
  }),
});
