// The two subscriptions' sources: authorization at subscribe time, then replay-then-live streams with
// authorization again on every event.
import { and, arrayContains, eq, gt, or, type SQL } from 'drizzle-orm';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { feedback, tickets, timelineEvents } from '@closeloop/db';
import { normalizeTrackingCode, type FeedbackKind, type TicketStatus, type TimelineEventType } from '@closeloop/domain';
import type { Context, DirectDelivery, LiveTransport } from '../context.ts';
import type { Viewer } from '../policy/viewer.ts';
import type { TimelineRow } from '../services/events.ts';
import { canListTickets, canReadEvent, canReadFeedback, departmentScope, mayEverSeeInternal } from '../policy/access.ts';
import { feedbackTicket, StreamEnd, type HubEvent, type RealtimeHub, type Stream, type StreamOptions } from './hub.ts';
import { operationKey, sharedPayloadJson } from './shared-execution.ts';
import { log, type Logger } from '../log.ts';

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

// Per-subscription state lives in class instances with their methods on the prototype: an idle
// subscription then costs its fields, not a set of closures and their scopes (and the API runs through
// tsx, whose keepNames gives every named closure its own property array, ≈ 250 bytes each).

interface Replay {
  rows(floor: number): AsyncGenerator<HubEvent>;
  /** Turns an event's payload built by the database into the `next` payload (compiled replays, WebSocket only). */
  finish?: (json: string) => string;
}
const DONE: IteratorResult<StreamItem> = { done: true, value: undefined };

/** The events of a replay that this stream may receive, checked with the viewer as the hub knows it now. */
async function* accepted(hub: RealtimeHub, stream: Stream, rows: AsyncGenerator<HubEvent>): AsyncGenerator<HubEvent> {
  const { accept, viewer } = stream.options;
  for await (const ev of rows) {
    if (stream.ended) return;
    const v = hub.streamViewer(viewer);
    if (v instanceof StreamEnd) {
      stream.end(v);
      return;
    }
    if (accept.call(stream.options, ev, v)) yield ev;
  }
}

/**
 * The WebSocket fast path: each event's `next` payload is executed and serialised once per operation
 * key (shared-execution.ts) and written to the socket at once, in the hub's dispatch loop, with no
 * per-subscriber iterator round.
 */
class DirectSender {
  /** Live rows above it are written (set once the replay is done; rows up to it come from the replay). */
  floor = Infinity;
  /** Keeps order when a result is asynchronous (a field that loads data): later events wait for it. */
  private pending = 0;
  private chain: Promise<void> | null = null;

  constructor(
    private readonly stream: Stream,
    private readonly direct: DirectDelivery,
    private readonly key: string,
    private readonly maxBufferedBytes: number,
    private readonly log: Logger,
  ) {}

  /** Called by the stream for every accepted live event. */
  deliver(ev: HubEvent): void {
    if (Number(ev.row.id) > this.floor) this.send(ev.row);
  }

  send(row: TimelineRow): void {
    const direct = this.direct;
    this.sendJson(sharedPayloadJson(row, this.key, () => direct.execute(row)));
  }

  /** A `next` payload, in order behind any still being executed. */
  sendJson(json: string | Promise<string>): void {
    if (this.pending === 0 && typeof json === 'string') {
      this.write(json);
      return;
    }
    this.pending++;
    this.chain = (this.chain ?? Promise.resolve())
      .then(async () => this.write(await json))
      .catch((e) => {
        this.log.error({ err: e }, 'live event failed');
        this.stream.end(new StreamEnd('SERVICE_RESTART', 'Delivery failed; resume with your last cursor'));
      })
      .finally(() => {
        if (--this.pending === 0) this.chain = null;
      });
  }

  private write(json: string): void {
    const stream = this.stream;
    if (stream.ended) return;
    if (this.direct.bufferedAmount() > this.maxBufferedBytes) {
      const reason = `slow consumer: more than ${this.maxBufferedBytes} bytes waiting`;
      const end = new StreamEnd('SLOW_CONSUMER', `Dropped as a slow consumer (${reason}); resume with your last cursor`);
      stream.end(end);
      this.sendLast(end, reason);
      return;
    }
    this.direct.send(`{"id":${JSON.stringify(this.direct.id)},"type":"next","payload":${json}}`);
  }

  /**
   * The final result with the reason (`extensions.code` SLOW_CONSUMER), queued behind what the socket
   * already holds, then the close (1013): a client that resumes reading much later still sees why.
   * Sent here, synchronously, because graphql-ws's own final `next` would come after the close frame.
   */
  private sendLast(end: StreamEnd, reason: string): void {
    const close = () => this.stream.options.onSlowConsumer?.(reason);
    const send = (r: ExecutionResult) => {
      this.direct.send(`{"id":${JSON.stringify(this.direct.id)},"type":"next","payload":${JSON.stringify(r)}}`);
      close();
    };
    const result = this.direct.execute(end);
    if (typeof (result as PromiseLike<ExecutionResult>).then === 'function') void Promise.resolve(result).then(send, close);
    else send(result as ExecutionResult);
  }
}

