CREATE TYPE "actor_type" AS ENUM('CUSTOMER', 'ANONYMOUS', 'STAFF', 'PARTNER', 'SYSTEM');--> statement-breakpoint
CREATE TYPE "channel" AS ENUM('WEB', 'APP', 'MINI_PROGRAM', 'BRANCH', 'PHONE', 'EMAIL', 'SOCIAL', 'SELF_SERVICE_TERMINAL', 'PARTNER');--> statement-breakpoint
CREATE TYPE "escalation_level" AS ENUM('L1', 'L2', 'L3');--> statement-breakpoint
CREATE TYPE "feedback_kind" AS ENUM('COMPLAINT', 'SUGGESTION', 'PRAISE', 'INQUIRY');--> statement-breakpoint
CREATE TYPE "priority" AS ENUM('LOW', 'NORMAL', 'HIGH', 'URGENT');--> statement-breakpoint
CREATE TYPE "staff_role" AS ENUM('AGENT', 'SENIOR', 'EXPERT', 'SUPERVISOR', 'ADMIN', 'AUDITOR');--> statement-breakpoint
CREATE TYPE "ticket_status" AS ENUM('SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'AWAITING_CUSTOMER', 'RESOLVED', 'CLOSED');--> statement-breakpoint
CREATE TYPE "timeline_event_type" AS ENUM('SUBMITTED', 'STATUS_CHANGED', 'PUBLIC_REPLY', 'INTERNAL_NOTE', 'ASSIGNED', 'ESCALATED', 'SLA_WARNING', 'SLA_BREACHED', 'MERGED', 'UNMERGED', 'RATED');--> statement-breakpoint
CREATE TYPE "visibility" AS ENUM('PUBLIC', 'INTERNAL');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL,
	"prefix" text NOT NULL UNIQUE,
	"key_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp(3) with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"actor_type" "actor_type" NOT NULL,
	"actor_id" text,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"data" jsonb,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_apps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL,
	"kind" "channel" NOT NULL,
	"publishable_key" text NOT NULL UNIQUE,
	"signing_secret_enc" text,
	"public_key_jwk" jsonb,
	"allowed_algorithms" text[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"external_id" text NOT NULL UNIQUE,
	"name" text,
	"phone" text,
	"email" text,
	"tier_id" uuid,
	"account_manager_id" uuid,
	"birthday" date,
	"reward_points" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "departments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"code" text NOT NULL UNIQUE,
	"name" text NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"tracking_code" text NOT NULL UNIQUE,
	"kind" "feedback_kind" NOT NULL,
	"channel" "channel" NOT NULL,
	"channel_app_id" uuid,
	"customer_id" uuid,
	"ticket_id" uuid NOT NULL,
	"content" text NOT NULL,
	"category" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"contact_name" text,
	"contact_phone" text,
	"contact_email" text,
	"received_at" timestamp(3) with time zone NOT NULL,
	"last_position" integer DEFAULT 0 NOT NULL,
	"idempotency_key" text,
	"idempotency_hash" text,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"email" text NOT NULL UNIQUE,
	"name" text NOT NULL,
	"password_hash" text,
	"role" "staff_role" NOT NULL,
	"department_id" uuid,
	"level" "escalation_level" DEFAULT 'L1'::"escalation_level" NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"session_version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"status" "ticket_status" DEFAULT 'SUBMITTED'::"ticket_status" NOT NULL,
	"kind" "feedback_kind" NOT NULL,
	"channel" "channel" NOT NULL,
	"customer_id" uuid,
	"priority" "priority" DEFAULT 'NORMAL'::"priority" NOT NULL,
	"department_id" uuid,
	"assignee_id" uuid,
	"level" "escalation_level" DEFAULT 'L1'::"escalation_level" NOT NULL,
	"received_at" timestamp(3) with time zone NOT NULL,
	"first_response_due_at" timestamp(3) with time zone,
	"resolution_due_at" timestamp(3) with time zone,
	"first_responded_at" timestamp(3) with time zone,
	"resolved_at" timestamp(3) with time zone,
	"closed_at" timestamp(3) with time zone,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tiers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"code" text NOT NULL UNIQUE,
	"name" text NOT NULL,
	"rank" integer DEFAULT 0 NOT NULL,
	"dedicated_manager" boolean DEFAULT false NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timeline_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "timeline_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"feedback_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"type" "timeline_event_type" NOT NULL,
	"visibility" "visibility" NOT NULL,
	"from_status" "ticket_status",
	"to_status" "ticket_status",
	"body" text,
	"actor_type" "actor_type" NOT NULL,
	"actor_id" uuid,
	"actor_name" text,
	"data" jsonb,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "timeline_feedback_position_uq" UNIQUE("feedback_id","position")
);
--> statement-breakpoint
CREATE INDEX "feedback_customer_idx" ON "feedback" ("customer_id","received_at");--> statement-breakpoint
CREATE INDEX "feedback_ticket_idx" ON "feedback" ("ticket_id");--> statement-breakpoint
CREATE INDEX "feedback_received_idx" ON "feedback" ("received_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_idempotency_idx" ON "feedback" ("idempotency_key");--> statement-breakpoint
CREATE INDEX "staff_department_idx" ON "staff" ("department_id");--> statement-breakpoint
CREATE INDEX "tickets_status_idx" ON "tickets" ("status");--> statement-breakpoint
CREATE INDEX "tickets_department_idx" ON "tickets" ("department_id","received_at");--> statement-breakpoint
CREATE INDEX "tickets_assignee_idx" ON "tickets" ("assignee_id");--> statement-breakpoint
CREATE INDEX "tickets_customer_idx" ON "tickets" ("customer_id");--> statement-breakpoint
CREATE INDEX "tickets_received_idx" ON "tickets" ("received_at","id");--> statement-breakpoint
CREATE INDEX "timeline_ticket_idx" ON "timeline_events" ("ticket_id","id");--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_tier_id_tiers_id_fkey" FOREIGN KEY ("tier_id") REFERENCES "tiers"("id");--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_account_manager_id_staff_id_fkey" FOREIGN KEY ("account_manager_id") REFERENCES "staff"("id");--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_channel_app_id_channel_apps_id_fkey" FOREIGN KEY ("channel_app_id") REFERENCES "channel_apps"("id");--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_customer_id_customers_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id");--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_ticket_id_tickets_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id");--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_department_id_departments_id_fkey" FOREIGN KEY ("department_id") REFERENCES "departments"("id");--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_customer_id_customers_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id");--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_department_id_departments_id_fkey" FOREIGN KEY ("department_id") REFERENCES "departments"("id");--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_assignee_id_staff_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "staff"("id");--> statement-breakpoint
ALTER TABLE "timeline_events" ADD CONSTRAINT "timeline_events_feedback_id_feedback_id_fkey" FOREIGN KEY ("feedback_id") REFERENCES "feedback"("id");--> statement-breakpoint
ALTER TABLE "timeline_events" ADD CONSTRAINT "timeline_events_ticket_id_tickets_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id");