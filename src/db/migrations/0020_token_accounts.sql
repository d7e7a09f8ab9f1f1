-- Current state of each token account of a DAO's governance token, kept by the on-chain source
-- from Transfer / DelegateChanged / DelegateVotesChanged: balance, chosen delegate, voting power
-- held as a delegate and how many accounts delegate to it. Holder and delegate concentration read
-- this when a DAO has it, and the latest token_holders snapshot (file imports) otherwise.
CREATE TABLE "token_accounts" (
	"dao_id" integer NOT NULL REFERENCES "daos"("id") ON DELETE cascade,
	"address" text NOT NULL,
	"balance" numeric DEFAULT '0' NOT NULL,
	"delegate" text,
	"voting_power" numeric DEFAULT '0' NOT NULL,
	"delegators" integer DEFAULT 0 NOT NULL,
	"updated_block" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("dao_id", "address")
);
CREATE INDEX "token_accounts_dao_balance_idx" ON "token_accounts" USING btree ("dao_id", "balance");
CREATE INDEX "token_accounts_dao_voting_power_idx" ON "token_accounts" USING btree ("dao_id", "voting_power");
