ALTER TYPE "timeline_event_type" ADD VALUE 'RECLASSIFIED';--> statement-breakpoint
ALTER TYPE "timeline_event_type" ADD VALUE 'COLLABORATOR_ADDED';--> statement-breakpoint
ALTER TYPE "timeline_event_type" ADD VALUE 'COLLABORATOR_REMOVED';--> statement-breakpoint
CREATE TABLE "reply_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL,
	"locale" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reply_templates_name_locale_uq" UNIQUE("name","locale")
);
--> statement-breakpoint
CREATE TABLE "saved_views" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"staff_id" uuid NOT NULL,
	"name" text NOT NULL,
	"filter" jsonb NOT NULL,
	"order_by" text DEFAULT 'DUE_SOONEST' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "saved_views_staff_name_uq" UNIQUE("staff_id","name")
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "collaborator_department_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "collaborator_staff_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
CREATE INDEX "customers_name_trgm_idx" ON "customers" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "customers_phone_trgm_idx" ON "customers" USING gin ("phone" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "customers_email_trgm_idx" ON "customers" USING gin ("email" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "customers_external_id_trgm_idx" ON "customers" USING gin ("external_id" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "feedback_content_trgm_idx" ON "feedback" USING gin ("content" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "feedback_tracking_code_trgm_idx" ON "feedback" USING gin ("tracking_code" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "tickets_collab_departments_idx" ON "tickets" USING gin ("collaborator_department_ids");--> statement-breakpoint
CREATE INDEX "tickets_collab_staff_idx" ON "tickets" USING gin ("collaborator_staff_ids");--> statement-breakpoint
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_staff_id_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff"("id");