CREATE TABLE "dao_metrics" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dao_id" integer NOT NULL,
	"metric_type" text NOT NULL,
	"value" numeric NOT NULL,
	"timestamp" timestamp with time zone NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL
);

CREATE TABLE "daos" (
	"id" serial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"chain" text NOT NULL,
	"token_symbol" text,
	"governance_token" text,
	"snapshot_space" text,
	"governor_address" text,
	"token_address" text,
	"treasury_addresses" text[] DEFAULT '{}'::text[] NOT NULL,
	"treasury_value" numeric DEFAULT '0' NOT NULL,
	"total_members" integer DEFAULT 0 NOT NULL,
	"active_proposals" integer DEFAULT 0 NOT NULL,
	"total_proposals" integer DEFAULT 0 NOT NULL,
	"total_votes" integer DEFAULT 0 NOT NULL,
	"participation_rate" numeric DEFAULT '0' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "proposals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dao_id" integer NOT NULL,
	"external_id" text NOT NULL,
	"source" text DEFAULT 'import' NOT NULL,
	"voting_type" text DEFAULT 'single-choice' NOT NULL,
	"title" text NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"author" text,
	"choices" jsonb NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"end" timestamp with time zone NOT NULL,
	"state" text NOT NULL,
	"quorum" numeric,
	"snapshot_block" bigint,
	"scores" jsonb,
	"scores_total" numeric,
	"votes_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "sync_state" (
	"id" serial PRIMARY KEY NOT NULL,
	"dao_id" integer NOT NULL,
	"source" text NOT NULL,
	"cursor" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'idle' NOT NULL,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "token_holders" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dao_id" integer NOT NULL,
	"address" text NOT NULL,
	"balance" numeric NOT NULL,
	"delegate" text,
	"voting_power" numeric,
	"as_of" timestamp with time zone NOT NULL
);

CREATE TABLE "treasury_balances" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dao_id" integer NOT NULL,
	"timestamp" timestamp with time zone NOT NULL,
	"wallet" text DEFAULT '' NOT NULL,
	"chain" text NOT NULL,
	"token_symbol" text NOT NULL,
	"token_address" text DEFAULT '' NOT NULL,
	"amount" numeric NOT NULL,
	"usd_value" numeric,
	"usd_stale" boolean DEFAULT false NOT NULL
);

CREATE TABLE "votes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"proposal_id" bigint NOT NULL,
	"dao_id" integer NOT NULL,
	"voter" text NOT NULL,
	"choice" jsonb NOT NULL,
	"voting_power" numeric NOT NULL,
	"reason" text,
	"created" timestamp with time zone NOT NULL
);

ALTER TABLE "dao_metrics" ADD CONSTRAINT "dao_metrics_dao_id_daos_id_fk" FOREIGN KEY ("dao_id") REFERENCES "public"."daos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_dao_id_daos_id_fk" FOREIGN KEY ("dao_id") REFERENCES "public"."daos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_state" ADD CONSTRAINT "sync_state_dao_id_daos_id_fk" FOREIGN KEY ("dao_id") REFERENCES "public"."daos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_holders" ADD CONSTRAINT "token_holders_dao_id_daos_id_fk" FOREIGN KEY ("dao_id") REFERENCES "public"."daos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "treasury_balances" ADD CONSTRAINT "treasury_balances_dao_id_daos_id_fk" FOREIGN KEY ("dao_id") REFERENCES "public"."daos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "votes" ADD CONSTRAINT "votes_proposal_id_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."proposals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "votes" ADD CONSTRAINT "votes_dao_id_daos_id_fk" FOREIGN KEY ("dao_id") REFERENCES "public"."daos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dao_metrics_series_key" ON "dao_metrics" USING btree ("dao_id","metric_type","timestamp");--> statement-breakpoint
CREATE UNIQUE INDEX "daos_slug_key" ON "daos" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "daos_name_key" ON "daos" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "daos_snapshot_space_key" ON "daos" USING btree ("snapshot_space");--> statement-breakpoint
CREATE INDEX "daos_chain_idx" ON "daos" USING btree ("chain");--> statement-breakpoint
CREATE INDEX "daos_lower_name_idx" ON "daos" USING btree (lower("name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "daos_treasury_value_idx" ON "daos" USING btree ("treasury_value","id");--> statement-breakpoint
CREATE INDEX "daos_total_members_idx" ON "daos" USING btree ("total_members","id");--> statement-breakpoint
CREATE INDEX "daos_active_proposals_idx" ON "daos" USING btree ("active_proposals","id");--> statement-breakpoint
CREATE INDEX "daos_total_proposals_idx" ON "daos" USING btree ("total_proposals","id");--> statement-breakpoint
CREATE INDEX "daos_total_votes_idx" ON "daos" USING btree ("total_votes","id");--> statement-breakpoint
CREATE INDEX "daos_participation_rate_idx" ON "daos" USING btree ("participation_rate","id");--> statement-breakpoint
CREATE INDEX "daos_created_at_idx" ON "daos" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "proposals_dao_external_key" ON "proposals" USING btree ("dao_id","external_id");--> statement-breakpoint
CREATE INDEX "proposals_external_id_idx" ON "proposals" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "proposals_dao_start_idx" ON "proposals" USING btree ("dao_id","start","id");--> statement-breakpoint
CREATE INDEX "proposals_dao_end_idx" ON "proposals" USING btree ("dao_id","end","id");--> statement-breakpoint
CREATE INDEX "proposals_dao_votes_idx" ON "proposals" USING btree ("dao_id","votes_count","id");--> statement-breakpoint
CREATE INDEX "proposals_dao_state_idx" ON "proposals" USING btree ("dao_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_state_dao_source_key" ON "sync_state" USING btree ("dao_id","source");--> statement-breakpoint
CREATE UNIQUE INDEX "token_holders_key" ON "token_holders" USING btree ("dao_id","address","as_of");--> statement-breakpoint
CREATE INDEX "token_holders_dao_asof_balance_idx" ON "token_holders" USING btree ("dao_id","as_of","balance");--> statement-breakpoint
CREATE UNIQUE INDEX "treasury_balances_key" ON "treasury_balances" USING btree ("dao_id","timestamp","wallet","chain","token_symbol","token_address");--> statement-breakpoint
CREATE INDEX "treasury_balances_dao_ts_idx" ON "treasury_balances" USING btree ("dao_id","timestamp");--> statement-breakpoint
CREATE UNIQUE INDEX "votes_proposal_voter_key" ON "votes" USING btree ("proposal_id","voter");--> statement-breakpoint
CREATE INDEX "votes_proposal_power_idx" ON "votes" USING btree ("proposal_id","voting_power","id");--> statement-breakpoint
CREATE INDEX "votes_proposal_created_idx" ON "votes" USING btree ("proposal_id","created","id");--> statement-breakpoint
CREATE INDEX "votes_dao_voter_idx" ON "votes" USING btree ("dao_id","voter");