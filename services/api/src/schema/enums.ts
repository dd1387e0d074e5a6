import {
  CHANNELS, ESCALATION_LEVELS, FEEDBACK_KINDS, PRIORITIES, STAFF_ROLES, TICKET_STATUSES, TIMELINE_EVENT_TYPES, VISIBILITIES,
} from '@closeloop/domain';
import { builder } from './builder.ts';

export const FeedbackKindEnum = builder.enumType('FeedbackKind', { values: FEEDBACK_KINDS });
export const ChannelEnum = builder.enumType('Channel', { values: CHANNELS });
export const TicketStatusEnum = builder.enumType('TicketStatus', {
  values: TICKET_STATUSES,
  description: 'SUBMITTED → ACKNOWLEDGED → IN_PROGRESS ⇄ AWAITING_CUSTOMER → RESOLVED → CLOSED; RESOLVED may reopen to IN_PROGRESS.',
});
export const PriorityEnum = builder.enumType('Priority', { values: PRIORITIES });
export const StaffRoleEnum = builder.enumType('StaffRole', { values: STAFF_ROLES });
export const EscalationLevelEnum = builder.enumType('EscalationLevel', { values: ESCALATION_LEVELS });
export const VisibilityEnum = builder.enumType('Visibility', { values: VISIBILITIES });
export const TimelineEventTypeEnum = builder.enumType('TimelineEventType', { values: TIMELINE_EVENT_TYPES });
export const ActorTypeEnum = builder.enumType('ActorType', { values: ['CUSTOMER', 'ANONYMOUS', 'STAFF', 'PARTNER', 'SYSTEM'] as const });
export const ViewerKindEnum = builder.enumType('ViewerKind', { values: ['ANONYMOUS', 'CUSTOMER', 'STAFF', 'PARTNER'] as const });
export const SlaStateEnum = builder.enumType('SlaState', {
  values: ['ON_TRACK', 'AT_RISK', 'BREACHED', 'MET', 'PAUSED'] as const,
  description: 'AT_RISK from 80 % of a target; BREACHED strictly after the due time; PAUSED while awaiting the customer.',
});
