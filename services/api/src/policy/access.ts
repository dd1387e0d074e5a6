import type { Viewer } from './viewer.ts';
import { ForbiddenError, NotFoundError } from './errors.ts';

/** Roles whose reading is limited to their own department's tickets. */
export const DEPARTMENT_BOUND_ROLES = new Set(['AGENT', 'SENIOR', 'EXPERT']);

export function isStaffReader(v: Viewer): boolean {
  return v.kind === 'STAFF';
}

export function isStaffWriter(v: Viewer): boolean {
  return v.kind === 'STAFF' && v.staff.role !== 'AUDITOR';
}

export function partnerHas(v: Viewer, scope: string): boolean {
  return v.kind === 'PARTNER' && v.apiKey.scopes.includes(scope as never);
}

/** Matches no department: an agent without a department sees no tickets. */
export const NO_DEPARTMENT = '00000000-0000-0000-0000-000000000000';

/** Department filter for staff lists: null means "every department". */
export function departmentScope(v: Viewer): string | null {
  if (v.kind !== 'STAFF' || !DEPARTMENT_BOUND_ROLES.has(v.staff.role)) return null;
  return v.staff.departmentId ?? NO_DEPARTMENT;
}

export function canReadTicket(v: Viewer, ticket: { departmentId: string | null; assigneeId?: string | null }): boolean {
  if (v.kind === 'PARTNER') return partnerHas(v, 'tickets:read') || partnerHas(v, 'tickets:write') || partnerHas(v, 'feedback:read');
  if (v.kind !== 'STAFF') return false;
  const dept = departmentScope(v);
  // The assignee always may: routing gives a customer's account manager the ticket whatever their department.
  return dept === null || dept === ticket.departmentId || (ticket.assigneeId != null && ticket.assigneeId === v.staff.id);
}

export function canWriteTicket(v: Viewer, ticket: { departmentId: string | null; assigneeId?: string | null }): boolean {
  if (v.kind === 'PARTNER') return partnerHas(v, 'tickets:write');
  return isStaffWriter(v) && canReadTicket(v, ticket);
}

/**
 * Throws unless the caller may change the ticket. Staff who may not even read it get NOT_FOUND:
 * agents of another department must not learn that the ticket exists.
 */
export function assertCanWriteTicket(v: Viewer, ticket: { departmentId: string | null; assigneeId?: string | null }): void {
  if (canWriteTicket(v, ticket)) return;
  if (v.kind === 'STAFF' && !canReadTicket(v, ticket)) throw new NotFoundError('No such ticket');
  throw new ForbiddenError('You are not allowed to change this ticket');
}

export function canReadFeedback(
  v: Viewer,
  grants: Set<string>,
  f: { id: string; customerId: string | null; ticket: { departmentId: string | null; assigneeId?: string | null } },
): boolean {
  if (grants.has(f.id)) return true;
  if (v.kind === 'CUSTOMER') return f.customerId !== null && f.customerId === v.customer.id;
  if (v.kind === 'PARTNER') return partnerHas(v, 'feedback:read') || partnerHas(v, 'tickets:read');
  return canReadTicket(v, f.ticket);
}

/** INTERNAL timeline events are for staff and for partners that handle tickets. */
export function canSeeInternal(v: Viewer): boolean {
  return v.kind === 'STAFF' || partnerHas(v, 'tickets:read') || partnerHas(v, 'tickets:write');
}
