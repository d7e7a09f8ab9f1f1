-- Rollups behind the metric endpoints, rebuilt per DAO by refreshRollups (src/db/rollups.ts) after
-- every import or sync that touched the DAO, and by `dao-portal recompute`. Dashboard numbers read
-- these tables instead of scanning votes.

-- How a choice label counts in For/Against/Abstain splits and in the pass rule. The same rule is
-- src/metrics/outcomes.ts classifyChoice; both must change together.
CREATE FUNCTION dp_choice_class(label text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN label IS NULL THEN NULL
    WHEN lower(btrim(label)) ~ '^(for|yes|yea|yae|aye|in favou?r|approve)([^a-z]|$)' THEN 'for'
    WHEN lower(btrim(label)) ~ '^(against|no|nay|reject)([^a-z]|$)' THEN 'against'
    WHEN lower(btrim(label)) ~ '^abstain' THEN 'abstain'
    ELSE NULL END
$$;

-- Per proposal: distinct voters, power cast, per-choice power of single-choice/basic votes, and the
-- outcome (passed/failed/unknown) with the winning margin from src/metrics/outcomes.ts.
CREATE TABLE "proposal_tallies" (
	"proposal_id" bigint PRIMARY KEY NOT NULL REFERENCES "proposals"("id") ON DELETE cascade,
	"dao_id" integer NOT NULL REFERENCES "daos"("id") ON DELETE cascade,
	"start" timestamp with time zone NOT NULL,
	"end" timestamp with time zone NOT NULL,
	"voters" integer NOT NULL,
	"vp_cast" numeric NOT NULL,
	"choice_vp" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_vote" timestamp with time zone,
	"last_vote" timestamp with time zone,
	"outcome" text,
	"margin" double precision
);
CREATE INDEX "proposal_tallies_dao_end_idx" ON "proposal_tallies" USING btree ("dao_id", "end");
CREATE INDEX "proposal_tallies_dao_start_idx" ON "proposal_tallies" USING btree ("dao_id", "start");

-- Per DAO and voter, over all time.
CREATE TABLE "dao_voters" (
	"dao_id" integer NOT NULL REFERENCES "daos"("id") ON DELETE cascade,
	"voter" text NOT NULL,
	"first_vote" timestamp with time zone NOT NULL,
	"last_vote" timestamp with time zone NOT NULL,
	"votes" integer NOT NULL,
	"max_vp" numeric NOT NULL,
	"for_votes" integer NOT NULL,
	"against_votes" integer NOT NULL,
	"abstain_votes" integer NOT NULL,
	PRIMARY KEY ("dao_id", "voter")
);
CREATE INDEX "dao_voters_dao_votes_idx" ON "dao_voters" USING btree ("dao_id", "votes", "voter");
CREATE INDEX "dao_voters_dao_max_vp_idx" ON "dao_voters" USING btree ("dao_id", "max_vp", "voter");
CREATE INDEX "dao_voters_dao_first_idx" ON "dao_voters" USING btree ("dao_id", "first_vote", "voter");
CREATE INDEX "dao_voters_dao_last_idx" ON "dao_voters" USING btree ("dao_id", "last_vote", "voter");

-- Per DAO, bucket kind (day/week/month, UTC; weeks start on Monday) and voter: the voter's votes and
-- the largest voting power it used in that bucket (window concentration = max over buckets).
CREATE TABLE "dao_voter_buckets" (
	"dao_id" integer NOT NULL REFERENCES "daos"("id") ON DELETE cascade,
	"bucket" text NOT NULL,
	"t" timestamp with time zone NOT NULL,
	"voter" text NOT NULL,
	"votes" integer NOT NULL,
	"max_vp" numeric NOT NULL,
	"vp" numeric NOT NULL,
	PRIMARY KEY ("dao_id", "bucket", "t", "voter")
);

-- Per DAO and bucket: proposals started, votes, distinct voters, first-time voters, voters who
-- had voted before, voters who vote again in the next bucket, and power cast.
CREATE TABLE "dao_activity" (
	"dao_id" integer NOT NULL REFERENCES "daos"("id") ON DELETE cascade,
	"bucket" text NOT NULL,
	"t" timestamp with time zone NOT NULL,
	"proposals" integer NOT NULL,
	"votes" integer NOT NULL,
	"voters" integer NOT NULL,
	"new_voters" integer NOT NULL,
	"returning_voters" integer NOT NULL,
	"retained" integer NOT NULL,
	"vp_cast" numeric NOT NULL,
	PRIMARY KEY ("dao_id", "bucket", "t")
);
