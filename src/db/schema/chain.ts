import { bigint, index, integer, numeric, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { daos } from './core.ts';

/** Current per-account state of a DAO's governance token (see migration 0020). */
export const tokenAccounts = pgTable(
  'token_accounts',
  {
    daoId: integer('dao_id').notNull().references(() => daos.id, { onDelete: 'cascade' }),
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
  ],
);
