import { addBusinessMinutes, businessMinutesBetween, dailyWorkingMinutes, DEFAULT_CALENDAR, type BusinessCalendar } from './calendar.ts';
import { FEEDBACK_KINDS, type FeedbackKind, type Priority } from './enums.ts';
import type { FieldError } from './validation.ts';

/** Both targets are business minutes on the ticket's calendar. */
export interface SlaTargets { firstResponseMinutes: number; resolutionMinutes: number }

export interface SlaPolicy {
  kind: FeedbackKind;
  /** null = any tier. */
  tierCode: string | null;
  /** null or absent = any category. */
  category?: string | null;
  targets: SlaTargets;
}

export const SLA_TIERS = ['PRIVATE_BANKING', 'VIP', 'STANDARD'] as const;
export type SlaTier = (typeof SLA_TIERS)[number];

/**
 * Seed targets in working days, one working day = `dailyWorkingMinutes(calendar)` (480 on
 * DEFAULT_CALENDAR). Interpretations:
 * - "first response within 24 hours" (seed 002) is read as one working day, not 24 clock hours: the
 *   clock only runs in business hours, and 24 business hours would be three days.
 * - COMPLAINT resolution: 3 working days (seed 003, the specific figure wins over seed 002's 48 h).
 * - SUGGESTION resolution: 5 working days (seed 003).
 * - INQUIRY resolution: 2 working days, i.e. seed 002's "handled within 48 hours" for the kind that
 *   has no figure of its own.
 * - PRAISE resolution: 5 working days (a thank-you reply, no urgency; same as suggestions).
 */
export const BASE_TARGETS_IN_WORKING_DAYS: Readonly<Record<FeedbackKind, { firstResponse: number; resolution: number }>> = {
  COMPLAINT: { firstResponse: 1, resolution: 3 },
  SUGGESTION: { firstResponse: 1, resolution: 5 },
  PRAISE: { firstResponse: 1, resolution: 5 },
  INQUIRY: { firstResponse: 1, resolution: 2 },
};

/**
 * Fast lane: targets are multiplied by this factor (rounded up to whole minutes). VIP gets half the
 * time, PRIVATE_BANKING a quarter (a 3-day complaint becomes 1.5 and 0.75 working days).
 */
export const TIER_SPEED_FACTORS: Readonly<Record<SlaTier, number>> = { PRIVATE_BANKING: 0.25, VIP: 0.5, STANDARD: 1 };

/**
 * kind × tier policies for a working day of `workingDayMinutes`, plus one kind × any-tier policy per
 * kind with the STANDARD targets, so an unknown tier still resolves.
 */
export function buildSlaPolicies(workingDayMinutes: number): SlaPolicy[] {
  const policies: SlaPolicy[] = [];
  for (const kind of FEEDBACK_KINDS) {
    const base = BASE_TARGETS_IN_WORKING_DAYS[kind];
    const targets = (factor: number): SlaTargets => ({
      firstResponseMinutes: Math.ceil(base.firstResponse * workingDayMinutes * factor),
      resolutionMinutes: Math.ceil(base.resolution * workingDayMinutes * factor),
    });
    for (const tier of SLA_TIERS) policies.push({ kind, tierCode: tier, category: null, targets: targets(TIER_SPEED_FACTORS[tier]) });
    policies.push({ kind, tierCode: null, category: null, targets: targets(1) });
  }
  return policies;
}

export const DEFAULT_SLA_POLICIES: readonly SlaPolicy[] = Object.freeze(buildSlaPolicies(dailyWorkingMinutes(DEFAULT_CALENDAR)));

/**
 * The most specific policy for a ticket: kind must match; then tier+category beats tier beats
 * any-tier+category beats any-tier. A policy naming a tier or category only matches that value.
 * Equal specificity: the first in the list. null when no policy has the kind.
 */
