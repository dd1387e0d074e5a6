// The facts a timeline event's rule needs about its feedback (owner, ticket department and assignee),
// known without a query where the request already loaded the feedback or the hub attached them to a
// live event, otherwise loaded in one batched statement per tick.
import { eq, inArray } from 'drizzle-orm';
import { feedback, tickets } from '@closeloop/db';
import type { Context } from '../context.ts';
import { canReadEvent, type FeedbackFacts } from '../policy/access.ts';
import { log } from '../log.ts';

// Attached by the realtime hub to the rows it reads (policy/event-facts.ts: the hub sits below the schema).
import { EVENT_FACTS } from '../policy/event-facts.ts';
export { attachEventFacts, EVENT_FACTS } from '../policy/event-facts.ts';

/** Facts live this long in a context: one HTTP request, or one event of a long-lived subscription. */
const FRESH_MS = 1000;

interface Cache {
  facts: Map<string, { at: number; value: FeedbackFacts | null | Promise<FeedbackFacts | null> }>;
  pending: Map<string, Array<(f: FeedbackFacts | null) => void>> | null;
}
const caches = new WeakMap<Context, Cache>();

function cacheOf(ctx: Context): Cache {
  let c = caches.get(ctx);
  if (!c) caches.set(ctx, (c = { facts: new Map(), pending: null }));
  return c;
}

/** Records what an authorised Feedback row showed, so its events need no query of their own. */
export function rememberFeedback(ctx: Context, f: FeedbackFacts): void {
  cacheOf(ctx).facts.set(f.id, { at: Date.now(), value: f });
}

function load(ctx: Context, id: string): FeedbackFacts | null | Promise<FeedbackFacts | null> {
  const cache = cacheOf(ctx);
  const hit = cache.facts.get(id);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.value;
  const promise = new Promise<FeedbackFacts | null>((resolve) => {
    if (!cache.pending) {
      cache.pending = new Map();
      queueMicrotask(() => void flush(ctx, cache));
    }
    const waiting = cache.pending.get(id) ?? [];
    waiting.push(resolve);
    cache.pending.set(id, waiting);
  });
  cache.facts.set(id, { at: Date.now(), value: promise });
  return promise;
}

async function flush(ctx: Context, cache: Cache): Promise<void> {
  const batch = cache.pending!;
  cache.pending = null;
  const ids = [...batch.keys()];
  let rows: Array<{ id: string; customerId: string | null; departmentId: string | null; assigneeId: string | null; collaboratorDepartmentIds: string[]; collaboratorStaffIds: string[] }> = [];
  try {
    rows = await ctx.db
      .select({
        id: feedback.id, customerId: feedback.customerId, departmentId: tickets.departmentId, assigneeId: tickets.assigneeId,
        collaboratorDepartmentIds: tickets.collaboratorDepartmentIds, collaboratorStaffIds: tickets.collaboratorStaffIds,
      })
      .from(feedback)
      .innerJoin(tickets, eq(tickets.id, feedback.ticketId))
      .where(inArray(feedback.id, ids));
  } catch (e) {
    // Refuse rather than guess; the error itself surfaces from the fields that load data.
    log.error({ err: e }, 'loading feedback facts failed');
  }
  const byId = new Map(rows.map((r) => [r.id, {
    id: r.id, customerId: r.customerId,
    ticket: { departmentId: r.departmentId, assigneeId: r.assigneeId, collaboratorDepartmentIds: r.collaboratorDepartmentIds, collaboratorStaffIds: r.collaboratorStaffIds },
  }]));
  for (const [id, waiting] of batch) {
    const f = byId.get(id) ?? null;
    cache.facts.set(id, { at: Date.now(), value: f });
    for (const resolve of waiting) resolve(f);
  }
}

/** The TimelineEvent type's rule (access.ts canReadEvent), with the feedback's facts found as cheaply as possible. */
export function eventVisible(ctx: Context, e: { feedbackId: string; visibility: string }): boolean | Promise<boolean> {
  const attached = (e as { [EVENT_FACTS]?: FeedbackFacts })[EVENT_FACTS];
  const decide = (f: FeedbackFacts | null) => f !== null && canReadEvent(ctx.viewer, ctx.grants, e.visibility, f);
  if (attached) return decide(attached);
  const f = load(ctx, e.feedbackId);
  return f instanceof Promise ? f.then(decide) : decide(f);
}