const endResult = (end: StreamEnd): IteratorResult<StreamItem> => (end.code === 'CANCELLED' ? DONE : { done: false, value: end });

/**
 * The source of a WebSocket subscription: the first `next()` replays (rows go out through the sender),
 * then attaches the sender to the stream; from then on the iterator only carries the end of the stream.
 */
class DirectIterator implements AsyncIterableIterator<StreamItem> {
  private state: 'new' | 'live' | 'done' = 'new';

  constructor(
    private readonly hub: RealtimeHub,
    private readonly stream: Stream,
    private replay: Replay | null,
    private readonly sender: DirectSender,
  ) {}

  next(): Promise<IteratorResult<StreamItem>> {
    if (this.state === 'done') return Promise.resolve(DONE);
    if (this.state === 'new') {
      this.state = 'live';
      return this.start().then(
        () => this.end(),
        (e) => {
          this.stream.cancel();
          throw e;
        },
      );
    }
    return this.end();
  }

  private async start(): Promise<void> {
    // Everything committed up to `floor` is in the database now; everything above reaches the stream.
    const floor = await this.hub.maxId();
    const replay = this.replay;
    // Its scope (the replay's SQL condition) is not kept for the subscription's lifetime.
    this.replay = null;
    if (replay) {
      for await (const ev of accepted(this.hub, this.stream, replay.rows(floor))) {
        // Built by the database with the event (compiled replays), else executed like a live event.
        if (ev.payload !== undefined && replay.finish) this.sender.sendJson(replay.finish(ev.payload));
        else this.sender.send(ev.row);
      }
    }
    this.sender.floor = floor;
    this.stream.attach(this.sender);
  }

  private end(): Promise<IteratorResult<StreamItem>> {
    return this.stream.finished().then((end) => {
      this.state = 'done';
      return endResult(end);
    });
  }

  return(): Promise<IteratorResult<StreamItem>> {
    this.state = 'done';
    this.stream.cancel();
    return Promise.resolve(DONE);
  }

