// The two subscriptions' sources: authorization at subscribe time, then replay-then-live streams with
// authorization again on every event.
import { and, eq, gt, type SQL } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { feedback, tickets, timelineEvents } from '@closeloop/db';
import { normalizeTrackingCode, type FeedbackKind, type TicketStatus, type TimelineEventType } from '@closeloop/domain';
import type { Context } from '../context.ts';
import type { Viewer } from '../auth/identity.ts';
import type { TimelineRow } from '../services/events.ts';
import { canReadFeedback, canReadTicket, canSeeInternal, departmentScope, partnerHas } from '../schema/access.ts';
import { StreamEnd, type HubEvent, type RealtimeHub, type Stream } from './hub.ts';
import { operationKey, sharedPayloadJson } from './shared-execution.ts';

export type StreamItem = TimelineRow | StreamEnd;

const NO_GRANTS: Set<string> = new Set();

function userError(message: string, code: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

/** Cursors are decimal integers as strings (`cursor` = position, `sequence` = global id). */
function parseCursor(value: string | null | undefined, argument: string): number | null {
  if (value == null || value === '') return null;
  if (!/^\d{1,15}$/.test(value)) throw userError(`${argument} must be a cursor returned by an earlier event`, 'BAD_USER_INPUT', { argument });
  return Number(value);
}

async function currentViewer(ctx: Context): Promise<Viewer> {
  const v = await ctx.realtime.freshViewer(ctx.viewer);
  if (!v) throw userError('Your session is no longer valid', 'UNAUTHENTICATED');
  return v;
}

/**
 * The WebSocket fast path: each event's `next` payload is executed and serialised once per operation
 * key (shared-execution.ts) and written to the socket at once, in the hub's dispatch loop, with no
 * per-subscriber iterator round. Null for SSE, whose events go through the iterator.
 */
function directSender(ctx: Context, stream: Stream): ((row: TimelineRow) => void) | null {
  const d = ctx.transport?.direct;
  if (!d) return null;
  const key = operationKey(d.document, d.operationName, d.variables, ctx);
  const prefix = `{"id":${JSON.stringify(d.id)},"type":"next","payload":`;
  const limit = ctx.realtime.settings.maxBufferedBytes;
  const write = (json: string) => {
    if (stream.ended) return;
    if (d.bufferedAmount() > limit) {
      const reason = `slow consumer: more than ${limit} bytes waiting`;
      stream.end(new StreamEnd('SLOW_CONSUMER', `Dropped as a slow consumer (${reason}); resume with your last cursor`));
      stream.options.onSlowConsumer?.(reason);
      return;
    }
    d.send(`${prefix}${json}}`);
  };
  // Keeps order when a result is asynchronous (a field that loads data): later events wait for it.
  let pending = 0;
  let chain: Promise<void> = Promise.resolve();
  return (row) => {
    const json = sharedPayloadJson(row, key, () => d.execute(row));
    if (pending === 0 && typeof json === 'string') return write(json);
    pending++;
    chain = chain
      .then(async () => write(await json))
      .catch((e) => {
        console.error('closeloop: live event failed', e);
        stream.end(new StreamEnd('SERVICE_RESTART', 'Delivery failed; resume with your last cursor'));
      })
      .finally(() => pending--);
  };
}

/**
 * Replay (rows after the cursor, up to the floor) then live rows above the floor, as an async
 * iterator whose `return()` ends at once even while waiting for the next event. With a direct
 * sender the rows are written by it and the iterator only carries the end of the stream.
 */
function pump(
  hub: RealtimeHub,
  stream: Stream,
  replay: ((floor: number) => AsyncGenerator<HubEvent>) | null,
  send: ((row: TimelineRow) => void) | null,
): AsyncIterableIterator<StreamItem> {
  const { accept, viewer } = stream.options;
  async function* run(): AsyncGenerator<StreamItem> {
    try {
      // Everything committed up to `floor` is in the database now; everything above reaches `stream`.
      const floor = await hub.maxId();
      if (replay) {
        for await (const ev of replay(floor)) {
          if (stream.ended) break;
          const v = hub.currentViewer(viewer);
          if (!v) {
            stream.end(new StreamEnd('FORBIDDEN', 'Your session is no longer valid'));
            break;
          }
          if (!accept(ev, v)) continue;
          if (send) send(ev.row);
          else yield ev.row;
        }
      }
      if (send) {
        stream.attach((ev) => {
          if (Number(ev.row.id) > floor) send(ev.row);
        });
      }
      for (;;) {
        const next = await stream.next();
        if (next instanceof StreamEnd) {
          if (next.code !== 'CANCELLED') yield next;
          return;
        }
        if (Number(next.row.id) > floor) yield next.row;
      }
    } finally {
      stream.cancel();
    }
  }
  const gen = run();
  return {
    next: () => gen.next(),
    async return() {
      stream.cancel();
      return gen.return(undefined);
    },
    async throw(e) {
      stream.cancel();
      return gen.throw(e);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function slowConsumerHook(ctx: Context) {
  return ctx.transport ? (reason: string) => ctx.transport!.close(1013, reason) : undefined;
}

export interface FeedbackProgressArgs {
  trackingCode: string;
  accessKey?: string | null;
  after?: string | null;
}

/** `feedbackProgress`: PUBLIC events of one feedback, for its owner, a holder of its access key, or staff. */
export async function feedbackProgress(ctx: Context, args: FeedbackProgressArgs): Promise<AsyncIterableIterator<StreamItem>> {
  const hub = ctx.realtime;
  const after = parseCursor(args.after, 'after');
  await hub.ready();
  const viewer = await currentViewer(ctx);
  const code = normalizeTrackingCode(args.trackingCode);
  const [f] = code.length > 32 ? [] : await ctx.db
    .select({ id: feedback.id, customerId: feedback.customerId, departmentId: tickets.departmentId })
    .from(feedback)
    .innerJoin(tickets, eq(tickets.id, feedback.ticketId))
    .where(eq(feedback.trackingCode, code))
    .limit(1);
  const granted = Boolean(f && args.accessKey && ctx.services.feedback.verifyAccessKey(f.id, args.accessKey));
  const readable = (v: Viewer, r: { id: string; customerId: string | null; departmentId: string | null }) =>
    granted || canReadFeedback(v, NO_GRANTS, { id: r.id, customerId: r.customerId, ticket: { departmentId: r.departmentId } });
  // One answer for "no such code" and "not yours": a guessed code reveals nothing.
  if (!f || !readable(viewer, f)) {
    throw userError('No feedback with this tracking code that you may follow (check the code and the access key)', 'NOT_FOUND');
  }
  const feedbackId = f.id;
  // Nested fields (TimelineEvent.feedback) check the same grant an access key gives on trackFeedback.
  if (granted) ctx.grants.add(feedbackId);
  const stream = hub.open({
    feedbackId,
    viewer,
    // Per event: this feedback only, PUBLIC only, and the caller may still read it.
    accept: (ev, v) =>
      ev.row.feedbackId === feedbackId &&
      ev.row.visibility === 'PUBLIC' &&
      readable(v, { id: ev.row.feedbackId, customerId: ev.customerId, departmentId: ev.departmentId }),
    onSlowConsumer: slowConsumerHook(ctx),
  });
  const where = and(eq(timelineEvents.feedbackId, feedbackId), eq(timelineEvents.visibility, 'PUBLIC'), gt(timelineEvents.position, after ?? 0));
  return pump(hub, stream, after === null ? null : (floor) => hub.replay(where, floor, 'position'), directSender(ctx, stream));
}

export interface TicketEventsFilter {
  departmentId?: string | null;
  assigneeId?: string | null;
  status?: TicketStatus[] | null;
  kind?: FeedbackKind[] | null;
  types?: TimelineEventType[] | null;
}

/** `ticketEvents`: every event of the tickets the caller may read, INTERNAL ones when allowed. */
export async function ticketEvents(
  ctx: Context,
  filter: TicketEventsFilter,
  afterArg: string | null | undefined,
): Promise<AsyncIterableIterator<StreamItem>> {
  const hub = ctx.realtime;
  const after = parseCursor(afterArg, 'after');
  await hub.ready();
  const viewer = await currentViewer(ctx);
  const allowed = viewer.kind === 'STAFF' || partnerHas(viewer, 'tickets:read') || partnerHas(viewer, 'tickets:write');
  if (!allowed) throw userError('ticketEvents is for staff and for partner keys with tickets:read or tickets:write', 'FORBIDDEN');
  const status = filter.status?.length ? new Set(filter.status) : null;
  const kind = filter.kind?.length ? new Set(filter.kind) : null;
  const types = filter.types?.length ? new Set(filter.types) : null;
  const matches = (ev: HubEvent) =>
    (!filter.departmentId || ev.departmentId === filter.departmentId) &&
    (!filter.assigneeId || ev.assigneeId === filter.assigneeId) &&
    (!status || status.has(ev.status)) &&
    (!kind || kind.has(ev.kind)) &&
    (!types || types.has(ev.row.type));
  const stream = hub.open({
    feedbackId: null,
    viewer,
    // Per event, with the viewer as it is now: a staff member moved to another department stops
    // receiving the old department's events at the next re-check.
    accept: (ev, v) => canReadTicket(v, ev) && (ev.row.visibility === 'PUBLIC' || canSeeInternal(v)) && matches(ev),
    onSlowConsumer: slowConsumerHook(ctx),
  });
  // Narrow the replay in SQL where it is cheap; `accept` decides the rest.
  const conditions: (SQL | undefined)[] = [gt(timelineEvents.id, after ?? 0)];
  const dept = filter.departmentId ?? departmentScope(viewer);
  if (dept) conditions.push(eq(tickets.departmentId, dept));
  if (filter.assigneeId) conditions.push(eq(tickets.assigneeId, filter.assigneeId));
  if (!canSeeInternal(viewer)) conditions.push(eq(timelineEvents.visibility, 'PUBLIC'));
  return pump(hub, stream, after === null ? null : (floor) => hub.replay(and(...conditions), floor, 'id'), directSender(ctx, stream));
}
