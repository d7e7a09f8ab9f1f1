-- The ERC-20 tokens a DAO's treasury source reads become a DAO field, set like treasury_addresses
-- through the API and imports (the side table of 0021 had no way in).
ALTER TABLE "daos" ADD COLUMN "treasury_tokens" text[] DEFAULT '{}'::text[] NOT NULL;
UPDATE "daos" d SET "treasury_tokens" = t.tokens
  FROM (SELECT "dao_id", array_agg("token_address" ORDER BY "token_address") AS tokens FROM "treasury_tokens" GROUP BY "dao_id") t
 WHERE d."id" = t."dao_id";
DROP TABLE "treasury_tokens";