export function resolvePolicy(
  policies: readonly SlaPolicy[],
  kind: FeedbackKind,
  tierCode: string | null | undefined,
  category?: string | null,
): SlaPolicy | null {
  let best: SlaPolicy | null = null;
  let bestScore = -1;
  for (const p of policies) {
    if (p.kind !== kind) continue;
    if (p.tierCode != null && p.tierCode !== tierCode) continue;
    if (p.category != null && p.category !== category) continue;
    const score = (p.tierCode != null ? 2 : 0) + (p.category != null ? 1 : 0);
    if (score > bestScore) [best, bestScore] = [p, score];
  }
  return best;
}

export type SlaState = 'ON_TRACK' | 'AT_RISK' | 'BREACHED' | 'MET' | 'PAUSED';
export interface SlaPause { from: Date; to: Date | null }

export interface SlaInput {
  calendar: BusinessCalendar;
  targets: SlaTargets;
  receivedAt: Date;
  now: Date;
  /** AWAITING_CUSTOMER periods; `to: null` = still awaiting. May overlap or be unsorted. */
  pauses: readonly SlaPause[];
  firstRespondedAt: Date | null;
  resolvedAt: Date | null;
  /** Share of the target after which a clock is AT_RISK; 0.8 by default (PRODUCT.md). */
  warnRatio?: number;
}

export interface SlaResult {
  firstResponseDueAt: Date;
  firstResponseWarnAt: Date;
  /** Shifted by the business minutes spent paused; while paused, projected as if the pause ended now. */
  resolutionDueAt: Date;
  resolutionWarnAt: Date;
  state: SlaState;
  firstResponseState: SlaState;
  resolutionState: SlaState;
  /**
   * Resolution clock: target minus business minutes consumed (pauses excluded) up to resolvedAt, or
   * up to now when open. Negative once breached; may be fractional.
   */
  businessMinutesRemaining: number;
}

type Span = [number, number];

