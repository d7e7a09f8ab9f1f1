-- Participation figures that compare across DAOs (docs/METRICS.md, "Participation"), kept on the
-- DAO row so the DAO list can sort by them. Each is NULL when its denominator is unknown (no
-- votable supply, no holder list, no closed proposal with votes), and sorts last.
ALTER TABLE "daos" ADD COLUMN "turnout_vp" numeric;
ALTER TABLE "daos" ADD COLUMN "turnout_basis" text CHECK ("turnout_basis" IN ('token_supply', 'holders'));
ALTER TABLE "daos" ADD COLUMN "voter_holder_ratio" numeric;
ALTER TABLE "daos" ADD COLUMN "median_voters" numeric;
CREATE INDEX "daos_turnout_vp_idx" ON "daos" USING btree ("turnout_vp", "id");
CREATE INDEX "daos_voter_holder_ratio_idx" ON "daos" USING btree ("voter_holder_ratio", "id");
CREATE INDEX "daos_median_voters_idx" ON "daos" USING btree ("median_voters", "id");
-- The old rate was 0 when it had no denominator; it is now NULL then (a real rate is never 0:
-- only proposals with votes count).
ALTER TABLE "daos" ALTER COLUMN "participation_rate" DROP NOT NULL;
ALTER TABLE "daos" ALTER COLUMN "participation_rate" DROP DEFAULT;
UPDATE "daos" SET "participation_rate" = NULL WHERE "participation_rate" = 0;
