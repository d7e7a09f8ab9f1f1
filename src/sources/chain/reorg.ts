import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../db/index.ts';
import type { SyncTx } from '../../sync/types.ts';
import { eventOf, TOKEN_EVENT_NAMES, VOTE_EVENTS } from './events.ts';
import type { BlockHeader, ChainRpc } from './rpc.ts';
import { rederiveAccounts, touchedAccounts } from './token.ts';

/**
 * Reorg handling. Blocks deeper than CONFIRMATIONS below the head are final; for the newer ones
 * the source keeps the hashes it read (chain_blocks). At the start of a run every kept hash is
 * compared with the chain: on a mismatch the source rolls back to the newest kept block below the
 * first mismatch (the common ancestor) — deleting the logs of the abandoned blocks and everything
 * derived from them — and rewinds its cursor there, all in one transaction.
 */
const p = (values: unknown[]) => sql.param(values);

export class DeepReorgError extends Error {}

export async function storeBlocks(tx: SyncTx, daoId: number, headers: BlockHeader[]): Promise<void> {
  if (headers.length === 0) return;
  await tx.execute(sql`
    insert into chain_blocks as b (dao_id, number, hash)
    select ${daoId}, * from unnest(${p(headers.map((h) => h.number))}::int8[], ${p(headers.map((h) => h.hash.toLowerCase()))}::text[])
    on conflict (dao_id, number) do update set hash = excluded.hash where b.hash <> excluded.hash`);
}

/** Forgets hashes of blocks that became final, but always keeps the cursor's block. */
export async function pruneBlocks(tx: SyncTx, daoId: number, finalBelow: number, cursorBlock: number): Promise<void> {
  await tx.execute(sql`delete from chain_blocks where dao_id = ${daoId} and number < ${finalBelow} and number <> ${cursorBlock}`);
}

/**
 * The common ancestor when a kept block's hash no longer matches the chain (or the chain is now
 * shorter than a kept block), else undefined.
 */
export async function findAncestor(rpc: ChainRpc, database: Database, daoId: number): Promise<BlockHeader | undefined> {
  const kept = await rowsOf<{ number: number; hash: string }>(database.db, sql`
    select number, hash from chain_blocks where dao_id = ${daoId} order by number`);
  if (kept.length === 0) return undefined;
  const current = await rpc.headers(kept.map((k) => Number(k.number)));
  const firstBad = kept.findIndex((k) => current.get(Number(k.number))?.hash.toLowerCase() !== k.hash);
  if (firstBad === -1) return undefined;
  if (firstBad === 0) {
    throw new DeepReorgError(`reorg deeper than the kept blocks: block ${kept[0]!.number} changed; raise CONFIRMATIONS or resync`);
  }
  const ancestor = kept[firstBad - 1]!;
  return current.get(Number(ancestor.number))!;
}

export interface Rollback {
  /** Proposals that still exist but whose logs changed: their state and tallies must be read again. */
  refresh: string[];
  written: number;
}

/** Deletes everything above `ancestor` and re-derives what the deleted logs had changed. */
export async function rollback(tx: SyncTx, daoId: number, ancestor: number, decimals: number): Promise<Rollback> {
  const deleted = (await rowsOf<Parameters<typeof eventOf>[0]>(tx, sql`
    delete from chain_events where dao_id = ${daoId} and block_number > ${ancestor} returning *`)).map(eventOf);
  await tx.execute(sql`delete from chain_blocks where dao_id = ${daoId} and number > ${ancestor}`);
  let written = deleted.length;

  const created = deleted.filter((e) => e.event === 'ProposalCreated').map((e) => String(e.args.proposalId));
  if (created.length) {
    // Their votes go with them (votes.proposal_id cascades).
    const rows = await rowsOf<{ id: number }>(tx, sql`
      delete from proposals where dao_id = ${daoId} and source = 'onchain' and external_id = any(${p(created)}::text[]) returning id`);
    written += rows.length;
  }
  const votes = deleted.filter((e) => VOTE_EVENTS.includes(e.event));
  if (votes.length) {
    const rows = await rowsOf<{ id: number }>(tx, sql`
      delete from votes v using proposals pr, unnest(${p(votes.map((e) => String(e.args.proposalId)))}::text[],
                                                 ${p(votes.map((e) => String(e.args.voter)))}::text[]) as d(proposal, voter)
       where pr.dao_id = ${daoId} and pr.external_id = d.proposal and v.proposal_id = pr.id and v.voter = d.voter
         and not exists (select 1 from chain_events e where e.dao_id = ${daoId} and e.args ? 'proposalId'
                           and e.args->>'proposalId' = d.proposal and e.event = any(${p(VOTE_EVENTS)}::text[])
                           and e.args->>'voter' = d.voter)
       returning v.id`);
    written += rows.length;
  }
  const gone = new Set(created);
  const refresh = [...new Set(deleted.filter((e) => 'proposalId' in e.args).map((e) => String(e.args.proposalId)))].filter((id) => !gone.has(id));

  const accounts = [...new Set(deleted.filter((e) => TOKEN_EVENT_NAMES.includes(e.event)).flatMap(touchedAccounts))];
  written += await rederiveAccounts(tx, daoId, accounts, decimals);
  return { refresh, written };
}
