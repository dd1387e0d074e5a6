import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addBusinessMinutes, businessMinutesBetween, DEFAULT_CALENDAR as CN } from './calendar.ts';
import {
  buildSlaPolicies, computeSla, DEFAULT_SLA_POLICIES, dueSlaActions, effectiveTargets, nextSlaCheck, resolvePolicy,
  type SlaInput, type SlaMarks, type SlaPolicy, type SlaTargets,
} from './sla.ts';

const d = (iso: string) => new Date(iso);
const iso = (s: string) => d(s).toISOString();
const STANDARD_COMPLAINT: SlaTargets = { firstResponseMinutes: 480, resolutionMinutes: 1440 };
const sla = (over: Partial<SlaInput> & Pick<SlaInput, 'receivedAt' | 'now'>) =>
  computeSla({ calendar: CN, targets: STANDARD_COMPLAINT, pauses: [], firstRespondedAt: null, resolvedAt: null, ...over });

describe('default policies', () => {
  const targets = (kind: SlaPolicy['kind'], tier: string | null) => resolvePolicy(DEFAULT_SLA_POLICIES, kind, tier)?.targets;

  it.each([
    ['COMPLAINT', 'STANDARD', 480, 1440], ['COMPLAINT', 'VIP', 240, 720], ['COMPLAINT', 'PRIVATE_BANKING', 120, 360],
    ['SUGGESTION', 'STANDARD', 480, 2400], ['SUGGESTION', 'VIP', 240, 1200], ['SUGGESTION', 'PRIVATE_BANKING', 120, 600],
    ['PRAISE', 'STANDARD', 480, 2400], ['INQUIRY', 'STANDARD', 480, 960], ['INQUIRY', 'PRIVATE_BANKING', 120, 240],
    ['COMPLAINT', 'UNKNOWN_TIER', 480, 1440], ['INQUIRY', null, 480, 960],
  ] as const)('%s × %s → %i / %i business minutes', (kind, tier, firstResponseMinutes, resolutionMinutes) => {
    expect(targets(kind, tier)).toEqual({ firstResponseMinutes, resolutionMinutes });
  });

  it('scales with the length of the working day and rounds up', () => {
    expect(resolvePolicy(buildSlaPolicies(450), 'COMPLAINT', 'PRIVATE_BANKING')?.targets).toEqual({ firstResponseMinutes: 113, resolutionMinutes: 338 });
  });
});

describe('resolvePolicy', () => {
  const t = (n: number): SlaTargets => ({ firstResponseMinutes: n, resolutionMinutes: n });
  const policies: SlaPolicy[] = [
    { kind: 'COMPLAINT', tierCode: null, targets: t(1) },
    { kind: 'COMPLAINT', tierCode: null, category: 'ATM', targets: t(2) },
    { kind: 'COMPLAINT', tierCode: 'VIP', targets: t(3) },
    { kind: 'COMPLAINT', tierCode: 'VIP', category: 'ATM', targets: t(4) },
    { kind: 'COMPLAINT', tierCode: null, targets: t(5) }, // same specificity as the first: loses
  ];
  it.each([
    ['VIP', 'ATM', 4], ['VIP', 'CARD', 3], ['VIP', null, 3], ['STANDARD', 'ATM', 2], ['STANDARD', null, 1], [null, undefined, 1],
  ] as const)('tier %s, category %s → policy %i', (tier, category, n) => {
    expect(resolvePolicy(policies, 'COMPLAINT', tier, category)?.targets).toEqual(t(n));
  });
  it('returns null when no policy covers the kind', () => {
    expect(resolvePolicy(policies, 'PRAISE', 'VIP')).toBeNull();
  });
});

