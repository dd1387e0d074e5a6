// One hub per API process. It turns doorbell rings (bus.ts) into committed timeline rows read from the
// database in id order, and hands each row to the local subscriptions that may receive it.
//
// Why rows are read rather than carried by the bus: timeline appends are serialised
// (services/events.ts, lockTimeline), so ids become visible in increasing order and `id > highWater`
// returns every new committed event exactly once, in order, whichever process committed it and
// whether or not the ring arrived. A ring only says "read now"; the poll timer covers lost rings.
import { attachEventFacts } from '../policy/event-facts.ts';
import { and, asc, eq, gt, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { apiKeys, feedback, staff, tickets, timelineEvents, type Database } from '@closeloop/db';
import type { FeedbackKind, TicketStatus } from '@closeloop/domain';
import type { StaffRow } from '@closeloop/db';
import type { FeedbackFacts } from '../policy/access.ts';
import type { Viewer } from '../policy/viewer.ts';
import type { TimelineRow } from '../services/events.ts';
import type { BusSignal, EventBus } from './bus.ts';
import { log } from '../log.ts';

/** A committed timeline row with what per-event authorization and filters need. */
export interface HubEvent {
  row: TimelineRow;
  /**
   * Who may read the row: its feedback's owner and the feedback's ticket *now* (when the hub read the
   * row), the facts the TimelineEvent rule decides on (policy/access.ts canReadEvent). For an event of
   * feedback merged into another ticket since, that is the other ticket, not the row's.
   */
  facts: FeedbackFacts;
  /** The row's ticket's department and assignee when the hub read the row (filters; normally just after the commit). */
  departmentId: string | null;
  assigneeId: string | null;
  collaboratorDepartmentIds: string[];
  collaboratorStaffIds: string[];
  /** The event's subscription payload built by the database, when a replay asked for it (CompiledReplays). */
  payload?: string;
  /** The ticket's status as of this event (the latest status change at or before it). */
  status: TicketStatus;
  kind: FeedbackKind;
}

export interface RealtimeSettings {
  /** Re-read the database this often while anyone listens, in case a ring was lost (ms). */
  pollMs: number;
  /** Re-check staff rows and API keys of open subscriptions this often (ms). */
  recheckMs: number;
  /** Events waiting for a slow consumer before it is dropped. */
  maxQueue: number;
  /** Rows per database read (live reads and replays). */
  batchSize: number;
  /** Bytes a WebSocket may have waiting to be written before its client is dropped as slow. */
  maxBufferedBytes: number;
}

export const DEFAULT_REALTIME_SETTINGS: RealtimeSettings = {
  pollMs: 2000, recheckMs: 10_000, maxQueue: 256, batchSize: 500, maxBufferedBytes: 1 << 20,
};

/** Why a stream ended; the subscription's last result carries it as `extensions.code`. */
export class StreamEnd {
  constructor(readonly code: 'SLOW_CONSUMER' | 'SERVICE_RESTART' | 'FORBIDDEN' | 'TOKEN_EXPIRED' | 'CANCELLED', readonly message: string) {}
}


export interface StreamOptions {
  /** Only rows of this feedback (customer streams); null: every row (staff and partner streams). */
  feedbackId: string | null;
  viewer: Viewer;
  /** Per-event decision, given the viewer as the hub currently knows it (fresh staff row). */
  accept(ev: HubEvent, viewer: Viewer): boolean;
  /** Told when the stream is dropped for being slow, so the transport can close too. */
  onSlowConsumer?: (reason: string) => void;
}

/** Where an attached stream hands its accepted events (the WebSocket fast path, subscriptions.ts). */
export interface StreamSink {
  deliver(ev: HubEvent): void;
}

const NO_EVENTS: HubEvent[] = [];

/** One subscription's live side: a bounded queue fed by the hub. */
export class Stream {
  private queue: HubEvent[] = NO_EVENTS;
  private wake: (() => void) | null = null;
  /** Set by attach(): events go straight to the transport instead of the queue. */
  private sink: StreamSink | null = null;
  private whenEnded: { promise: Promise<StreamEnd>; resolve: (end: StreamEnd) => void } | null = null;
  /** The hub batch last offered, and how many events earlier batches had left waiting then. */
  private batch = -1;
  private carried = 0;
  ended: StreamEnd | null = null;

  constructor(private readonly hub: RealtimeHub, readonly options: StreamOptions) {}

  /** From now on, hand accepted events to `sink` synchronously; queued ones first, in order. */
  attach(sink: StreamSink): void {
    const queued = this.queue;
    this.queue = NO_EVENTS;
    for (const ev of queued) if (!this.ended) sink.deliver(ev);
    this.sink = sink;
  }

  /** Resolves with the reason once the stream ends (attached streams have nothing else to wait for). */
  finished(): Promise<StreamEnd> {
    if (this.ended) return Promise.resolve(this.ended);
    if (!this.whenEnded) {
      let resolve!: (end: StreamEnd) => void;
      const promise = new Promise<StreamEnd>((r) => (resolve = r));
      this.whenEnded = { promise, resolve };
    }
    return this.whenEnded.promise;
  }

  /**
   * Called by the hub for every new row this stream might want; `batch` numbers the hub's reads. A
   * consumer is slow when events of earlier batches are still waiting, not because one read brought
   * many at once (a status change on a large incident is one event per linked feedback): the queue
   * holds at most `maxQueue` + one batch.
   */
  offer(ev: HubEvent, batch: number): void {
    if (this.ended) return;
    const viewer = this.hub.streamViewer(this.options.viewer);
    if (viewer instanceof StreamEnd) {
      this.end(viewer);
      return;
    }
    if (!this.options.accept(ev, viewer)) return;
    if (this.sink) {
      this.sink.deliver(ev);
      return;
    }
    if (batch !== this.batch) {
      this.batch = batch;
      this.carried = this.queue.length;
    }
    if (this.carried >= this.hub.settings.maxQueue) {
      const reason = `slow consumer: more than ${this.hub.settings.maxQueue} events waiting`;
      this.end(new StreamEnd('SLOW_CONSUMER', `Dropped as a slow consumer (more than ${this.hub.settings.maxQueue} events waiting); resume with your last cursor`));
      this.options.onSlowConsumer?.(reason);
      return;
    }
    if (this.queue === NO_EVENTS) this.queue = [];
    this.queue.push(ev);
    this.wake?.();
  }

  /** Ends the stream: the consumer gets `end` as its last item. Pending events are dropped. */
  end(end: StreamEnd): void {
    if (this.ended) return;
    this.ended = end;
    this.queue = NO_EVENTS;
    this.hub.detach(this);
    this.wake?.();
    this.whenEnded?.resolve(end);
  }

  /** The next live event, or the reason the stream ended. */
  async next(): Promise<HubEvent | StreamEnd> {
    for (;;) {
      if (this.ended) return this.ended;
      const ev = this.queue.shift();
      if (ev) return ev;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }

  /** The consumer went away (client completed, socket closed): nothing more is delivered. */
  cancel(): void {
    this.end(new StreamEnd('CANCELLED', 'cancelled by the client'));
  }
}

/** The ticket a row's feedback is on now: differs from the row's own ticket once the feedback was merged elsewhere. */
export const feedbackTicket = alias(tickets, 'feedback_ticket');

const eventColumns = {
  row: timelineEvents,
  departmentId: tickets.departmentId,
  assigneeId: tickets.assigneeId,
  collaboratorDepartmentIds: tickets.collaboratorDepartmentIds,
  collaboratorStaffIds: tickets.collaboratorStaffIds,
  // Exact for live rows and replays alike: one backward probe of timeline_ticket_idx per row.
  status: sql<TicketStatus>`coalesce((select s.to_status from ${timelineEvents} s
    where s.ticket_id = ${timelineEvents.ticketId} and s.to_status is not null and s.id <= ${timelineEvents.id}
    order by s.id desc limit 1), ${tickets.status})`,
  kind: tickets.kind,
  customerId: feedback.customerId,
  now: {
    departmentId: feedbackTicket.departmentId,
    assigneeId: feedbackTicket.assigneeId,
    collaboratorDepartmentIds: feedbackTicket.collaboratorDepartmentIds,
    collaboratorStaffIds: feedbackTicket.collaboratorStaffIds,
  },
};

function sameRow(a: StaffRow, b: StaffRow): boolean {
  for (const k of Object.keys(b) as Array<keyof StaffRow>) {
    const x = a[k];
    const y = b[k];
    if (x instanceof Date && y instanceof Date ? x.getTime() !== y.getTime() : x !== y) return false;
  }
  return Object.keys(a).length === Object.keys(b).length;
}

export class RealtimeHub {
  readonly settings: RealtimeSettings;
  private highWater: number | null = null;
  private starting: Promise<void> | null = null;
  private readonly byFeedback = new Map<string, Set<Stream>>();
  private readonly firehose = new Set<Stream>();
  private count = 0;
  private batches = 0;
  private reading = false;
  private again = false;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribeBus: (() => void) | null = null;
  private stopped = false;
  /** Fresh staff rows and API key states of open subscriptions; null = no longer valid. */
  private readonly staffRows = new Map<string, StaffRow | null>();
  /** One viewer object per cached staff row, shared by every stream of that staff member. */
  private readonly staffViewers = new Map<string, Viewer>();
  private readonly revokedKeys = new Set<string>();

  constructor(private readonly db: Database, readonly bus: EventBus, settings: Partial<RealtimeSettings> = {}) {
    this.settings = { ...DEFAULT_REALTIME_SETTINGS, ...settings };
  }

  /** Open streams on this process. */
  get size(): number {
    return this.count;
  }

  /** Reads the current high-water mark once and starts listening; idempotent. */
  ready(): Promise<void> {
    this.starting ??= (async () => {
      this.highWater = await this.maxId();
      if (this.stopped) return;
      this.unsubscribeBus = this.bus.subscribe((r) => this.ring(r));
      this.timers.push(setInterval(() => this.count > 0 && this.read(), this.settings.pollMs).unref());
      this.timers.push(setInterval(() => this.count > 0 && void this.recheck().catch((e) => log.error({ err: e }, 'realtime recheck failed')), this.settings.recheckMs).unref());
    })();
    return this.starting;
  }

  /** Largest committed timeline id: the floor under which a new stream's live part starts. */
  async maxId(): Promise<number> {
    const [r] = await this.db.select({ n: sql<string | number | null>`max(${timelineEvents.id})` }).from(timelineEvents);
    return Number(r?.n ?? 0);
  }

  private ring(r: BusSignal): void {
    if (r === 'recheck') {
      // Credentials were revoked somewhere: end the streams that relied on them now, not at the next interval.
      if (this.count > 0) void this.recheck().catch((err) => log.error({ err }, 'realtime recheck failed'));
      return;
    }
    if (this.highWater === null) return;
    if (r !== 'resync' && this.count === 0) {
      // Nobody listens: nothing to deliver, and every row up to r.seq is committed (lockTimeline).
      if (r.seq > this.highWater) this.highWater = r.seq;
      return;
    }
    if (r !== 'resync' && r.seq <= this.highWater) return;
    this.read();
  }

  /** Reads committed rows above the high-water mark and dispatches them; coalesces overlapping calls. */
  read(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void (async () => {
      try {
        do {
          this.again = false;
          const events = await this.fetch(gt(timelineEvents.id, this.highWater ?? 0), this.settings.batchSize);
          if (events.length === 0) break;
          this.highWater = events.at(-1)!.row.id;
          this.dispatch(events);
          if (events.length === this.settings.batchSize) this.again = true;
        } while (this.again && !this.stopped);
      } catch (e) {
        if (!this.stopped) log.error({ err: e }, 'realtime read failed; retrying on the next ring or poll');
      } finally {
        this.reading = false;
      }
    })();
  }

  /** Committed rows matching `where`, in id order, with the ticket and feedback columns filters need. */
  async fetch(where: ReturnType<typeof and>, limit: number, order: 'id' | 'position' = 'id', payload?: SQL): Promise<HubEvent[]> {
    const rows = await this.db
      .select(payload ? { ...eventColumns, payload: sql<string>`(${payload})::text` } : eventColumns)
      .from(timelineEvents)
      .innerJoin(tickets, eq(tickets.id, timelineEvents.ticketId))
      .innerJoin(feedback, eq(feedback.id, timelineEvents.feedbackId))
      .innerJoin(feedbackTicket, eq(feedbackTicket.id, feedback.ticketId))
      .where(where)
      .orderBy(asc(order === 'id' ? timelineEvents.id : timelineEvents.position))
      .limit(limit);
    return rows.map(({ customerId, now, ...r }) => {
      const facts: FeedbackFacts = { id: r.row.feedbackId, customerId, ticket: now };
      // The TimelineEvent type's rule reads these instead of querying per event and subscriber: the
      // streams' own checks (subscriptions.ts) and the rule then decide on the same facts, so an event
      // a stream accepts is never refused by the rule (FORBIDDEN) while its result is executed.
      attachEventFacts(r.row, facts);
      return { ...r, facts };
    });
  }

  /**
   * Replays committed rows of one stream's past, page by page: `where` selects them, `floor` is the
   * largest id committed when the stream registered (rows above it come live).
   */
  async *replay(where: ReturnType<typeof and>, floor: number, order: 'id' | 'position', payload?: SQL): AsyncGenerator<HubEvent> {
    const cursorColumn = order === 'id' ? timelineEvents.id : timelineEvents.position;
    let last: number | null = null;
    for (;;) {
      const page = await this.fetch(
        and(where, lte(timelineEvents.id, floor), last === null ? undefined : gt(cursorColumn, last)),
        this.settings.batchSize,
        order,
        payload,
      );
      for (const ev of page) yield ev;
      if (page.length < this.settings.batchSize) return;
      last = order === 'id' ? page.at(-1)!.row.id : page.at(-1)!.row.position;
    }
  }

  private dispatch(events: HubEvent[]): void {
    const batch = ++this.batches;
    for (const ev of events) {
      const forFeedback = this.byFeedback.get(ev.row.feedbackId);
      if (forFeedback) for (const s of forFeedback) s.offer(ev, batch);
      for (const s of this.firehose) s.offer(ev, batch);
    }
  }

  /** Registers a stream before its replay starts, so nothing committed meanwhile is missed. */
  open(options: StreamOptions): Stream {
    const s = new Stream(this, options);
    if (options.feedbackId) {
      let set = this.byFeedback.get(options.feedbackId);
      if (!set) this.byFeedback.set(options.feedbackId, (set = new Set()));
      set.add(s);
    } else {
      this.firehose.add(s);
    }
    this.count++;
    this.remember(options.viewer);
    return s;
  }

  detach(s: Stream): void {
    const id = s.options.feedbackId;
    let removed = false;
    if (id) {
      const set = this.byFeedback.get(id);
      removed = set?.delete(s) ?? false;
      if (set && set.size === 0) this.byFeedback.delete(id);
    } else {
      removed = this.firehose.delete(s);
    }
    if (removed) this.count--;
  }

  private remember(v: Viewer): void {
    if (v.kind === 'STAFF' && !this.staffRows.has(v.staff.id)) this.staffRows.set(v.staff.id, v.staff);
  }

  /**
   * The viewer as the hub currently knows it: a staff member's department, role and session come from
   * the cached row (re-read every `recheckMs`). Null when the session or key is no longer valid.
   */
  currentViewer(v: Viewer): Viewer | null {
    if (v.kind === 'STAFF') {
      const row = this.staffRows.get(v.staff.id);
      if (row === undefined) return v;
      if (row === null || !row.active || row.sessionVersion !== v.staff.sessionVersion) return null;
      if (row === v.staff) return v;
      let shared = this.staffViewers.get(row.id);
      if (shared?.kind !== 'STAFF' || shared.staff !== row) this.staffViewers.set(row.id, (shared = { kind: 'STAFF', staff: row }));
      return shared;
    }
    if (v.kind === 'PARTNER' && this.revokedKeys.has(v.apiKey.id)) return null;
    return v;
  }

  /**
   * The viewer a stream acts as now, or why it must end: a customer's token expired (the SDK then asks
   * for a new one and resumes), or the staff session or API key is no longer valid.
   */
  streamViewer(v: Viewer): Viewer | StreamEnd {
    if (v.kind === 'CUSTOMER' && v.expiresAt !== undefined && v.expiresAt <= Date.now()) {
      return new StreamEnd('TOKEN_EXPIRED', 'The token has expired; resume with a new token and your last cursor');
    }
    return this.currentViewer(v) ?? new StreamEnd('FORBIDDEN', 'Your session is no longer valid');
  }

  /** Keeps the cached row object while the staff row is unchanged, so that streams share one viewer. */
  private setStaffRow(id: string, row: StaffRow | null): void {
    const cached = this.staffRows.get(id);
    if (cached && row && sameRow(cached, row)) return;
    this.staffRows.set(id, row);
  }

  /** The viewer re-read now (used when a subscription starts on a long-lived connection). */
  async freshViewer(v: Viewer): Promise<Viewer | null> {
    if (v.kind === 'STAFF') {
      const [row] = await this.db.select().from(staff).where(eq(staff.id, v.staff.id)).limit(1);
      this.setStaffRow(v.staff.id, row ?? null);
    } else if (v.kind === 'PARTNER') {
      const [row] = await this.db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, v.apiKey.id)).limit(1);
      if (!row || row.revokedAt) this.revokedKeys.add(v.apiKey.id);
    }
    return this.currentViewer(v);
  }

  /** Re-reads the staff rows and API keys behind open streams; ends streams whose access is gone. */
  async recheck(): Promise<void> {
    const staffIds = new Set<string>();
    const keyIds = new Set<string>();
    const streams = [...this.firehose, ...[...this.byFeedback.values()].flatMap((s) => [...s])];
    for (const s of streams) {
      const v = s.options.viewer;
      if (v.kind === 'STAFF') staffIds.add(v.staff.id);
      if (v.kind === 'PARTNER') keyIds.add(v.apiKey.id);
    }
    if (staffIds.size) {
      const rows = await this.db.select().from(staff).where(inArray(staff.id, [...staffIds]));
      const found = new Map(rows.map((r) => [r.id, r]));
      for (const id of staffIds) this.setStaffRow(id, found.get(id) ?? null);
    }
    for (const id of this.staffRows.keys()) {
      if (staffIds.has(id)) continue;
      this.staffRows.delete(id);
      this.staffViewers.delete(id);
    }
    if (keyIds.size) {
      const rows = await this.db.select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt }).from(apiKeys).where(inArray(apiKeys.id, [...keyIds]));
      const live = new Set(rows.filter((r) => !r.revokedAt).map((r) => r.id));
      for (const id of keyIds) if (!live.has(id)) this.revokedKeys.add(id);
    }
    for (const s of streams) {
      const viewer = this.streamViewer(s.options.viewer);
      if (viewer instanceof StreamEnd) s.end(viewer);
    }
  }

  /** Ends every stream (shutdown): each consumer gets `end` as its last item. */
  endAll(end: StreamEnd): void {
    for (const s of [...this.firehose, ...[...this.byFeedback.values()].flatMap((set) => [...set])]) s.end(end);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.unsubscribeBus?.();
    this.endAll(new StreamEnd('SERVICE_RESTART', 'The server is restarting; reconnect and resume with your last cursor'));
  }
}
