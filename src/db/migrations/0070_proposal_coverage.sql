-- What the source says about a proposal beyond its stored votes: how many votes it counted
-- (a votes file may cover only part of a DAO's history, so the stored rows can be fewer or none),
-- and where the proposal is discussed. NULL when the source does not say.
ALTER TABLE "proposals" ADD COLUMN "source_votes_count" integer;
ALTER TABLE "proposals" ADD COLUMN "discussion" text;
