-- Full-text search over DAO names/descriptions and proposal titles/bodies (GET /api/v1/search).
-- Generated columns keep the vectors current on every write; titles and names weigh more than
-- text. Bodies are cut at 200k characters: a tsvector must stay under 1 MB. The columns are not in
-- the drizzle schema on purpose: only the search query reads them, and no API object carries them.
ALTER TABLE "daos" ADD COLUMN "search_tsv" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A') ||
  setweight(to_tsvector('english'::regconfig, coalesce("description", '')), 'B')) STORED;
CREATE INDEX "daos_search_idx" ON "daos" USING gin ("search_tsv");
ALTER TABLE "proposals" ADD COLUMN "search_tsv" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, coalesce("title", '')), 'A') ||
  setweight(to_tsvector('english'::regconfig, left("body", 200000)), 'B')) STORED;
CREATE INDEX "proposals_search_idx" ON "proposals" USING gin ("search_tsv");
