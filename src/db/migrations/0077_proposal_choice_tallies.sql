-- Per-choice tallies of each proposal by its voting type's rules (src/db/rollup-statements.ts,
-- writeChoiceTallies): {"<choice>": ["<voting power>", <votes>]}, what the proposal detail serves
-- instead of counting the votes on every request. NULL on rows written before this column: every
-- such proposal is logged as changed, so the next rollup refresh (at the latest the server's start)
-- fills it; until then the detail counts the votes as before.
ALTER TABLE "proposal_tallies" ADD COLUMN "choice_tallies" jsonb;
INSERT INTO "rollup_changes" ("dao_id", "kind", "proposal_id", "t")
SELECT "dao_id", 'proposal', "proposal_id", "start" FROM "proposal_tallies";
