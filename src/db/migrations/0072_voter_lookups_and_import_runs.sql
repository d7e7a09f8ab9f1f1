-- Voter profiles look an address up across every DAO: its votes newest first, and the holders
-- and token accounts that delegate to it. The existing indexes all lead with dao_id.
CREATE INDEX votes_voter_created_idx ON votes (voter, created DESC, id DESC);
CREATE INDEX token_holders_delegate_idx ON token_holders (delegate, dao_id, as_of) WHERE delegate IS NOT NULL;
CREATE INDEX token_accounts_delegate_idx ON token_accounts (delegate) WHERE delegate IS NOT NULL;

-- The last file import of each DAO, so the Sources page shows imports beside the syncs: when it
-- ran, what it was called, and what it did (rejections explain themselves on the page).
CREATE TABLE import_runs (
  dao_id integer PRIMARY KEY REFERENCES daos (id) ON DELETE CASCADE,
  source text,
  finished_at timestamp with time zone NOT NULL,
  records integer NOT NULL,
  inserted integer NOT NULL,
  updated integer NOT NULL,
  unchanged integer NOT NULL,
  rejected integer NOT NULL,
  seconds double precision NOT NULL
);