describe('computeSla, hand-computed on the 2026 China calendar', () => {
  it('17:59 on a Friday: 1 minute that day, the rest from Monday', () => {
    const receivedAt = d('2026-03-06T17:59+08:00');
    const r = sla({ receivedAt, now: d('2026-03-09T10:00+08:00') });
    expect(r.firstResponseDueAt.toISOString()).toBe(iso('2026-03-09T17:59+08:00'));
    expect(r.firstResponseWarnAt.toISOString()).toBe(iso('2026-03-09T16:23+08:00')); // 384 = 1 + 180 + 203
    expect(r.resolutionDueAt.toISOString()).toBe(iso('2026-03-11T17:59+08:00'));
    expect(r.resolutionWarnAt.toISOString()).toBe(iso('2026-03-11T13:11+08:00')); // 1152 = 1 + 480 + 480 + 191
    expect(r).toMatchObject({ state: 'ON_TRACK', firstResponseState: 'ON_TRACK', resolutionState: 'ON_TRACK', businessMinutesRemaining: 1440 - 61 });

    expect(sla({ receivedAt, now: d('2026-03-09T16:30+08:00') })).toMatchObject({ state: 'AT_RISK', firstResponseState: 'AT_RISK', resolutionState: 'ON_TRACK' });
    expect(sla({ receivedAt, now: d('2026-03-09T18:00+08:00') })).toMatchObject({ state: 'BREACHED', firstResponseState: 'BREACHED' });
    const answered = sla({ receivedAt, now: d('2026-03-09T18:00+08:00'), firstRespondedAt: d('2026-03-09T17:59+08:00') });
    expect(answered).toMatchObject({ state: 'ON_TRACK', firstResponseState: 'MET', resolutionState: 'ON_TRACK' });
  });

  it('VIP complaint just before National Day', () => {
    const r = sla({ receivedAt: d('2026-09-30T10:00+08:00'), now: d('2026-09-30T10:00+08:00'), targets: { firstResponseMinutes: 240, resolutionMinutes: 720 } });
    expect(r.firstResponseDueAt.toISOString()).toBe(iso('2026-09-30T15:00+08:00'));
    expect(r.resolutionDueAt.toISOString()).toBe(iso('2026-10-08T15:00+08:00')); // 420 on Sep 30, 300 on Oct 8
  });

  it('private-banking complaint received on a holiday counts from the first working morning', () => {
    const r = sla({ receivedAt: d('2026-10-03T11:00+08:00'), now: d('2026-10-05T11:00+08:00'), targets: { firstResponseMinutes: 120, resolutionMinutes: 360 } });
    expect(r.firstResponseDueAt.toISOString()).toBe(iso('2026-10-08T11:00+08:00'));
    expect(r.resolutionDueAt.toISOString()).toBe(iso('2026-10-08T16:00+08:00'));
    expect(r.businessMinutesRemaining).toBe(360);
  });

  describe('a pause over a weekend (Fri 17:00 → Mon 10:00)', () => {
    const receivedAt = d('2026-03-12T09:00+08:00'); // Thursday
    const firstRespondedAt = d('2026-03-12T11:00+08:00');
    const pause = { from: d('2026-03-13T17:00+08:00'), to: d('2026-03-16T10:00+08:00') };

    it('shifts the resolution due time by the 120 business minutes paused, not the first response', () => {
      const r = sla({ receivedAt, firstRespondedAt, pauses: [pause], now: d('2026-03-16T12:00+08:00') });
      expect(r.firstResponseDueAt.toISOString()).toBe(iso('2026-03-12T18:00+08:00')); // interval end, not Fri 09:00
      expect(r.resolutionDueAt.toISOString()).toBe(iso('2026-03-17T11:00+08:00')); // Mon 18:00 + 120
      expect(r.resolutionWarnAt.toISOString()).toBe(iso('2026-03-16T15:12+08:00'));
      expect(r).toMatchObject({ state: 'ON_TRACK', firstResponseState: 'MET', resolutionState: 'ON_TRACK', businessMinutesRemaining: 420 });
      expect(sla({ receivedAt, firstRespondedAt, pauses: [pause], now: d('2026-03-16T15:30+08:00') }).state).toBe('AT_RISK');
    });

    it('is PAUSED while the pause is open, with the due time projected as if it ended now', () => {
      const r = sla({ receivedAt, firstRespondedAt, pauses: [{ from: pause.from, to: null }], now: d('2026-03-14T12:00+08:00') });
      expect(r).toMatchObject({ state: 'PAUSED', resolutionState: 'PAUSED', businessMinutesRemaining: 540 });
      expect(r.resolutionDueAt.toISOString()).toBe(iso('2026-03-17T10:00+08:00'));
    });

    it('MET when resolved at the due time, BREACHED a minute later', () => {
      const at = (t: string) => sla({ receivedAt, firstRespondedAt, pauses: [pause], resolvedAt: d(t), now: d('2026-03-20T12:00+08:00') });
      expect(at('2026-03-17T11:00+08:00')).toMatchObject({ state: 'MET', resolutionState: 'MET', businessMinutesRemaining: 0 });
      expect(at('2026-03-17T11:01+08:00')).toMatchObject({ state: 'BREACHED', resolutionState: 'BREACHED', businessMinutesRemaining: -1 });
    });

    it('a pause wholly inside the weekend shifts nothing; overlapping pauses count once', () => {
      const weekend = { from: d('2026-03-14T10:00+08:00'), to: d('2026-03-15T20:00+08:00') };
      expect(sla({ receivedAt, pauses: [weekend], now: receivedAt }).resolutionDueAt.toISOString()).toBe(iso('2026-03-16T18:00+08:00'));
      const split = [{ from: pause.from, to: d('2026-03-16T09:30+08:00') }, { from: d('2026-03-14T00:00+08:00'), to: pause.to }, pause];
      expect(sla({ receivedAt, pauses: split, now: receivedAt }).resolutionDueAt.toISOString()).toBe(iso('2026-03-17T11:00+08:00'));
    });
  });

  it('a breach before a pause stays BREACHED', () => {
    const r = sla({
      receivedAt: d('2026-03-02T09:00+08:00'), targets: { firstResponseMinutes: 480, resolutionMinutes: 480 },
      firstRespondedAt: d('2026-03-02T10:00+08:00'), pauses: [{ from: d('2026-03-03T10:00+08:00'), to: null }], now: d('2026-03-03T11:00+08:00'),
    });
    expect(r.resolutionDueAt.toISOString()).toBe(iso('2026-03-02T18:00+08:00'));
    expect(r).toMatchObject({ state: 'BREACHED', resolutionState: 'BREACHED', firstResponseState: 'MET' });
  });

  it('a late first response makes the ticket BREACHED even when resolved in time; resolving answers a first response', () => {
    const receivedAt = d('2026-03-02T09:00+08:00');
    const late = sla({ receivedAt, firstRespondedAt: d('2026-03-03T09:30+08:00'), resolvedAt: d('2026-03-03T10:00+08:00'), now: d('2026-03-04T09:00+08:00') });
    expect(late).toMatchObject({ state: 'BREACHED', firstResponseState: 'BREACHED', resolutionState: 'MET' });
    const quick = sla({ receivedAt, resolvedAt: d('2026-03-02T10:00+08:00'), now: d('2026-03-04T09:00+08:00') });
    expect(quick).toMatchObject({ state: 'MET', firstResponseState: 'MET', resolutionState: 'MET', businessMinutesRemaining: 1380 });
  });

  it('rejects nonsense', () => {
    const base = { receivedAt: d('2026-03-02T09:00+08:00'), now: d('2026-03-02T09:00+08:00') };
    expect(() => sla({ ...base, warnRatio: 0 })).toThrow(RangeError);
    expect(() => sla({ ...base, warnRatio: 1.5 })).toThrow(RangeError);
    expect(() => sla({ ...base, targets: { firstResponseMinutes: -1, resolutionMinutes: 1 } })).toThrow(RangeError);
  });
});

