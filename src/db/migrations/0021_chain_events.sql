-- The on-chain source's raw material: every Governor and token log it indexed, keyed by
-- (tx hash, log index) so replays are no-ops. Proposals, votes and token_accounts are derived
-- from it, and a reorg rollback deletes the logs of the abandoned blocks and re-derives.
CREATE TABLE "chain_events" (
	"dao_id" integer NOT NULL REFERENCES "daos"("id") ON DELETE cascade,
	"tx_hash" text NOT NULL,
	"log_index" integer NOT NULL,
	"block_number" bigint NOT NULL,
	"block_hash" text NOT NULL,
	"block_time" timestamp with time zone NOT NULL,
	"contract" text NOT NULL,
	"event" text NOT NULL,
	"args" jsonb NOT NULL,
	PRIMARY KEY ("dao_id", "tx_hash", "log_index")
);
CREATE INDEX "chain_events_dao_block_idx" ON "chain_events" USING btree ("dao_id", "block_number", "log_index");
CREATE INDEX "chain_events_dao_proposal_idx" ON "chain_events" USING btree ("dao_id", ("args"->>'proposalId')) WHERE "args" ? 'proposalId';

-- Hashes of the recent (not yet final) blocks the source has read, per DAO, to find the common
-- ancestor after a reorg. Blocks deeper than CONFIRMATIONS are pruned.
CREATE TABLE "chain_blocks" (
	"dao_id" integer NOT NULL REFERENCES "daos"("id") ON DELETE cascade,
	"number" bigint NOT NULL,
	"hash" text NOT NULL,
	PRIMARY KEY ("dao_id", "number")
);

-- Delegator counts are recomputed per delegate.
CREATE INDEX "token_accounts_dao_delegate_idx" ON "token_accounts" USING btree ("dao_id", "delegate");

-- ERC-20 tokens whose balances the treasury source reads for each treasury address (besides the
-- native coin), on the DAO's chain.
CREATE TABLE "treasury_tokens" (
	"dao_id" integer NOT NULL REFERENCES "daos"("id") ON DELETE cascade,
	"token_address" text NOT NULL,
	PRIMARY KEY ("dao_id", "token_address")
);

-- Last price read per coin ("chain:address" as the price API names it), kept so that a balance
-- read while the price API is unreachable is valued at the last known price and marked stale.
CREATE TABLE "token_prices" (
	"coin" text PRIMARY KEY NOT NULL,
	"price" numeric NOT NULL,
	"symbol" text,
	"price_time" timestamp with time zone,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