/** Pauses clipped to start at `from`, open ones ending at `now`, sorted and merged. */
function normalizePauses(pauses: readonly SlaPause[], from: number, now: number): Span[] {
  const spans = pauses
    .map((p): Span => {
      const start = Math.max(p.from.getTime(), from);
      return [start, p.to ? p.to.getTime() : Math.max(now, start)];
    })
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  for (const [s, e] of spans) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** When `minutes` of unpaused working time have elapsed after `start`. */
function dueWithPauses(cal: BusinessCalendar, start: number, minutes: number, pauses: Span[]): Date {
  let t = start;
  let remaining = minutes;
  for (const [ps, pe] of pauses) {
    if (pe <= t) continue;
    if (ps > t) {
      const available = businessMinutesBetween(cal, new Date(t), new Date(ps));
      if (remaining <= available) break;
      remaining -= available;
    }
    t = pe;
  }
  return addBusinessMinutes(cal, new Date(t), remaining);
}

/** Unpaused working minutes in [start, end). */
function consumed(cal: BusinessCalendar, start: number, end: number, pauses: Span[]): number {
  if (end <= start) return 0;
  let total = businessMinutesBetween(cal, new Date(start), new Date(end));
  for (const [ps, pe] of pauses) {
    if (ps >= end) break;
    total -= businessMinutesBetween(cal, new Date(ps), new Date(Math.min(pe, end)));
  }
  return total;
}

function clockState(dueAt: Date, warnAt: Date, doneAt: Date | null, now: Date): SlaState {
  if (doneAt) return doneAt.getTime() <= dueAt.getTime() ? 'MET' : 'BREACHED';
  if (now.getTime() > dueAt.getTime()) return 'BREACHED';
  return now.getTime() >= warnAt.getTime() ? 'AT_RISK' : 'ON_TRACK';
}

/**
 * SLA due times and states of one ticket. Rules:
 * - Only the resolution clock pauses (AWAITING_CUSTOMER): the first response is owed before asking
 *   the customer anything, so its clock never stops.
 * - A resolution counts as a first response when none was recorded.
 * - Due exactly at the due time is MET; BREACHED strictly after. AT_RISK from the warn time on.
 * - A breach that happened before a pause stays BREACHED; otherwise an open pause shows PAUSED.
 * - Overall state: BREACHED if either clock is; else MET once resolved; else AT_RISK if either clock
 *   is; else PAUSED while paused; else ON_TRACK.
 */
export function computeSla(input: SlaInput): SlaResult {
  const { calendar, targets, receivedAt, now, firstRespondedAt, resolvedAt } = input;
  const warnRatio = input.warnRatio ?? 0.8;
  if (!(warnRatio > 0 && warnRatio <= 1)) throw new RangeError(`warnRatio must be in (0, 1], got ${warnRatio}`);
  for (const [name, v] of Object.entries(targets)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${v}`);
  }
  const start = receivedAt.getTime();
  const pauses = normalizePauses(input.pauses, start, now.getTime());

  const firstResponseDueAt = addBusinessMinutes(calendar, receivedAt, targets.firstResponseMinutes);
  const firstResponseWarnAt = addBusinessMinutes(calendar, receivedAt, targets.firstResponseMinutes * warnRatio);
  const resolutionDueAt = dueWithPauses(calendar, start, targets.resolutionMinutes, pauses);
  const resolutionWarnAt = dueWithPauses(calendar, start, targets.resolutionMinutes * warnRatio, pauses);

  const firstResponseState = clockState(firstResponseDueAt, firstResponseWarnAt, firstRespondedAt ?? resolvedAt, now);
  let resolutionState = clockState(resolutionDueAt, resolutionWarnAt, resolvedAt, now);
  const paused = !resolvedAt && input.pauses.some((p) => p.to === null && p.from.getTime() <= now.getTime());
  if (paused && resolutionState !== 'BREACHED') resolutionState = 'PAUSED';

  const clocks = [firstResponseState, resolutionState];
  const state: SlaState = clocks.includes('BREACHED') ? 'BREACHED'
    : resolvedAt ? 'MET'
    : clocks.includes('AT_RISK') ? 'AT_RISK'
    : paused ? 'PAUSED'
    : 'ON_TRACK';

  const until = (resolvedAt ?? now).getTime();
  return {
    firstResponseDueAt,
    firstResponseWarnAt,
    resolutionDueAt,
    resolutionWarnAt,
    state,
    firstResponseState,
    resolutionState,
    businessMinutesRemaining: targets.resolutionMinutes - consumed(calendar, start, until, pauses),
  };
}

/**
 * Priority scales a ticket's targets after the policy is chosen (rounded up to whole minutes):
 * URGENT halves them (fraud, money leaving the account). The other priorities order the queue but
 * keep the promised times, so a routing rule's HIGH never shortens a customer's deadline twice.
 */
export const PRIORITY_SPEED_FACTORS: Readonly<Record<Priority, number>> = { URGENT: 0.5, HIGH: 1, NORMAL: 1, LOW: 1 };

/**
 * Targets of a ticket that handles several feedback (a merged incident): the strictest of each
 * clock over the linked feedback, so meeting the ticket's deadlines meets every customer's; then
 * scaled by the priority factor. null when no feedback has targets.
 */
export function effectiveTargets(list: ReadonlyArray<SlaTargets | null>, priority: Priority): SlaTargets | null {
  const present = list.filter((t): t is SlaTargets => t !== null);
  if (present.length === 0) return null;
  const f = PRIORITY_SPEED_FACTORS[priority];
  return {
    firstResponseMinutes: Math.ceil(Math.min(...present.map((t) => t.firstResponseMinutes)) * f),
    resolutionMinutes: Math.ceil(Math.min(...present.map((t) => t.resolutionMinutes)) * f),
  };
}

/** What the sweeper has already done for one ticket (timestamps, null = not yet). */
export interface SlaMarks {
  firstResponseWarnedAt: Date | null;
  firstResponseBreachedAt: Date | null;
  resolutionWarnedAt: Date | null;
  resolutionBreachedAt: Date | null;
}

export type SlaClock = 'FIRST_RESPONSE' | 'RESOLUTION';
export interface SlaAction { clock: SlaClock; kind: 'WARNING' | 'BREACH'; dueAt: Date }

/**
 * The next instant a sweeper has something to do, or null. A breach is due strictly after the due
 * time (MET exactly at it), hence the extra millisecond. A paused resolution clock has nothing
 * pending: resuming recomputes its schedule.
 */
export function nextSlaCheck(sla: SlaResult, input: Pick<SlaInput, 'firstRespondedAt' | 'resolvedAt' | 'pauses'>, marks: SlaMarks): Date | null {
  const times: number[] = [];
  if (!input.firstRespondedAt && !input.resolvedAt) {
    if (!marks.firstResponseWarnedAt && !marks.firstResponseBreachedAt) times.push(sla.firstResponseWarnAt.getTime());
    if (!marks.firstResponseBreachedAt) times.push(sla.firstResponseDueAt.getTime() + 1);
  }
  const paused = input.pauses.some((p) => p.to === null);
  if (!input.resolvedAt && !paused) {
    if (!marks.resolutionWarnedAt && !marks.resolutionBreachedAt) times.push(sla.resolutionWarnAt.getTime());
    if (!marks.resolutionBreachedAt) times.push(sla.resolutionDueAt.getTime() + 1);
  }
  return times.length ? new Date(Math.min(...times)) : null;
}

/**
 * What is due at `now`, at most one action per clock: a breach supersedes a warning not yet sent
 * (after downtime the sweeper reports the breach only).
 */
export function dueSlaActions(sla: SlaResult, input: Pick<SlaInput, 'firstRespondedAt' | 'resolvedAt' | 'pauses'>, marks: SlaMarks, now: Date): SlaAction[] {
  const out: SlaAction[] = [];
  const t = now.getTime();
  if (!input.firstRespondedAt && !input.resolvedAt && !marks.firstResponseBreachedAt) {
    if (t > sla.firstResponseDueAt.getTime()) out.push({ clock: 'FIRST_RESPONSE', kind: 'BREACH', dueAt: sla.firstResponseDueAt });
    else if (!marks.firstResponseWarnedAt && t >= sla.firstResponseWarnAt.getTime()) out.push({ clock: 'FIRST_RESPONSE', kind: 'WARNING', dueAt: sla.firstResponseDueAt });
  }
  const paused = input.pauses.some((p) => p.to === null);
  if (!input.resolvedAt && !paused && !marks.resolutionBreachedAt) {
    if (t > sla.resolutionDueAt.getTime()) out.push({ clock: 'RESOLUTION', kind: 'BREACH', dueAt: sla.resolutionDueAt });
    else if (!marks.resolutionWarnedAt && t >= sla.resolutionWarnAt.getTime()) out.push({ clock: 'RESOLUTION', kind: 'WARNING', dueAt: sla.resolutionDueAt });
  }
  return out;
}

/**
 * How far staff and partners may back-date or post-date `receivedAt` when recording feedback: a
 * back-dated clock that started years ago is never a real SLA, and bounds the business-time span.
 */
export interface ReceivedAtLimits { maxAgeDays: number; maxFutureSkewMs: number }
export const DEFAULT_RECEIVED_AT_LIMITS: Readonly<ReceivedAtLimits> = Object.freeze({ maxAgeDays: 365, maxFutureSkewMs: 60_000 });

export function validateReceivedAt(
  receivedAt: Date, now: Date, limits: ReceivedAtLimits = DEFAULT_RECEIVED_AT_LIMITS, path: string[] = ['input', 'receivedAt'],
): FieldError[] {
  const t = receivedAt instanceof Date ? receivedAt.getTime() : NaN;
  if (!Number.isFinite(t)) return [{ path, code: 'INVALID_DATE', message: 'receivedAt must be a valid date-time' }];
  if (t > now.getTime() + limits.maxFutureSkewMs) return [{ path, code: 'IN_FUTURE', message: 'receivedAt cannot be in the future' }];
  if (t < now.getTime() - limits.maxAgeDays * 86_400_000) {
    return [{ path, code: 'TOO_OLD', message: `receivedAt may be at most ${limits.maxAgeDays} days ago` }];
  }
  return [];
}
