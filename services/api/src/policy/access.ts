// Who may read what: one rule per object type, used by the schema's type-level checks, by list filters
// and by subscriptions alike. docs/security.md ("Who can see what") is the table of these rules.
import type { Viewer } from './viewer.ts';
import { ForbiddenError, NotFoundError } from './errors.ts';

/** Roles whose reading is limited to their own department's tickets. */
export const DEPARTMENT_BOUND_ROLES = new Set(['AGENT', 'SENIOR', 'EXPERT']);

/** Staff roles that read customers' phone numbers and e-mail addresses unmasked (`pii:read`). */
export const PII_ROLES = new Set(['SUPERVISOR', 'ADMIN', 'AUDITOR']);

export function isStaffWriter(v: Viewer): boolean {
  return v.kind === 'STAFF' && v.staff.role !== 'AUDITOR';
}

/** A `…:write` scope includes reading what it changes, except `feedback:write` (submit only). */
const IMPLIED_BY: Record<string, string> = { 'tickets:read': 'tickets:write', 'customers:read': 'customers:write' };

export function partnerHas(v: Viewer, scope: string): boolean {
  if (v.kind !== 'PARTNER') return false;
  const scopes = v.apiKey.scopes as readonly string[];
  return scopes.includes(scope) || (IMPLIED_BY[scope] !== undefined && scopes.includes(IMPLIED_BY[scope]));
}

/** Matches no department: an agent without a department sees no tickets. */
export const NO_DEPARTMENT = '00000000-0000-0000-0000-000000000000';

/** Department filter for staff lists: null means "every department". */
export function departmentScope(v: Viewer): string | null {
  if (v.kind !== 'STAFF' || !DEPARTMENT_BOUND_ROLES.has(v.staff.role)) return null;
  return v.staff.departmentId ?? NO_DEPARTMENT;
}

/** The relational-query condition on a ticket for department-bound staff (null: no restriction). */
export function ticketScopeWhere(v: Viewer): Record<string, unknown> | null {
  const dept = departmentScope(v);
  if (dept === null || v.kind !== 'STAFF') return null;
  // Their department, what is assigned to them, and what they or their department were consulted on.
  return {
    OR: [
      { departmentId: dept }, { assigneeId: v.staff.id },
      { collaboratorStaffIds: { arrayContains: [v.staff.id] } }, { collaboratorDepartmentIds: { arrayContains: [dept] } },
    ],
  };
}

/** What ticket authorisation reads from the row; the collaborator arrays are optional for older callers. */
export interface TicketFacts {
  departmentId: string | null;
  assigneeId?: string | null;
  collaboratorDepartmentIds?: readonly string[] | null;
  collaboratorStaffIds?: readonly string[] | null;
}

/** Staff who handle the ticket: every department (null scope), its department, or its assignee. */
function handles(v: Viewer & { kind: 'STAFF' }, ticket: TicketFacts): boolean {
  const dept = departmentScope(v);
  // The assignee always may: routing gives a customer's account manager the ticket whatever their department.
  return dept === null || dept === ticket.departmentId || (ticket.assigneeId != null && ticket.assigneeId === v.staff.id);
}

/** A consulted department or staff member (issue 13): reads the ticket and its notes, adds internal notes. */
export function isCollaborator(v: Viewer, ticket: TicketFacts): boolean {
  if (v.kind !== 'STAFF') return false;
  return (ticket.collaboratorStaffIds ?? []).includes(v.staff.id) ||
    (v.staff.departmentId != null && (ticket.collaboratorDepartmentIds ?? []).includes(v.staff.departmentId));
}

export function canReadTicket(v: Viewer, ticket: TicketFacts): boolean {
  if (v.kind === 'PARTNER') return partnerHas(v, 'tickets:read');
  if (v.kind !== 'STAFF') return false;
  return handles(v, ticket) || isCollaborator(v, ticket);
}

/** May list tickets at all (each ticket is still checked by canReadTicket). */
export function canListTickets(v: Viewer): boolean {
  return v.kind === 'STAFF' || partnerHas(v, 'tickets:read');
}

export function canWriteTicket(v: Viewer, ticket: TicketFacts): boolean {
  if (v.kind === 'PARTNER') return partnerHas(v, 'tickets:write');
  return isStaffWriter(v) && v.kind === 'STAFF' && handles(v, ticket);
}

