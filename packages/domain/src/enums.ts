// Names fixed by PRODUCT.md; the API, database and SDK all read them from here.
export const FEEDBACK_KINDS = ['COMPLAINT', 'SUGGESTION', 'PRAISE', 'INQUIRY'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const CHANNELS = [
  'WEB', 'APP', 'MINI_PROGRAM', 'BRANCH', 'PHONE', 'EMAIL', 'SOCIAL', 'SELF_SERVICE_TERMINAL', 'PARTNER',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const TICKET_STATUSES = [
  'SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER', 'RESOLVED', 'CLOSED',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const STAFF_ROLES = ['AGENT', 'SENIOR', 'EXPERT', 'SUPERVISOR', 'ADMIN', 'AUDITOR'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const ESCALATION_LEVELS = ['L1', 'L2', 'L3'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

export const VISIBILITIES = ['PUBLIC', 'INTERNAL'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const TIMELINE_EVENT_TYPES = [
  'SUBMITTED', 'STATUS_CHANGED', 'PUBLIC_REPLY', 'INTERNAL_NOTE', 'ASSIGNED', 'ESCALATED',
  'SLA_WARNING', 'SLA_BREACHED', 'MERGED', 'UNMERGED', 'RATED',
  // The customer's half of the conversation (issue 14).
  'CUSTOMER_MESSAGE', 'WITHDRAWN', 'REVIEW_REQUESTED', 'FOLLOW_UP_REQUESTED',
  'RECLASSIFIED', 'COLLABORATOR_ADDED', 'COLLABORATOR_REMOVED',
] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

/** How a ticket ended other than by resolution: WITHDRAWN by the customer. */
export const TICKET_OUTCOMES = ['WITHDRAWN'] as const;
export type TicketOutcome = (typeof TICKET_OUTCOMES)[number];

/** Partner API key scopes; each names what it opens (docs/security.md, "Who can see what"). */
export const API_SCOPES = [
  'feedback:read', 'feedback:write', 'tickets:read', 'tickets:write', 'customers:read', 'customers:write',
  'staff:read', 'workflow:read', 'pii:read',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const CUSTOMER_SIGNING_ALGORITHMS = ['HS256', 'ES256', 'EdDSA'] as const;
export type CustomerSigningAlgorithm = (typeof CUSTOMER_SIGNING_ALGORITHMS)[number];