  throw(e: unknown): Promise<IteratorResult<StreamItem>> {
    this.state = 'done';
    this.stream.cancel();
    return Promise.reject(e);
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/**
 * SSE (no direct sender): replay (rows after the cursor, up to the floor) then live rows above the
 * floor, as an async iterator whose `return()` ends at once even while waiting for the next event.
 */
function pump(hub: RealtimeHub, stream: Stream, replay: Replay | null): AsyncIterableIterator<StreamItem> {
  async function* run(): AsyncGenerator<StreamItem> {
    try {
      const floor = await hub.maxId();
      if (replay) for await (const ev of accepted(hub, stream, replay.rows(floor))) yield ev.row;
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

/** The subscription's source over either transport. */
function source(ctx: Context, stream: Stream, replay: Replay | null): AsyncIterableIterator<StreamItem> {
  const d = ctx.transport?.direct;
  if (!d) return pump(ctx.realtime, stream, replay);
  const sender = new DirectSender(stream, d, operationKey(d.document, d.operationName, d.variables, ctx), ctx.realtime.settings.maxBufferedBytes, ctx.log ?? log);
  return new DirectIterator(ctx.realtime, stream, replay, sender);
}

/** `feedbackProgress` per event: this feedback only, PUBLIC only, and the caller may still read it. */
class ProgressOptions implements StreamOptions {
  constructor(
    readonly feedbackId: string,
    readonly viewer: Viewer,
    private readonly granted: boolean,
    private readonly transport: LiveTransport | undefined,
  ) {}

  accept(ev: HubEvent, v: Viewer): boolean {
    return (
      ev.row.feedbackId === this.feedbackId &&
      ev.row.visibility === 'PUBLIC' &&
      (this.granted || canReadFeedback(v, NO_GRANTS, ev.facts))
    );
  }

  onSlowConsumer(reason: string): void {
    this.transport?.close(1013, reason);
  }
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
  await ctx.limits?.accessCheck(viewer, ctx.clientAddress, args.trackingCode);
  const code = normalizeTrackingCode(args.trackingCode);
  const [f] = code.length > 32 ? [] : await ctx.db
    .select({
      id: feedback.id, customerId: feedback.customerId,
      ticket: { departmentId: tickets.departmentId, assigneeId: tickets.assigneeId, collaboratorDepartmentIds: tickets.collaboratorDepartmentIds, collaboratorStaffIds: tickets.collaboratorStaffIds },
    })
    .from(feedback)
    .innerJoin(tickets, eq(tickets.id, feedback.ticketId))
    .where(eq(feedback.trackingCode, code))
    .limit(1);
  const granted = Boolean(f && args.accessKey && ctx.services.feedback.verifyAccessKey(f.id, args.accessKey));
  // One answer for "no such code" and "not yours": a guessed code reveals nothing.
  // The ticket's collaborators too: a consulted agent follows its feedback as they read it (canReadTicket).
  if (!f || !(granted || canReadFeedback(viewer, NO_GRANTS, f))) {
    throw userError('No feedback with this tracking code that you may follow (check the code and the access key)', 'NOT_FOUND');
  }
  const feedbackId = f.id;
  // Nested fields (TimelineEvent.feedback) check the same grant an access key gives on trackFeedback.
  if (granted) ctx.grants.add(feedbackId);
  const stream = hub.open(new ProgressOptions(feedbackId, viewer, granted, ctx.transport));
  const where = and(eq(timelineEvents.feedbackId, feedbackId), eq(timelineEvents.visibility, 'PUBLIC'), gt(timelineEvents.position, after ?? 0));
  if (after === null) return source(ctx, stream, null);
  // Over WebSocket, a known document's replayed payloads are built by the database with the rows.
  const direct = ctx.transport?.direct;
  const compiled = direct ? ctx.replays?.payload(direct.document, direct.operationName, viewer) : null;
  return source(ctx, stream, { rows: (floor) => hub.replay(where, floor, 'position', compiled?.column), finish: compiled?.finish });
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
  if (!canListTickets(viewer)) throw userError('ticketEvents is for staff and for partner keys with tickets:read or tickets:write', 'FORBIDDEN');
  const stream = hub.open(new QueueOptions(filter, viewer, ctx.transport));
  // Narrow the replay in SQL where it is cheap; `accept` decides the rest.
  const conditions: (SQL | undefined)[] = [gt(timelineEvents.id, after ?? 0)];
  if (filter.departmentId) conditions.push(eq(tickets.departmentId, filter.departmentId));
  const dept = departmentScope(viewer);
  if (dept && viewer.kind === 'STAFF') {
    // Their department, their own tickets and what they were consulted on (canReadTicket), judged on
    // the ticket each event's feedback is on now, as `accept` and the TimelineEvent rule judge it.
    const t = feedbackTicket;
    conditions.push(or(
      eq(t.departmentId, dept), eq(t.assigneeId, viewer.staff.id),
      arrayContains(t.collaboratorStaffIds, [viewer.staff.id]), arrayContains(t.collaboratorDepartmentIds, [dept]),
    ));
  }
  if (filter.assigneeId) conditions.push(eq(tickets.assigneeId, filter.assigneeId));
  if (!mayEverSeeInternal(viewer)) conditions.push(eq(timelineEvents.visibility, 'PUBLIC'));
  return source(ctx, stream, after === null ? null : { rows: (floor) => hub.replay(and(...conditions), floor, 'id') });
}

/**
 * `ticketEvents` per event, with the viewer as it is now (a staff member moved to another department
 * stops receiving the old department's events at the next re-check), then the filter.
 */
class QueueOptions implements StreamOptions {
  readonly feedbackId = null;
  private readonly departmentId: string | null;
  private readonly assigneeId: string | null;
  private readonly status: Set<TicketStatus> | null;
  private readonly kind: Set<FeedbackKind> | null;
  private readonly types: Set<TimelineEventType> | null;

  constructor(filter: TicketEventsFilter, readonly viewer: Viewer, private readonly transport: LiveTransport | undefined) {
    this.departmentId = filter.departmentId || null;
    this.assigneeId = filter.assigneeId || null;
    this.status = filter.status?.length ? new Set(filter.status) : null;
    this.kind = filter.kind?.length ? new Set(filter.kind) : null;
    this.types = filter.types?.length ? new Set(filter.types) : null;
  }

  accept(ev: HubEvent, v: Viewer): boolean {
    return (
      // The TimelineEvent rule (access.ts) on the facts the hub read with the row.
      canReadEvent(v, NO_GRANTS, ev.row.visibility, ev.facts) &&
      (!this.departmentId || ev.departmentId === this.departmentId) &&
      (!this.assigneeId || ev.assigneeId === this.assigneeId) &&
      (!this.status || this.status.has(ev.status)) &&
      (!this.kind || this.kind.has(ev.kind)) &&
      (!this.types || this.types.has(ev.row.type))
    );
  }

  onSlowConsumer(reason: string): void {
    this.transport?.close(1013, reason);
  }
}
