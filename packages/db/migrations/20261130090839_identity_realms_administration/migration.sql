ALTER TABLE "customers" DROP CONSTRAINT "customers_external_id_key";--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "expires_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "last_used_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "channel_apps" ADD COLUMN "realm" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "channel_apps" ADD COLUMN "previous_signing_secret_enc" text;--> statement-breakpoint
ALTER TABLE "channel_apps" ADD COLUMN "previous_secret_expires_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "channel_apps" ADD COLUMN "updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "realm" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "staff" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "staff" ADD COLUMN "password_changed_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "staff" ADD COLUMN "deactivated_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "staff" ADD COLUMN "updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "customers_realm_external_id_uq" ON "customers" ("realm","external_id");