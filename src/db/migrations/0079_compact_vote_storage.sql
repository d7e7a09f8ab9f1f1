-- Compact storage (docs/PERFORMANCE.md, "Storage"). dao_voter_buckets held one row per DAO,
-- bucket kind, bucket and voter: about three rows per vote (a voter rarely votes twice in one
-- day), so it was larger than the votes themselves and most of a rollup rebuild's time. Every
-- figure it gave is now read from the votes through one index range per DAO and time span, with
-- the voter and power in the index itself (an index-only scan): distinct voters of a window,
-- per-voter power of a window or bucket, delegates' activity per bucket, and the activity
-- rollup's per-bucket voters and retention.
DROP TABLE "dao_voter_buckets";
CREATE INDEX "votes_dao_created_idx" ON "votes" USING btree ("dao_id", "created") INCLUDE ("voter", "voting_power");
-- Its queries (a DAO's votes of some voters, a DAO's vote count) are served by
-- votes_voter_created_idx (a voter's votes across DAOs, a handful of DAOs each) and by the index
-- above.
DROP INDEX "votes_dao_voter_idx";
