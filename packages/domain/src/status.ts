import type { TicketStatus } from './enums.ts';

/**
 * The ticket status machine of PRODUCT.md:
 * SUBMITTED → ACKNOWLEDGED → IN_PROGRESS ⇄ AWAITING_CUSTOMER → RESOLVED → CLOSED, reopen from RESOLVED.
 * Staff may resolve from any open state (a duplicate or a one-line answer needs no detour).
 */
const TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  SUBMITTED: ['ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED'],
  ACKNOWLEDGED: ['IN_PROGRESS', 'AWAITING_CUSTOMER', 'RESOLVED'],
  IN_PROGRESS: ['AWAITING_CUSTOMER', 'RESOLVED'],
  AWAITING_CUSTOMER: ['IN_PROGRESS', 'RESOLVED'],
  RESOLVED: ['CLOSED', 'IN_PROGRESS'],
  CLOSED: [],
};

export function allowedTransitions(from: TicketStatus): readonly TicketStatus[] {
  return TRANSITIONS[from];
}

export type TransitionCheck =
  | { ok: true; reopened: boolean }
  | { ok: false; reason: 'SAME_STATUS' | 'NOT_ALLOWED'; allowed: readonly TicketStatus[] };

export function checkTransition(from: TicketStatus, to: TicketStatus): TransitionCheck {
  const allowed = TRANSITIONS[from];
  if (from === to) return { ok: false, reason: 'SAME_STATUS', allowed };
  if (!allowed.includes(to)) return { ok: false, reason: 'NOT_ALLOWED', allowed };
  return { ok: true, reopened: from === 'RESOLVED' && to === 'IN_PROGRESS' };
}

export function isOpen(status: TicketStatus): boolean {
  return status !== 'RESOLVED' && status !== 'CLOSED';
}

/** Order used by the customer's status stepper. AWAITING_CUSTOMER sits beside IN_PROGRESS. */
export const STATUS_STEPS: readonly TicketStatus[] = ['SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED'];
