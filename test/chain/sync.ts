import { eq, sql } from 'drizzle-orm';
import { type Database, rowsOf, schema } from '../../src/db/index.ts';
import type { DaoRow } from '../../src/db/queries/daos.ts';
import { createLogger } from '../../src/logger/index.ts';
import { runSync } from '../../src/sync/run.ts';
import type { LiveEvent, SyncSource } from '../../src/sync/types.ts';

export const logger = createLogger('silent');

let counter = 0;

/** Adds a DAO pointing at the test contracts (a fresh slug each call, so one database holds several). */
export async function addDao(
  database: Database,
  fields: { governor: string; token: string; treasury?: string[]; treasuryTokens?: string[]; chain?: string },
): Promise<DaoRow> {
  const slug = `onchain-${process.pid}-${++counter}`;
  const [row] = await rowsOf<{ id: number }>(
    database.db,
    sql`
    insert into daos (slug, name, chain, governor_address, token_address, treasury_addresses, treasury_tokens)
    values (${slug}, ${slug}, ${fields.chain ?? 'hardhat'}, ${fields.governor}, ${fields.token}, ${sql.param(fields.treasury ?? [])}::text[], ${sql.param(fields.treasuryTokens ?? [])}::text[])
    returning id`,
  );
  const [dao] = await database.db.select().from(schema.daos).where(eq(schema.daos.id, row!.id));
  return dao!;
}

export async function sync(database: Database, dao: DaoRow, source: SyncSource, events: LiveEvent[] = []) {
  return runSync({ database, dao, source, logger, publish: (e) => events.push(e) });
}

/**
 * Every row the on-chain source derived for a DAO, in a stable order and without surrogate ids
 * or write times, so two DAOs synced from the same chain can be compared row by row.
 */
export async function dumpDao(database: Database, daoId: number) {
  const q = (query: ReturnType<typeof sql>) => rowsOf<Record<string, unknown>>(database.db, query);
  return {
    proposals: await q(sql`
      select external_id, source, voting_type, title, body, author, choices, start, "end", state, quorum::text as quorum,
             snapshot_block, scores, scores_total::text as scores_total, votes_count
        from proposals where dao_id = ${daoId} order by external_id`),
    votes: await q(sql`
      select p.external_id, v.voter, v.choice, v.voting_power::text as voting_power, v.reason, v.created
        from votes v join proposals p on p.id = v.proposal_id where v.dao_id = ${daoId} order by 1, 2`),
    accounts: await q(sql`
      select address, balance::text as balance, delegate, voting_power::text as voting_power, delegators, updated_block
        from token_accounts where dao_id = ${daoId} order by address`),
    events: await q(sql`
      select tx_hash, log_index, block_number, block_hash, block_time, contract, event, args
        from chain_events where dao_id = ${daoId} order by block_number, log_index`),
  };
}
