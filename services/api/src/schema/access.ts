import type { Viewer } from '../auth/identity.ts';
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

/** What ticket authorisation reads from the row; the collaborator arrays are optional for older callers. */
export interface TicketAccess {
  departmentId: string | null;
  assigneeId?: string | null;
  collaboratorDepartmentIds?: readonly string[] | null;
  collaboratorStaffIds?: readonly string[] | null;
}

/** Staff who handle the ticket: every department (null scope), its department, or its assignee. */
function handles(v: Viewer & { kind: 'STAFF' }, ticket: TicketAccess): boolean {
  const dept = departmentScope(v);
  // The assignee always may: routing gives a customer's account manager the ticket whatever their department.
  return dept === null || dept === ticket.departmentId || (ticket.assigneeId != null && ticket.assigneeId === v.staff.id);
}

/** A consulted department or staff member (issue 13): reads the ticket and its notes, adds internal notes. */
export function isCollaborator(v: Viewer, ticket: TicketAccess): boolean {
  if (v.kind !== 'STAFF') return false;
  return (ticket.collaboratorStaffIds ?? []).includes(v.staff.id) ||
    (v.staff.departmentId != null && (ticket.collaboratorDepartmentIds ?? []).includes(v.staff.departmentId));
}

export function canReadTicket(v: Viewer, ticket: TicketAccess): boolean {
  if (v.kind === 'PARTNER') return partnerHas(v, 'tickets:read') || partnerHas(v, 'tickets:write') || partnerHas(v, 'feedback:read');
  if (v.kind !== 'STAFF') return false;
  return handles(v, ticket) || isCollaborator(v, ticket);
}

export function canWriteTicket(v: Viewer, ticket: TicketAccess): boolean {
  if (v.kind === 'PARTNER') return partnerHas(v, 'tickets:write');
  return isStaffWriter(v) && v.kind === 'STAFF' && handles(v, ticket);
}

/**
 * Throws unless the caller may change the ticket. Staff who may not even read it get NOT_FOUND:
 * agents of another department must not learn that the ticket exists. Collaborators may read but not handle.
 */
export function assertCanWriteTicket(v: Viewer, ticket: TicketAccess): void {
  if (canWriteTicket(v, ticket)) return;
  if (v.kind === 'STAFF' && !canReadTicket(v, ticket)) throw new NotFoundError('No such ticket');
  throw new ForbiddenError('You are not allowed to change this ticket');
}

/** Internal notes: handlers and collaborators (not auditors). */
export function assertCanAddInternalNote(v: Viewer, ticket: TicketAccess): void {
  if (isStaffWriter(v) && isCollaborator(v, ticket)) return;
  assertCanWriteTicket(v, ticket);
}

export function canReadFeedback(
  v: Viewer,
  grants: Set<string>,
  f: { id: string; customerId: string | null; ticket: TicketAccess },
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
