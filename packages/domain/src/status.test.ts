import { describe, expect, it } from 'vitest';
import { TICKET_STATUSES, type TicketStatus } from './enums.ts';
import { allowedTransitions, checkTransition, isOpen, STATUS_STEPS } from './status.ts';

// The expected machine, written out independently of status.ts (PRODUCT.md: SUBMITTED → ACKNOWLEDGED →
// IN_PROGRESS ⇄ AWAITING_CUSTOMER → RESOLVED → CLOSED, reopen from RESOLVED; resolve from any open state).
const EXPECTED: Record<TicketStatus, TicketStatus[]> = {
  SUBMITTED: ['ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED'],
  ACKNOWLEDGED: ['IN_PROGRESS', 'AWAITING_CUSTOMER', 'RESOLVED'],
  IN_PROGRESS: ['AWAITING_CUSTOMER', 'RESOLVED'],
  AWAITING_CUSTOMER: ['IN_PROGRESS', 'RESOLVED'],
  RESOLVED: ['CLOSED', 'IN_PROGRESS'],
  CLOSED: [],
};

const pairs = TICKET_STATUSES.flatMap((from) => TICKET_STATUSES.map((to) => [from, to] as const));

describe('checkTransition', () => {
  it('covers all 36 pairs', () => expect(pairs).toHaveLength(36));

  it.each(pairs)('%s → %s', (from, to) => {
    const result = checkTransition(from, to);
    if (from === to) {
      expect(result).toEqual({ ok: false, reason: 'SAME_STATUS', allowed: EXPECTED[from] });
    } else if (EXPECTED[from].includes(to)) {
      expect(result).toEqual({ ok: true, reopened: from === 'RESOLVED' && to === 'IN_PROGRESS' });
    } else {
      expect(result).toEqual({ ok: false, reason: 'NOT_ALLOWED', allowed: EXPECTED[from] });
    }
  });

  it('allowedTransitions matches the table', () => {
    for (const s of TICKET_STATUSES) expect([...allowedTransitions(s)]).toEqual(EXPECTED[s]);
  });

  it('only RESOLVED → IN_PROGRESS is a reopen; CLOSED is final', () => {
    const reopens = pairs.filter(([f, t]) => { const r = checkTransition(f, t); return r.ok && r.reopened; });
    expect(reopens).toEqual([['RESOLVED', 'IN_PROGRESS']]);
    expect(allowedTransitions('CLOSED')).toEqual([]);
  });

  it('every status is reachable from SUBMITTED', () => {
    const seen = new Set<TicketStatus>(['SUBMITTED']);
    const queue: TicketStatus[] = ['SUBMITTED'];
    while (queue.length) for (const n of allowedTransitions(queue.shift()!)) if (!seen.has(n)) { seen.add(n); queue.push(n); }
    expect([...seen].sort()).toEqual([...TICKET_STATUSES].sort());
  });
});

describe('isOpen and STATUS_STEPS', () => {
  it.each(TICKET_STATUSES.map((s) => [s, s !== 'RESOLVED' && s !== 'CLOSED'] as const))('%s open: %s', (s, open) => {
    expect(isOpen(s)).toBe(open);
  });
  it('steps follow the main path', () => {
    expect(STATUS_STEPS).toEqual(['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED']);
  });
});
