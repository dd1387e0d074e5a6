import { sql } from 'drizzle-orm';
import {
  pgTable, pgEnum, uuid, text, integer, bigint, boolean, timestamp, date, jsonb, index, uniqueIndex, unique, bytea,
} from 'drizzle-orm/pg-core';
import {
  FEEDBACK_KINDS, CHANNELS, TICKET_STATUSES, PRIORITIES, STAFF_ROLES, ESCALATION_LEVELS, VISIBILITIES,
  TIMELINE_EVENT_TYPES, TICKET_OUTCOMES, DEFAULT_REALM,
} from '@closeloop/domain';

// Millisecond precision: JS Dates hold milliseconds, so connection cursors round-trip exactly.
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
const createdAt = () => ts('created_at').notNull().defaultNow();

export const feedbackKind = pgEnum('feedback_kind', FEEDBACK_KINDS);
export const channel = pgEnum('channel', CHANNELS);
export const ticketStatus = pgEnum('ticket_status', TICKET_STATUSES);
export const priority = pgEnum('priority', PRIORITIES);
export const staffRole = pgEnum('staff_role', STAFF_ROLES);
export const escalationLevel = pgEnum('escalation_level', ESCALATION_LEVELS);
export const visibility = pgEnum('visibility', VISIBILITIES);
export const timelineEventType = pgEnum('timeline_event_type', TIMELINE_EVENT_TYPES);
export const ticketOutcome = pgEnum('ticket_outcome', TICKET_OUTCOMES);
export const actorType = pgEnum('actor_type', ['CUSTOMER', 'ANONYMOUS', 'STAFF', 'PARTNER', 'SYSTEM']);

