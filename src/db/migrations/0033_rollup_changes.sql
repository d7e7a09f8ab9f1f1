-- The change log behind incremental rollups (src/db/rollups.ts). Triggers on votes and proposals
-- record which proposals, voters and times each write touched, in the writer's own transaction, so
-- every writer (imports, each sync source, a reorg rollback, a cascade delete, hand-written SQL) is
-- seen and a crash can never lose a change: the rollup update consumes the rows it applied in the
-- transaction that applies them.
-- No foreign key to daos: rows logged while a DAO is being deleted would violate it. Rows of
-- deleted DAOs are dropped by the rollup update.
CREATE TABLE "rollup_changes" (
	"dao_id" integer NOT NULL,
	-- 'vote': a vote row (voter, created); 'proposal': a proposal row (start);
	-- 'choices': a proposal whose choice labels changed, so every voter of it is recounted.
	"kind" text NOT NULL,
	"proposal_id" bigint NOT NULL,
	"voter" text,
	"t" timestamp with time zone NOT NULL
);
CREATE INDEX "rollup_changes_dao_idx" ON "rollup_changes" USING btree ("dao_id");

-- Statement-level triggers with transition tables: one insert per statement, not one per row.
CREATE FUNCTION dp_log_vote_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO rollup_changes (dao_id, kind, proposal_id, voter, t)
    SELECT dao_id, 'vote', proposal_id, voter, created FROM new_rows;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO rollup_changes (dao_id, kind, proposal_id, voter, t)
    SELECT dao_id, 'vote', proposal_id, voter, created FROM old_rows;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER votes_log_insert AFTER INSERT ON votes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dp_log_vote_changes();
CREATE TRIGGER votes_log_update AFTER UPDATE ON votes REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dp_log_vote_changes();
CREATE TRIGGER votes_log_delete AFTER DELETE ON votes REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dp_log_vote_changes();

-- Proposals: only the columns rollups read count as a change (the figures refresh rewrites
-- votes_count, and sources rewrite unchanged rows, on every run).
CREATE FUNCTION dp_log_proposal_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO rollup_changes (dao_id, kind, proposal_id, t) SELECT dao_id, 'proposal', id, start FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO rollup_changes (dao_id, kind, proposal_id, t) SELECT dao_id, 'proposal', id, start FROM old_rows;
  ELSE
    INSERT INTO rollup_changes (dao_id, kind, proposal_id, t)
    SELECT x.dao_id, x.kind, x.id, x.start
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     CROSS JOIN LATERAL (VALUES (o.dao_id, 'proposal', o.id, o.start), (n.dao_id, 'proposal', n.id, n.start),
                                (n.dao_id, 'choices', n.id, n.start)) AS x(dao_id, kind, id, start)
     WHERE (o.dao_id, o.start, o."end", o.state, o.quorum, o.scores, o.choices)
           IS DISTINCT FROM (n.dao_id, n.start, n."end", n.state, n.quorum, n.scores, n.choices)
       AND (x.kind = 'proposal' OR o.choices IS DISTINCT FROM n.choices);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER proposals_log_insert AFTER INSERT ON proposals REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dp_log_proposal_changes();
CREATE TRIGGER proposals_log_update AFTER UPDATE ON proposals REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dp_log_proposal_changes();
CREATE TRIGGER proposals_log_delete AFTER DELETE ON proposals REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dp_log_proposal_changes();

