import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { daos } from './core.ts';

/** Current per-account state of a DAO's governance token (see migration 0020). */
export const tokenAccounts = pgTable(
  'token_accounts',
  {
    daoId: integer('dao_id')
      .notNull()
      .references(() => daos.id, { onDelete: 'cascade' }),
    address: text('address').notNull(),
    balance: numeric('balance').notNull().default('0'),
    delegate: text('delegate'),
    votingPower: numeric('voting_power').notNull().default('0'),
    delegators: integer('delegators').notNull().default(0),
    updatedBlock: bigint('updated_block', { mode: 'number' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.daoId, t.address] }),
    index('token_accounts_dao_balance_idx').on(t.daoId, t.balance),
    index('token_accounts_dao_voting_power_idx').on(t.daoId, t.votingPower),
    index('token_accounts_delegate_idx').on(t.delegate).where(sql`delegate is not null`),
  ],
);

/** Every indexed Governor/token log, keyed by (tx hash, log index) (see migration 0021). */
export const chainEvents = pgTable(
  'chain_events',
  {
    daoId: integer('dao_id')
      .notNull()
      .references(() => daos.id, { onDelete: 'cascade' }),
    txHash: text('tx_hash').notNull(),
    logIndex: integer('log_index').notNull(),
    blockNumber: bigint('block_number', { mode: 'number' }).notNull(),
    blockHash: text('block_hash').notNull(),
    blockTime: timestamp('block_time', { withTimezone: true, mode: 'date' }).notNull(),
    contract: text('contract').notNull(),
    event: text('event').notNull(),
    args: jsonb('args').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.daoId, t.txHash, t.logIndex] }),
    index('chain_events_dao_block_idx').on(t.daoId, t.blockNumber, t.logIndex),
  ],
);

/** Hashes of recent, not yet final blocks per DAO, for reorg detection. */
export const chainBlocks = pgTable(
  'chain_blocks',
  {
    daoId: integer('dao_id')
      .notNull()
      .references(() => daos.id, { onDelete: 'cascade' }),
    number: bigint('number', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.daoId, t.number] })],
);

/** Last known price per coin ("chain:address"). */
export const tokenPrices = pgTable('token_prices', {
  coin: text('coin').primaryKey(),
  price: numeric('price').notNull(),
  symbol: text('symbol'),
  priceTime: timestamp('price_time', { withTimezone: true, mode: 'date' }),
  fetchedAt: timestamp('fetched_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