export const tiers = pgTable('tiers', {
  id: uuid('id').primaryKey().defaultRandom(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  rank: integer('rank').notNull().default(0),
  dedicatedManager: boolean('dedicated_manager').notNull().default(false),
  createdAt: createdAt(),
});

// Business calendars (issue 6). The calendar maths lives in @closeloop/domain (BusinessCalendar).
export const businessCalendars = pgTable('business_calendars', {
  id: uuid('id').primaryKey().defaultRandom(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull(),
  // { "1": [{ "start": "09:00", "end": "12:00" }, …], …, "7": [] } by ISO weekday.
  weeklyHours: jsonb('weekly_hours').notNull(),
  holidays: text('holidays').array().notNull().default([]),
  workingDays: text('working_days').array().notNull().default([]),
  makeupHours: jsonb('makeup_hours'),
  // Years whose public holidays are fully listed; null = the years the holiday dates mention (coverage, docs/workflow.md).
  holidayYears: integer('holiday_years').array(),
  // Exactly one calendar is the default (partial unique index): tickets of departments without one use it.
  isDefault: boolean('is_default').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('business_calendars_default_uq').on(t.isDefault).where(sql`${t.isDefault}`)]);

export const departments = pgTable('departments', {
  id: uuid('id').primaryKey().defaultRandom(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  // null = the default business calendar.
  calendarId: uuid('calendar_id').references(() => businessCalendars.id),
  createdAt: createdAt(),
});

export const staff = pgTable('staff', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  // What customers see on public events (e.g. "客服 1024"), never the internal name.
  displayName: text('display_name'),
  passwordHash: text('password_hash'),
  role: staffRole('role').notNull(),
  departmentId: uuid('department_id').references(() => departments.id),
  level: escalationLevel('level').notNull().default('L1'),
  active: boolean('active').notNull().default(true),
  // Bumped to revoke every session token issued before it.
  sessionVersion: integer('session_version').notNull().default(1),
  // Set for an initial or reset password: the member must choose their own before doing anything else.
  mustChangePassword: boolean('must_change_password').notNull().default(false),
  passwordChangedAt: ts('password_changed_at'),
  deactivatedAt: ts('deactivated_at'),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [index('staff_department_idx').on(t.departmentId)]);

export const customers = pgTable('customers', {
  id: uuid('id').primaryKey().defaultRandom(),
  // Identity realm: the same externalId in two realms is two different people (issue 10).
  realm: text('realm').notNull().default(DEFAULT_REALM),
  externalId: text('external_id').notNull(),
  name: text('name'),
  phone: text('phone'),
  email: text('email'),
  tierId: uuid('tier_id').references(() => tiers.id),
  accountManagerId: uuid('account_manager_id').references(() => staff.id),
  birthday: date('birthday'),
  rewardPoints: integer('reward_points').notNull().default(0),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [
  uniqueIndex('customers_realm_external_id_uq').on(t.realm, t.externalId),
  index('customers_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
  index('customers_phone_trgm_idx').using('gin', t.phone.op('gin_trgm_ops')),
  index('customers_email_trgm_idx').using('gin', t.email.op('gin_trgm_ops')),
  index('customers_external_id_trgm_idx').using('gin', t.externalId.op('gin_trgm_ops')),
  // Two-character texts (no trigram): closeloop_bigrams (migration search_bigrams, services/search.ts).
  index('customers_name_bigram_idx').using('gin', sql`closeloop_bigrams(${t.name})`),
  index('customers_email_bigram_idx').using('gin', sql`closeloop_bigrams(${t.email})`),
  index('customers_external_id_bigram_idx').using('gin', sql`closeloop_bigrams(${t.externalId})`),
]);

export const channelApps = pgTable('channel_apps', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  kind: channel('kind').notNull(),
  // Identity realm its customer tokens sign for: the institution's own channels share DEFAULT_REALM,
  // a partner's channel has its own. Fixed at creation (changing it would change who its customers are).
  realm: text('realm').notNull().default(DEFAULT_REALM),
  publishableKey: text('publishable_key').notNull().unique(),
  // AES-256-GCM under CLOSELOOP_SECRET_KEY: HMAC verification needs the secret itself, so it cannot be hashed.
  signingSecretEnc: text('signing_secret_enc'),
  // After a rotation the replaced secret still verifies until `previousSecretExpiresAt` (the overlap window).
  previousSigningSecretEnc: text('previous_signing_secret_enc'),
  previousSecretExpiresAt: ts('previous_secret_expires_at'),
  // Registered public key (JWK JSON) so the host can sign ES256/EdDSA and no shared secret is stored.
  publicKeyJwk: jsonb('public_key_jwk'),
  allowedAlgorithms: text('allowed_algorithms').array().notNull(),
  // Host page origins allowed to call the API from a browser with this channel's key (CORS allow-list).
  allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'::text[]`),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  prefix: text('prefix').notNull().unique(),
  // SHA-256 of a 160-bit random key: high entropy, so a slow hash adds nothing.
  keyHash: text('key_hash').notNull(),
  scopes: text('scopes').array().notNull(),
  createdAt: createdAt(),
  expiresAt: ts('expires_at'),
  // Written after verification at most once a minute per key, never by verification itself.
  lastUsedAt: ts('last_used_at'),
  revokedAt: ts('revoked_at'),
});

export const tickets = pgTable('tickets', {
  id: uuid('id').primaryKey().defaultRandom(),
  status: ticketStatus('status').notNull().default('SUBMITTED'),
  // Copied from the feedback that opened the ticket, so queues filter without joins.
  kind: feedbackKind('kind').notNull(),
  channel: channel('channel').notNull(),
  customerId: uuid('customer_id').references(() => customers.id),
  priority: priority('priority').notNull().default('NORMAL'),
  departmentId: uuid('department_id').references(() => departments.id),
  assigneeId: uuid('assignee_id').references(() => staff.id),
  level: escalationLevel('level').notNull().default('L1'),
  receivedAt: ts('received_at').notNull(),
  firstResponseDueAt: ts('first_response_due_at'),
  resolutionDueAt: ts('resolution_due_at'),
  firstRespondedAt: ts('first_responded_at'),
  resolvedAt: ts('resolved_at'),
  closedAt: ts('closed_at'),
  // SLA (issue 6). Effective targets in business minutes: the strictest of the linked feedback's
  // policies, scaled by the priority factor; the clock runs on `calendarId` from `receivedAt`
  // (the earliest linked feedback).
  calendarId: uuid('calendar_id').references(() => businessCalendars.id),
  slaFirstResponseMinutes: integer('sla_first_response_minutes'),
  slaResolutionMinutes: integer('sla_resolution_minutes'),
  firstResponseWarnAt: ts('first_response_warn_at'),
  resolutionWarnAt: ts('resolution_warn_at'),
  // AWAITING_CUSTOMER periods [{ from, to }] (ISO strings, `to` null while open).
  slaPauses: jsonb('sla_pauses').$type<Array<{ from: string; to: string | null }>>().notNull().default([]),
  // What the sweeper already did, so restarts and concurrent sweepers never repeat it.
  firstResponseWarnedAt: ts('first_response_warned_at'),
  firstResponseBreachedAt: ts('first_response_breached_at'),
  resolutionWarnedAt: ts('resolution_warned_at'),
  resolutionBreachedAt: ts('resolution_breached_at'),
  // The next instant the sweeper has something to do for this ticket; null = nothing pending.
  slaNextCheckAt: ts('sla_next_check_at'),
  // Set when every feedback was merged away into another ticket (an incident); the ticket is then CLOSED.
  mergedIntoId: uuid('merged_into_id'),
  // How it ended other than by resolution (WITHDRAWN by the customer); null otherwise.
  outcome: ticketOutcome('outcome'),
  // A customer's message after RESOLVED reopens the ticket once; later ones open a new linked feedback.
  customerReopenedAt: ts('customer_reopened_at'),
  // A customer asked for a review of the resolution (once per ticket).
  reviewRequestedAt: ts('review_requested_at'),
  // The supervisor's follow-up queue: set by a rating of 1–2.
  followUpRequired: boolean('follow_up_required').notNull().default(false),
  // Collaborators (consulted, not handling): they read the ticket and its internal notes and add notes.
  // On the row itself so every read path (lists, node, live events) authorises without a join.
  collaboratorDepartmentIds: uuid('collaborator_department_ids').array().notNull().default(sql`'{}'::uuid[]`),
  collaboratorStaffIds: uuid('collaborator_staff_ids').array().notNull().default(sql`'{}'::uuid[]`),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [
  index('tickets_sla_next_check_idx').on(t.slaNextCheckAt).where(sql`${t.slaNextCheckAt} is not null`),
  index('tickets_status_idx').on(t.status),
  index('tickets_department_idx').on(t.departmentId, t.receivedAt),
  index('tickets_assignee_idx').on(t.assigneeId),
  // Least-loaded assignment counts each candidate's open tickets on every submission.
  index('tickets_open_assignee_idx').on(t.assigneeId).where(sql`${t.status} not in ('RESOLVED', 'CLOSED')`),
  index('tickets_customer_idx').on(t.customerId),
  index('tickets_received_idx').on(t.receivedAt, t.id),
  // The queue's "due soonest" order (schema/ticket.ts, DUE_SOONEST): the same expression, so a page is an index walk.
  index('tickets_due_idx').on(sql`coalesce(${t.resolutionDueAt}, 'infinity'::timestamptz)`, t.id),
  // The console's default view, open tickets due soonest (all, or a department's): resolved tickets hold the
  // earliest due times, so the walk above passed every one of them first (230 ms on 1M tickets).
  index('tickets_open_due_idx').on(sql`coalesce(${t.resolutionDueAt}, 'infinity'::timestamptz)`, t.id).where(sql`${t.status} not in ('RESOLVED', 'CLOSED')`),
  index('tickets_department_open_due_idx').on(t.departmentId, sql`coalesce(${t.resolutionDueAt}, 'infinity'::timestamptz)`, t.id).where(sql`${t.status} not in ('RESOLVED', 'CLOSED')`),
  index('tickets_collab_departments_idx').using('gin', t.collaboratorDepartmentIds),
  index('tickets_collab_staff_idx').using('gin', t.collaboratorStaffIds),
]);

export const feedback = pgTable('feedback', {
  id: uuid('id').primaryKey().defaultRandom(),
  trackingCode: text('tracking_code').notNull().unique(),
  kind: feedbackKind('kind').notNull(),
  channel: channel('channel').notNull(),
  channelAppId: uuid('channel_app_id').references(() => channelApps.id),
  customerId: uuid('customer_id').references(() => customers.id),
  ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
  content: text('content').notNull(),
  category: text('category'),
  tags: text('tags').array().notNull().default([]),
  contactName: text('contact_name'),
  contactPhone: text('contact_phone'),
  contactEmail: text('contact_email'),
  receivedAt: ts('received_at').notNull(),
  // This feedback's own SLA (issue 6): base policy targets for its kind × its customer's tier × category,
  // and its own first response (a merge can move it to a ticket that answered before it arrived).
  slaFirstResponseMinutes: integer('sla_first_response_minutes'),
  slaResolutionMinutes: integer('sla_resolution_minutes'),
  firstRespondedAt: ts('first_responded_at'),
  // Last timeline position handed out; bumped under the row lock so positions are gap-free and ordered.
  lastPosition: integer('last_position').notNull().default(0),
  // Scoped to the submitter (`channel:…`, `customer:…`, …) so keys from different callers never collide.
  idempotencyKey: text('idempotency_key'),
  idempotencyHash: text('idempotency_hash'),
  // The earlier feedback this one continues (a customer's message after the one allowed reopening).
  followsUpId: uuid('follows_up_id'),
  createdAt: createdAt(),
}, (t) => [
  index('feedback_customer_idx').on(t.customerId, t.receivedAt),
  index('feedback_ticket_idx').on(t.ticketId),
  index('feedback_received_idx').on(t.receivedAt, t.id),
  uniqueIndex('feedback_idempotency_idx').on(t.idempotencyKey),
  // Staff search (substring, CJK included): trigram indexes serve ILIKE '%…%' (pg_trgm, also in PGlite).
  index('feedback_content_trgm_idx').using('gin', t.content.op('gin_trgm_ops')),
  index('feedback_tracking_code_trgm_idx').using('gin', t.trackingCode.op('gin_trgm_ops')),
  // Two-character texts have no trigram: their bigrams (migration search_bigrams, services/search.ts).
  index('feedback_content_bigram_idx').using('gin', sql`closeloop_bigrams(${t.content})`),
]);

export const timelineEvents = pgTable('timeline_events', {
  // Global sequence: the resume cursor of staff streams.
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  feedbackId: uuid('feedback_id').notNull().references(() => feedback.id),
  ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
  // Per-feedback order: the resume cursor of customer streams.
  position: integer('position').notNull(),
  type: timelineEventType('type').notNull(),
  visibility: visibility('visibility').notNull(),
  fromStatus: ticketStatus('from_status'),
  toStatus: ticketStatus('to_status'),
  body: text('body'),
  actorType: actorType('actor_type').notNull(),
  actorId: uuid('actor_id'),
  actorName: text('actor_name'),
  // What customers see of a staff actor (staff.display_name at the time), never the internal name.
  actorDisplayName: text('actor_display_name'),
  // Customer messages: `<feedback id>:<client key>`, so a retried message is stored once.
  idempotencyKey: text('idempotency_key'),
  data: jsonb('data'),
  createdAt: createdAt(),
}, (t) => [
  unique('timeline_feedback_position_uq').on(t.feedbackId, t.position),
  uniqueIndex('timeline_idempotency_idx').on(t.idempotencyKey),
  index('timeline_ticket_idx').on(t.ticketId, t.id),
  // A ticket's status as of an event (realtime/hub.ts, the last status change at or before it): one
  // probe here, instead of walking back over every note of a large incident (O(n²) per hub read).
  index('timeline_ticket_status_idx').on(t.ticketId, t.id).where(sql`${t.toStatus} is not null`),
]);

// Append-only, hash-chained: each row's hash covers the previous row's hash.
export const auditLog = pgTable('audit_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: createdAt(),
  actorType: actorType('actor_type').notNull(),
  actorId: text('actor_id'),
  action: text('action').notNull(),
  targetType: text('target_type'),
  targetId: text('target_id'),
  data: jsonb('data'),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

// One rating per feedback, given after RESOLVED; the rating closes the ticket.
export const satisfactionRatings = pgTable('satisfaction_ratings', {
  id: uuid('id').primaryKey().defaultRandom(),
  feedbackId: uuid('feedback_id').notNull().unique().references(() => feedback.id),
  ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
  rating: integer('rating').notNull(),
  comment: text('comment'),
  createdAt: createdAt(),
});

// Single-use, short-lived tickets a host backend mints so a webview can sign a customer in without
// a long-lived token in the URL. Only the hash is stored.
export const portalTickets = pgTable('portal_tickets', {
  id: uuid('id').primaryKey().defaultRandom(),
  tokenHash: text('token_hash').notNull().unique(),
  channelAppId: uuid('channel_app_id').notNull().references(() => channelApps.id),
  customerId: uuid('customer_id').notNull().references(() => customers.id),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  createdAt: createdAt(),
});

// SLA policies by kind × tier (null = any) × category (null = any); targets in business minutes.
export const slaPolicies = pgTable('sla_policies', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: feedbackKind('kind').notNull(),
  tierCode: text('tier_code'),
  category: text('category'),
  firstResponseMinutes: integer('first_response_minutes').notNull(),
  resolutionMinutes: integer('resolution_minutes').notNull(),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [unique('sla_policies_scope_uq').on(t.kind, t.tierCode, t.category).nullsNotDistinct()]);

// Routing rules, evaluated by ascending position on submission; the first match wins.
export const routingRules = pgTable('routing_rules', {
  id: uuid('id').primaryKey().defaultRandom(),
  // Stable name for seeded rules ('default', 'default-fraud', …) so seeding is idempotent.
  key: text('key').unique(),
  name: text('name').notNull(),
  position: integer('position').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  // The catch-all: matches everything, cannot be deleted or disabled.
  isDefault: boolean('is_default').notNull().default(false),
  kinds: text('kinds').array().notNull().default([]),
  categories: text('categories').array().notNull().default([]),
  keywords: text('keywords').array().notNull().default([]),
  tiers: text('tiers').array().notNull().default([]),
  channels: text('channels').array().notNull().default([]),
  departmentId: uuid('department_id').notNull().references(() => departments.id),
  level: escalationLevel('level').notNull().default('L1'),
  priority: priority('priority').notNull().default('NORMAL'),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [index('routing_rules_position_idx').on(t.position)]);

// Attachments (issue 14). An upload is one file as received (type decided by its magic bytes), bound to
// the ticket (and, for customers, the feedback) and the uploader it was issued to; posting a message
// turns it into one attachment per timeline event, visible exactly as that event is.
export const attachmentUploads = pgTable('attachment_uploads', {
  id: uuid('id').primaryKey(),
  ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
  feedbackId: uuid('feedback_id').references(() => feedback.id),
  // `feedback:<id>` for the customer side, `staff:<id>` / `partner:<id>` for the handling side.
  uploaderScope: text('uploader_scope').notNull(),
  filename: text('filename').notNull(),
  mediaType: text('media_type').notNull(),
  size: integer('size').notNull(),
  sha256: text('sha256').notNull(),
  usedAt: ts('used_at'),
  // A small JPEG preview of an image (its bytes in the store under this id), made after the upload;
  // null while none exists (not an image, HEIC, too many pixels, not made yet).
  thumbnailId: uuid('thumbnail_id'),
  createdAt: createdAt(),
}, (t) => [
  index('attachment_uploads_ticket_idx').on(t.ticketId),
  // The sweeper's cleanup of uploads never attached to a message.
  index('attachment_uploads_unused_idx').on(t.createdAt).where(sql`used_at is null`),
]);

// The bytes, in a table of their own so that no metadata query ever reads them (the PostgreSQL store).
export const attachmentBlobs = pgTable('attachment_blobs', {
  id: uuid('id').primaryKey(),
  content: bytea('content').notNull(),
});

export const attachments = pgTable('attachments', {
  id: uuid('id').primaryKey().defaultRandom(),
  eventId: bigint('event_id', { mode: 'number' }).notNull().references(() => timelineEvents.id),
  uploadId: uuid('upload_id').notNull().references(() => attachmentUploads.id),
  filename: text('filename').notNull(),
  mediaType: text('media_type').notNull(),
  size: integer('size').notNull(),
  createdAt: createdAt(),
}, (t) => [index('attachments_event_idx').on(t.eventId)]);
// Canned replies per locale, managed by admins; placeholders such as {{customer.name}} are filled per ticket.
export const replyTemplates = pgTable('reply_templates', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  locale: text('locale').notNull(),
  body: text('body').notNull(),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [unique('reply_templates_name_locale_uq').on(t.name, t.locale)]);

// A staff member's own saved queue filters (the console's views with counts).
export const savedViews = pgTable('saved_views', {
  id: uuid('id').primaryKey().defaultRandom(),
  staffId: uuid('staff_id').notNull().references(() => staff.id),
  name: text('name').notNull(),
  // The TicketFilter input as given (global IDs), and the order.
  filter: jsonb('filter').$type<Record<string, unknown>>().notNull(),
  orderBy: text('order_by').notNull().default('DUE_SOONEST'),
  position: integer('position').notNull().default(0),
  createdAt: createdAt(),
}, (t) => [unique('saved_views_staff_name_uq').on(t.staffId, t.name)]);
