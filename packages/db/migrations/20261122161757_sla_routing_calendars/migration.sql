CREATE TABLE "business_calendars" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"code" text NOT NULL UNIQUE,
	"name" text NOT NULL,
	"time_zone" text NOT NULL,
	"weekly_hours" jsonb NOT NULL,
	"holidays" text[] DEFAULT '{}'::text[] NOT NULL,
	"working_days" text[] DEFAULT '{}'::text[] NOT NULL,
	"makeup_hours" jsonb,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"key" text UNIQUE,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"kinds" text[] DEFAULT '{}'::text[] NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"keywords" text[] DEFAULT '{}'::text[] NOT NULL,
	"tiers" text[] DEFAULT '{}'::text[] NOT NULL,
	"channels" text[] DEFAULT '{}'::text[] NOT NULL,
	"department_id" uuid NOT NULL,
	"level" "escalation_level" DEFAULT 'L1'::"escalation_level" NOT NULL,
	"priority" "priority" DEFAULT 'NORMAL'::"priority" NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"kind" "feedback_kind" NOT NULL,
	"tier_code" text,
	"category" text,
	"first_response_minutes" integer NOT NULL,
	"resolution_minutes" integer NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sla_policies_scope_uq" UNIQUE NULLS NOT DISTINCT("kind","tier_code","category")
);
--> statement-breakpoint
ALTER TABLE "departments" ADD COLUMN "calendar_id" uuid;--> statement-breakpoint
ALTER TABLE "feedback" ADD COLUMN "sla_first_response_minutes" integer;--> statement-breakpoint
ALTER TABLE "feedback" ADD COLUMN "sla_resolution_minutes" integer;--> statement-breakpoint
ALTER TABLE "feedback" ADD COLUMN "first_responded_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "calendar_id" uuid;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_first_response_minutes" integer;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_resolution_minutes" integer;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_response_warn_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "resolution_warn_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_pauses" jsonb DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_response_warned_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_response_breached_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "resolution_warned_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "resolution_breached_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_next_check_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "merged_into_id" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "business_calendars_default_uq" ON "business_calendars" ("is_default") WHERE "is_default";--> statement-breakpoint
CREATE INDEX "routing_rules_position_idx" ON "routing_rules" ("position");--> statement-breakpoint
CREATE INDEX "tickets_sla_next_check_idx" ON "tickets" ("sla_next_check_at") WHERE "sla_next_check_at" is not null;--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_calendar_id_business_calendars_id_fkey" FOREIGN KEY ("calendar_id") REFERENCES "business_calendars"("id");--> statement-breakpoint
ALTER TABLE "routing_rules" ADD CONSTRAINT "routing_rules_department_id_departments_id_fkey" FOREIGN KEY ("department_id") REFERENCES "departments"("id");--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_calendar_id_business_calendars_id_fkey" FOREIGN KEY ("calendar_id") REFERENCES "business_calendars"("id");