-- Voter profiles look an address up across every DAO: its votes newest first, and the holders
-- and token accounts that delegate to it. The existing indexes all lead with dao_id.
CREATE INDEX votes_voter_created_idx ON votes (voter, created DESC, id DESC);
CREATE INDEX token_holders_delegate_idx ON token_holders (delegate, dao_id, as_of) WHERE delegate IS NOT NULL;
CREATE INDEX token_accounts_delegate_idx ON token_accounts (delegate) WHERE delegate IS NOT NULL;
