import { defineRelations } from 'drizzle-orm';
import * as schema from './schema.ts';

export const relations = defineRelations(schema, (r) => ({
  tiers: {
    customers: r.many.customers({ from: r.tiers.id, to: r.customers.tierId }),
  },
  businessCalendars: {
    departments: r.many.departments({ from: r.businessCalendars.id, to: r.departments.calendarId }),
  },
  routingRules: {
    department: r.one.departments({ from: r.routingRules.departmentId, to: r.departments.id, optional: false }),
  },
  departments: {
    calendar: r.one.businessCalendars({ from: r.departments.calendarId, to: r.businessCalendars.id }),
    staff: r.many.staff({ from: r.departments.id, to: r.staff.departmentId }),
    tickets: r.many.tickets({ from: r.departments.id, to: r.tickets.departmentId }),
  },
  staff: {
    department: r.one.departments({ from: r.staff.departmentId, to: r.departments.id }),
    assignedTickets: r.many.tickets({ from: r.staff.id, to: r.tickets.assigneeId }),
  },
  customers: {
    tier: r.one.tiers({ from: r.customers.tierId, to: r.tiers.id }),
    accountManager: r.one.staff({ from: r.customers.accountManagerId, to: r.staff.id }),
    feedback: r.many.feedback({ from: r.customers.id, to: r.feedback.customerId }),
    tickets: r.many.tickets({ from: r.customers.id, to: r.tickets.customerId }),
  },
  tickets: {
    department: r.one.departments({ from: r.tickets.departmentId, to: r.departments.id }),
    assignee: r.one.staff({ from: r.tickets.assigneeId, to: r.staff.id }),
    customer: r.one.customers({ from: r.tickets.customerId, to: r.customers.id }),
    calendar: r.one.businessCalendars({ from: r.tickets.calendarId, to: r.businessCalendars.id }),
    mergedInto: r.one.tickets({ from: r.tickets.mergedIntoId, to: r.tickets.id }),
    feedback: r.many.feedback({ from: r.tickets.id, to: r.feedback.ticketId }),
    timeline: r.many.timelineEvents({ from: r.tickets.id, to: r.timelineEvents.ticketId }),
  },
  feedback: {
    customer: r.one.customers({ from: r.feedback.customerId, to: r.customers.id }),
    ticket: r.one.tickets({ from: r.feedback.ticketId, to: r.tickets.id, optional: false }),
    channelApp: r.one.channelApps({ from: r.feedback.channelAppId, to: r.channelApps.id }),
    timeline: r.many.timelineEvents({ from: r.feedback.id, to: r.timelineEvents.feedbackId }),
    rating: r.one.satisfactionRatings({ from: r.feedback.id, to: r.satisfactionRatings.feedbackId }),
    followsUp: r.one.feedback({ from: r.feedback.followsUpId, to: r.feedback.id }),
  },
  satisfactionRatings: {
    feedback: r.one.feedback({ from: r.satisfactionRatings.feedbackId, to: r.feedback.id, optional: false }),
  },
  savedViews: {
    staff: r.one.staff({ from: r.savedViews.staffId, to: r.staff.id, optional: false }),
  },
  timelineEvents: {
    feedback: r.one.feedback({ from: r.timelineEvents.feedbackId, to: r.feedback.id, optional: false }),
    ticket: r.one.tickets({ from: r.timelineEvents.ticketId, to: r.tickets.id, optional: false }),
    attachments: r.many.attachments({ from: r.timelineEvents.id, to: r.attachments.eventId }),
  },
  attachments: {
    event: r.one.timelineEvents({ from: r.attachments.eventId, to: r.timelineEvents.id, optional: false }),
    upload: r.one.attachmentUploads({ from: r.attachments.uploadId, to: r.attachmentUploads.id, optional: false }),
  },
}));
