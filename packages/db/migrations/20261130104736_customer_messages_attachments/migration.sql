CREATE TYPE "ticket_outcome" AS ENUM('WITHDRAWN');--> statement-breakpoint
ALTER TYPE "timeline_event_type" ADD VALUE 'CUSTOMER_MESSAGE';--> statement-breakpoint
ALTER TYPE "timeline_event_type" ADD VALUE 'WITHDRAWN';--> statement-breakpoint
ALTER TYPE "timeline_event_type" ADD VALUE 'REVIEW_REQUESTED';--> statement-breakpoint
ALTER TYPE "timeline_event_type" ADD VALUE 'FOLLOW_UP_REQUESTED';--> statement-breakpoint
CREATE TABLE "attachment_blobs" (
	"id" uuid PRIMARY KEY,
	"content" bytea NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attachment_uploads" (
	"id" uuid PRIMARY KEY,
	"ticket_id" uuid NOT NULL,
	"feedback_id" uuid,
	"uploader_scope" text NOT NULL,
	"filename" text NOT NULL,
	"media_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"used_at" timestamp(3) with time zone,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"event_id" bigint NOT NULL,
	"upload_id" uuid NOT NULL,
	"filename" text NOT NULL,
	"media_type" text NOT NULL,
	"size" integer NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "feedback" ADD COLUMN "follows_up_id" uuid;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "outcome" "ticket_outcome";--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "customer_reopened_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "review_requested_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "follow_up_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "timeline_events" ADD COLUMN "actor_display_name" text;--> statement-breakpoint
ALTER TABLE "timeline_events" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
CREATE INDEX "attachment_uploads_ticket_idx" ON "attachment_uploads" ("ticket_id");--> statement-breakpoint
CREATE INDEX "attachments_event_idx" ON "attachments" ("event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "timeline_idempotency_idx" ON "timeline_events" ("idempotency_key");--> statement-breakpoint
ALTER TABLE "attachment_uploads" ADD CONSTRAINT "attachment_uploads_ticket_id_tickets_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id");--> statement-breakpoint
ALTER TABLE "attachment_uploads" ADD CONSTRAINT "attachment_uploads_feedback_id_feedback_id_fkey" FOREIGN KEY ("feedback_id") REFERENCES "feedback"("id");--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_event_id_timeline_events_id_fkey" FOREIGN KEY ("event_id") REFERENCES "timeline_events"("id");--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_upload_id_attachment_uploads_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "attachment_uploads"("id");