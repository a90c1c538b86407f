-- Full-text search over message content (messages.search). An expression index rather than a stored
-- tsvector column: the database maintains it on every insert and edit, and the rows stay as small as
-- before. The 'simple' configuration (no stemming, no stop words) because messages are in any language.
-- Prisma cannot describe expression indexes (prisma migrate diff leaves it alone).
CREATE INDEX "messages_content_search_idx" ON "messages" USING GIN (to_tsvector('simple'::regconfig, "content"));