describe('computeSla properties', { timeout: 60_000 }, () => {
  const received = fc.integer({ min: Date.UTC(2026, 0, 1) / 60_000, max: Date.UTC(2026, 11, 1) / 60_000 }).map((m) => new Date(m * 60_000));
  const pauses = fc.array(
    fc.tuple(fc.integer({ min: 0, max: 20 * 1440 }), fc.integer({ min: 1, max: 3 * 1440 })),
    { maxLength: 4 },
  );

  it('without pauses the due times are plain business-minute additions', () => {
    fc.assert(fc.property(received, fc.integer({ min: 0, max: 3000 }), (receivedAt, minutes) => {
      const r = sla({ receivedAt, now: receivedAt, targets: { firstResponseMinutes: minutes, resolutionMinutes: minutes } });
      expect(r.resolutionDueAt.getTime()).toBe(addBusinessMinutes(CN, receivedAt, minutes).getTime());
      expect(r.resolutionDueAt.getTime()).toBe(r.firstResponseDueAt.getTime());
      expect(r.resolutionWarnAt.getTime()).toBeLessThanOrEqual(r.resolutionDueAt.getTime());
    }), { numRuns: 100 });
  });

  it('the unpaused working time up to the due time equals the target', () => {
    fc.assert(fc.property(received, pauses, fc.integer({ min: 0, max: 3000 }), (receivedAt, offsets, minutes) => {
      const list = offsets.map(([start, length]) => ({
        from: new Date(receivedAt.getTime() + start * 60_000), to: new Date(receivedAt.getTime() + (start + length) * 60_000),
      }));
      const r = sla({ receivedAt, now: receivedAt, pauses: list, targets: { firstResponseMinutes: 0, resolutionMinutes: minutes } });
      // paused working minutes before the due time: merge the pauses, clip them at the due time
      const due = r.resolutionDueAt.getTime();
      const spans = list.map((p) => [p.from.getTime(), Math.min(p.to.getTime(), due)]).filter(([a, b]) => b! > a!).sort((a, b) => a[0]! - b[0]!);
      let paused = 0;
      let covered = -Infinity;
      for (const [a, b] of spans) {
        const from = Math.max(a!, covered);
        if (b! > from) paused += businessMinutesBetween(CN, new Date(from), new Date(b!));
        covered = Math.max(covered, b!);
      }
      expect(businessMinutesBetween(CN, receivedAt, r.resolutionDueAt) - paused).toBe(minutes);
    }), { numRuns: 200 });
  });
});

