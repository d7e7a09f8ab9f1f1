import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** Exact decimals travel as strings end to end; floats never touch amounts or voting power. */
const decimal = (name: string) => numeric(name);

/** How precise a stored time is: 'day' when the source gave a date only. */
export type TimePrecision = 'day' | 'second';

export const daos = pgTable(
  'daos',
  {
    id: serial('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    chain: text('chain').notNull(),
    tokenSymbol: text('token_symbol'),
    governanceToken: text('governance_token'),
    snapshotSpace: text('snapshot_space'),
    governorAddress: text('governor_address'),
    tokenAddress: text('token_address'),
    treasuryAddresses: text('treasury_addresses').array().notNull().default(sql`'{}'::text[]`),
    /** ERC-20 tokens whose balances the treasury source reads (besides the native coin). */
    treasuryTokens: text('treasury_tokens').array().notNull().default(sql`'{}'::text[]`),
    treasuryValue: decimal('treasury_value').notNull().default('0'),
    totalMembers: integer('total_members').notNull().default(0),
    activeProposals: integer('active_proposals').notNull().default(0),
    totalProposals: integer('total_proposals').notNull().default(0),
    totalVotes: integer('total_votes').notNull().default(0),
    /** Mean voters per closed proposal ÷ distinct voters; null without a closed proposal with votes. Not comparable across DAOs. */
    participationRate: decimal('participation_rate'),
    /** Comparable participation (docs/METRICS.md); null when the denominator is unknown. */
    turnoutVp: decimal('turnout_vp'),
    turnoutBasis: text('turnout_basis').$type<'token_supply' | 'holders'>(),
    voterHolderRatio: decimal('voter_holder_ratio'),
    medianVoters: decimal('median_voters'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('daos_slug_key').on(t.slug),
    uniqueIndex('daos_name_key').on(t.name),
    uniqueIndex('daos_snapshot_space_key').on(t.snapshotSpace),
    index('daos_chain_idx').on(t.chain),
    index('daos_lower_name_idx').on(sql`lower(${t.name}) text_pattern_ops`),
    index('daos_treasury_value_idx').on(t.treasuryValue, t.id),
    index('daos_total_members_idx').on(t.totalMembers, t.id),
    index('daos_active_proposals_idx').on(t.activeProposals, t.id),
    index('daos_total_proposals_idx').on(t.totalProposals, t.id),
    index('daos_total_votes_idx').on(t.totalVotes, t.id),
    index('daos_participation_rate_idx').on(t.participationRate, t.id),
    index('daos_turnout_vp_idx').on(t.turnoutVp, t.id),
    index('daos_voter_holder_ratio_idx').on(t.voterHolderRatio, t.id),
    index('daos_median_voters_idx').on(t.medianVoters, t.id),
    index('daos_created_at_idx').on(t.createdAt, t.id),
  ],
);

export const proposals = pgTable(
  'proposals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    daoId: integer('dao_id')
      .notNull()
      .references(() => daos.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    source: text('source').notNull().default('import'),
    votingType: text('voting_type').notNull().default('single-choice'),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    author: text('author'),
    choices: jsonb('choices').$type<string[]>().notNull(),
    start: ts('start').notNull(),
    end: ts('end').notNull(),
    /** Precision of start and end: 'day' when the source gave only dates (migration 0071). */
    timePrecision: text('time_precision').$type<TimePrecision>().notNull().default('second'),
    state: text('state').notNull(),
    quorum: decimal('quorum'),
    snapshotBlock: bigint('snapshot_block', { mode: 'number' }),
    scores: jsonb('scores').$type<string[]>(),
    scoresTotal: decimal('scores_total'),
    /** Stored votes; kept current by the aggregate refresh so lists can sort by it. */
    votesCount: integer('votes_count').notNull().default(0),
    /** The source's own vote count (export, hub, Governor logs); null when the source does not say. */
    sourceVotesCount: integer('source_votes_count'),
    /** Where the proposal is discussed (a forum topic URL), when the source says. */
    discussion: text('discussion'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('proposals_dao_external_key').on(t.daoId, t.externalId),
    index('proposals_external_id_idx').on(t.externalId),
    index('proposals_dao_start_idx').on(t.daoId, t.start, t.id),
    index('proposals_dao_end_idx').on(t.daoId, t.end, t.id),
    index('proposals_dao_votes_idx').on(t.daoId, t.votesCount, t.id),
    index('proposals_dao_state_idx').on(t.daoId, t.state),
  ],
);

export const votes = pgTable(
  'votes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    proposalId: bigint('proposal_id', { mode: 'number' })
      .notNull()
      .references(() => proposals.id, { onDelete: 'cascade' }),
    /** Denormalised so DAO-wide voter queries need no join. */
    daoId: integer('dao_id')
      .notNull()
      .references(() => daos.id, { onDelete: 'cascade' }),
    voter: text('voter').notNull(),
    choice: jsonb('choice').$type<number | number[] | Record<string, number>>().notNull(),
    votingPower: decimal('voting_power').notNull(),
    reason: text('reason'),
    created: ts('created').notNull(),
    /** 'day' when the source gave only a date (stored as 00:00 UTC; migration 0071). */
    createdPrecision: text('created_precision').$type<TimePrecision>().notNull().default('second'),
  },
  (t) => [
    uniqueIndex('votes_proposal_voter_key').on(t.proposalId, t.voter),
    index('votes_proposal_power_idx').on(t.proposalId, t.votingPower, t.id),
    index('votes_proposal_created_idx').on(t.proposalId, t.created, t.id),
    // Migration 0079 adds INCLUDE (voter, voting_power), which this builder cannot express.
    index('votes_dao_created_idx').on(t.daoId, t.created),
    index('votes_voter_created_idx').on(t.voter, t.created.desc(), t.id.desc()),
  ],
);

export const daoMetrics = pgTable(
  'dao_metrics',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    daoId: integer('dao_id')
      .notNull()
      .references(() => daos.id, { onDelete: 'cascade' }),
    metricType: text('metric_type').notNull(),
    value: decimal('value').notNull(),
    timestamp: ts('timestamp').notNull(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [uniqueIndex('dao_metrics_series_key').on(t.daoId, t.metricType, t.timestamp)],
);

export const treasuryBalances = pgTable(
  'treasury_balances',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    daoId: integer('dao_id')
      .notNull()
      .references(() => daos.id, { onDelete: 'cascade' }),
    timestamp: ts('timestamp').notNull(),
    /** '' rather than NULL so the natural key stays a plain unique index on every server. */
    wallet: text('wallet').notNull().default(''),
    chain: text('chain').notNull(),
    tokenSymbol: text('token_symbol').notNull(),
    tokenAddress: text('token_address').notNull().default(''),
    amount: decimal('amount').notNull(),
    usdValue: decimal('usd_value'),
    /** The price source was unreachable: usd_value is the last known one, not a fresh quote. */
    usdStale: boolean('usd_stale').notNull().default(false),
  },
  (t) => [
    uniqueIndex('treasury_balances_key').on(t.daoId, t.timestamp, t.wallet, t.chain, t.tokenSymbol, t.tokenAddress),
    index('treasury_balances_dao_ts_idx').on(t.daoId, t.timestamp),
  ],
);

export const tokenHolders = pgTable(
  'token_holders',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    daoId: integer('dao_id')
      .notNull()
      .references(() => daos.id, { onDelete: 'cascade' }),
    address: text('address').notNull(),
    balance: decimal('balance').notNull(),
    delegate: text('delegate'),
    votingPower: decimal('voting_power'),
    asOf: ts('as_of').notNull(),
  },
  (t) => [
    uniqueIndex('token_holders_key').on(t.daoId, t.address, t.asOf),
    index('token_holders_dao_asof_balance_idx').on(t.daoId, t.asOf, t.balance),
    index('token_holders_delegate_idx').on(t.delegate, t.daoId, t.asOf).where(sql`delegate is not null`),
  ],
);

export const syncState = pgTable(
  'sync_state',
  {
    id: serial('id').primaryKey(),
    daoId: integer('dao_id')
      .notNull()
      .references(() => daos.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    cursor: jsonb('cursor').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').notNull().default('idle'),
    lastSuccessAt: ts('last_success_at'),
    lastError: text('last_error'),
    startedAt: ts('started_at'),
    lag: doublePrecision('lag'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sync_state_dao_source_key').on(t.daoId, t.source)],
);

/** The last file import of each DAO (migration 0072). */
export const importRuns = pgTable('import_runs', {
  daoId: integer('dao_id')
    .primaryKey()
    .references(() => daos.id, { onDelete: 'cascade' }),
  source: text('source'),
  finishedAt: ts('finished_at').notNull(),
  records: integer('records').notNull(),
  inserted: integer('inserted').notNull(),
  updated: integer('updated').notNull(),
  unchanged: integer('unchanged').notNull(),
  rejected: integer('rejected').notNull(),
  seconds: doublePrecision('seconds').notNull(),
});

/** ENS primary names of addresses, cached with an expiry (migration 0077). */
export const ensNames = pgTable('ens_names', {
  address: text('address').primaryKey(),
  name: text('name'),
  avatar: text('avatar'),
  resolvedAt: ts('resolved_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
});
