// The row types of every table, declared once here: code above the database imports these instead of
// re-deriving them (and importing each other's modules for a type).
import type {
  apiKeys, auditLog, businessCalendars, channelApps, customers, departments, feedback, portalTickets, routingRules,
  satisfactionRatings, slaPolicies, staff, tickets, tiers, timelineEvents,
} from './schema.ts';

export type TierRow = typeof tiers.$inferSelect;
export type CalendarRow = typeof businessCalendars.$inferSelect;
export type DepartmentRow = typeof departments.$inferSelect;
export type StaffRow = typeof staff.$inferSelect;
export type CustomerRow = typeof customers.$inferSelect;
export type ChannelApp = typeof channelApps.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
export type FeedbackRow = typeof feedback.$inferSelect;
export type TimelineRow = typeof timelineEvents.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type RatingRow = typeof satisfactionRatings.$inferSelect;
export type PortalTicketRow = typeof portalTickets.$inferSelect;
export type SlaPolicyRow = typeof slaPolicies.$inferSelect;
export type RoutingRuleRow = typeof routingRules.$inferSelect;