describe('effectiveTargets, nextSlaCheck, dueSlaActions (sweeper rules)', () => {
  const none: SlaMarks = { firstResponseWarnedAt: null, firstResponseBreachedAt: null, resolutionWarnedAt: null, resolutionBreachedAt: null };

  it('takes the strictest targets of merged feedback and applies the priority factor', () => {
    const vip = { firstResponseMinutes: 240, resolutionMinutes: 720 };
    expect(effectiveTargets([STANDARD_COMPLAINT, vip, null], 'NORMAL')).toEqual(vip);
    expect(effectiveTargets([STANDARD_COMPLAINT], 'URGENT')).toEqual({ firstResponseMinutes: 240, resolutionMinutes: 720 });
    expect(effectiveTargets([{ firstResponseMinutes: 113, resolutionMinutes: 339 }], 'URGENT')).toEqual({ firstResponseMinutes: 57, resolutionMinutes: 170 });
    expect(effectiveTargets([null], 'HIGH')).toBeNull();
  });

  it('schedules the warning, then the breach one millisecond after the due time, and nothing once done', () => {
    const receivedAt = d('2026-03-09T09:00+08:00');
    const r = sla({ receivedAt, now: receivedAt });
    const input = { firstRespondedAt: null, resolvedAt: null, pauses: [] };
    expect(nextSlaCheck(r, input, none)?.toISOString()).toBe(iso('2026-03-09T16:24+08:00'));
    const warned = { ...none, firstResponseWarnedAt: d('2026-03-09T16:24+08:00') };
    expect(nextSlaCheck(r, input, warned)?.getTime()).toBe(d('2026-03-09T18:00+08:00').getTime() + 1);
    const answered = { ...input, firstRespondedAt: d('2026-03-09T10:00+08:00') };
    expect(nextSlaCheck(r, answered, none)?.toISOString()).toBe(iso('2026-03-11T13:12+08:00'));
    expect(nextSlaCheck(r, { ...answered, pauses: [{ from: d('2026-03-09T11:00+08:00'), to: null }] }, none)).toBeNull();
    expect(nextSlaCheck(r, { ...answered, resolvedAt: d('2026-03-09T11:00+08:00') }, none)).toBeNull();
  });

  it('reports one action per clock; a breach supersedes an unsent warning', () => {
    const receivedAt = d('2026-03-09T09:00+08:00');
    const r = sla({ receivedAt, now: receivedAt });
    const input = { firstRespondedAt: null, resolvedAt: null, pauses: [] };
    const at = (t: string, marks = none) => dueSlaActions(r, input, marks, d(t)).map((a) => `${a.clock}:${a.kind}`);
    expect(at('2026-03-09T16:23+08:00')).toEqual([]);
    expect(at('2026-03-09T16:24+08:00')).toEqual(['FIRST_RESPONSE:WARNING']);
    expect(at('2026-03-09T18:00+08:00', { ...none, firstResponseWarnedAt: receivedAt })).toEqual([]);
    expect(at('2026-03-09T18:01+08:00')).toEqual(['FIRST_RESPONSE:BREACH']);
    expect(at('2026-03-12T09:00+08:00')).toEqual(['FIRST_RESPONSE:BREACH', 'RESOLUTION:BREACH']);
    expect(at('2026-03-12T09:00+08:00', { ...none, firstResponseBreachedAt: receivedAt, resolutionBreachedAt: receivedAt })).toEqual([]);
  });
});