/**
 * Throws unless the caller may change the ticket. Staff who may not even read it get NOT_FOUND:
 * agents of another department must not learn that the ticket exists. Collaborators may read but not handle.
 */
export function assertCanWriteTicket(v: Viewer, ticket: TicketFacts): void {
  if (canWriteTicket(v, ticket)) return;
  if (v.kind === 'STAFF' && !canReadTicket(v, ticket)) throw new NotFoundError('No such ticket');
  throw new ForbiddenError('You are not allowed to change this ticket');
}

/** Internal notes: handlers and collaborators (not auditors). */
export function assertCanAddInternalNote(v: Viewer, ticket: TicketFacts): void {
  if (isStaffWriter(v) && isCollaborator(v, ticket)) return;
  assertCanWriteTicket(v, ticket);
}

export interface FeedbackFacts { id: string; customerId: string | null; ticket: TicketFacts }

/** Partners read feedback with feedback:read, or with tickets:read (a ticket is about its feedback). */
export function partnerReadsFeedback(v: Viewer): boolean {
  return partnerHas(v, 'feedback:read') || partnerHas(v, 'tickets:read');
}

/**
 * A feedback: its owner, whoever proved the tracking code + access key in this request (`grants`),
 * staff who may read its ticket, partners with feedback:read or tickets:read.
 */
export function canReadFeedback(v: Viewer, grants: Set<string>, f: FeedbackFacts): boolean {
  if (grants.has(f.id)) return true;
  if (v.kind === 'CUSTOMER') return f.customerId !== null && f.customerId === v.customer.id;
  if (v.kind === 'PARTNER') return partnerReadsFeedback(v);
  return canReadTicket(v, f.ticket);
}

/** Viewers that may ever see INTERNAL events (each one still needs to read the event's ticket). */
export function mayEverSeeInternal(v: Viewer): boolean {
  return v.kind === 'STAFF' || partnerHas(v, 'tickets:read');
}

/**
 * A timeline event is visible exactly when its feedback is; an INTERNAL one only to staff who may
 * read the feedback's ticket and to partners with tickets:read (never through an access key).
 */
export function canReadEvent(v: Viewer, grants: Set<string>, visibility: string, f: FeedbackFacts): boolean {
  if (!canReadFeedback(v, grants, f)) return false;
  return visibility === 'PUBLIC' || canReadTicket(v, f.ticket);
}

/** A customer record: the customer themself, any staff member (contact masked without pii:read), partners with customers:read. */
export function canReadCustomer(v: Viewer, c: { id: string }): boolean {
  if (v.kind === 'CUSTOMER') return v.customer.id === c.id;
  if (v.kind === 'PARTNER') return partnerHas(v, 'customers:read');
  return v.kind === 'STAFF';
}

/** The staff directory (names, e-mails, roles): staff, and partners with staff:read. */
export function canReadStaff(v: Viewer): boolean {
  return v.kind === 'STAFF' || partnerHas(v, 'staff:read');
}

/** Departments: staff, and partners with staff:read, workflow:read or tickets:read (a ticket names its department). */
export function canReadDepartment(v: Viewer): boolean {
  return v.kind === 'STAFF' || partnerHas(v, 'staff:read') || partnerHas(v, 'workflow:read') || partnerHas(v, 'tickets:read');
}

/** Calendars, SLA policies and routing rules: staff, and partners with workflow:read. */
export function canReadWorkflow(v: Viewer): boolean {
  return v.kind === 'STAFF' || partnerHas(v, 'workflow:read');
}

/** SLA figures of a feedback: staff, and partners that read feedback. */
export function canReadFeedbackSla(v: Viewer): boolean {
  return v.kind === 'STAFF' || partnerReadsFeedback(v);
}

/**
 * Unmasked phone and e-mail of a customer: the customer themself; SUPERVISOR, ADMIN and AUDITOR; the
 * staff member a ticket of that customer is assigned to (`assigned`); partners with pii:read.
 */
export function canReadPiiOf(v: Viewer, customerId: string | null, assigned: boolean): boolean {
  if (v.kind === 'CUSTOMER') return customerId !== null && v.customer.id === customerId;
  if (v.kind === 'PARTNER') return partnerHas(v, 'pii:read');
  if (v.kind === 'STAFF') return PII_ROLES.has(v.staff.role) || assigned;
  return false;
}
