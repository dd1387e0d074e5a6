-- Trigram indexes for staff search (substring and CJK text); PGlite loads the extension too (client.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
