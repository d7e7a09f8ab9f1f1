-- One row per DAO, written at the end of each rollup rebuild: when it ran (a version that caches of
-- metric answers compare against) and the all-time voter concentration, which would otherwise
-- need every voter's power on each summary request.
CREATE TABLE "dao_rollup_state" (
	"dao_id" integer PRIMARY KEY NOT NULL REFERENCES "daos"("id") ON DELETE cascade,
	"refreshed_at" timestamp with time zone NOT NULL,
	"voter_concentration" jsonb
);
