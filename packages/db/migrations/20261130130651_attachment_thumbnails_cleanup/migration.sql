ALTER TABLE "attachment_uploads" ADD COLUMN "thumbnail_id" uuid;--> statement-breakpoint
CREATE INDEX "attachment_uploads_unused_idx" ON "attachment_uploads" ("created_at") WHERE used_at is null;