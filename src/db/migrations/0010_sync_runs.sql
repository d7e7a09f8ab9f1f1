-- What the status endpoint shows per (DAO, source) beyond the cursor: when the last run started,
-- how far behind the remote head it left the DAO, and the source's own facts about that run.
ALTER TABLE "sync_state" ADD COLUMN "started_at" timestamp with time zone;
ALTER TABLE "sync_state" ADD COLUMN "lag" double precision;
ALTER TABLE "sync_state" ADD COLUMN "details" jsonb DEFAULT '{}'::jsonb NOT NULL;
