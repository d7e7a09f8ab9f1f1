-- ENS primary names of addresses, kept so that names survive restarts and pages never wait on the
-- Ethereum RPC for an address seen before. A row records one lookup: the normalised primary name
-- that resolves back to the address (null: the address has none), and its avatar URL when it is
-- one the dashboard may show. Rows past expires_at are still served while a new lookup runs.
CREATE TABLE ens_names (
  address text PRIMARY KEY,
  name text,
  avatar text,
  resolved_at timestamp with time zone NOT NULL,
  expires_at timestamp with time zone NOT NULL
);
