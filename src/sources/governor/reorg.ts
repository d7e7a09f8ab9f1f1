import type { SourceStore } from '../../db/source-store.ts';
import type { BlockHeader, ChainRpc } from '../evm/rpc.ts';
import { TOKEN_EVENT_NAMES, VOTE_EVENTS } from './events.ts';
import { rederiveAccounts, touchedAccounts } from './token.ts';

/**
 * Reorg handling. Blocks deeper than CONFIRMATIONS below the head are final; for the newer ones
 * the source keeps the hashes it read (chain_blocks). At the start of a run every kept hash is
 * compared with the chain: on a mismatch the source rolls back to the newest kept block below the
 * first mismatch (the common ancestor) — deleting the logs of the abandoned blocks and everything
 * derived from them — and rewinds its cursor there, all in one transaction.
 */
export class DeepReorgError extends Error {}

/**
 * The common ancestor when a kept block's hash no longer matches the chain (or the chain is now
 * shorter than a kept block), else undefined.
 */
export async function findAncestor(rpc: ChainRpc, store: SourceStore, daoId: number): Promise<BlockHeader | undefined> {
  const kept = await store.chain.keptBlocks(daoId);
  if (kept.length === 0) return undefined;
  const current = await rpc.headers(kept.map((k) => k.number));
  const firstBad = kept.findIndex((k) => current.get(k.number)?.hash.toLowerCase() !== k.hash);
  if (firstBad === -1) return undefined;
  if (firstBad === 0) {
    throw new DeepReorgError(
      `reorg deeper than the kept blocks: block ${kept[0]!.number} changed; raise CONFIRMATIONS or resync`,
    );
  }
  const ancestor = kept[firstBad - 1]!;
  return current.get(ancestor.number)!;
}

export interface Rollback {
  /** Proposals that still exist but whose logs changed: their state and tallies must be read again. */
  refresh: string[];
  written: number;
}

/** Deletes everything above `ancestor` and re-derives what the deleted logs had changed. */
export async function rollback(tx: SourceStore, daoId: number, ancestor: number, decimals: number): Promise<Rollback> {
  const deleted = await tx.chain.deleteAbove(daoId, ancestor);
  let written = deleted.length;

  const created = deleted.filter((e) => e.event === 'ProposalCreated').map((e) => String(e.args.proposalId));
  // Their votes go with them (votes.proposal_id cascades).
  written += await tx.governance.deleteProposals(daoId, 'onchain', created);
  const votes = deleted.filter((e) => VOTE_EVENTS.includes(e.event));
  written += await tx.chain.deleteUnbackedVotes(
    daoId,
    VOTE_EVENTS,
    votes.map((e) => ({ proposal: String(e.args.proposalId), voter: String(e.args.voter) })),
  );
  const gone = new Set(created);
  const refresh = [
    ...new Set(deleted.filter((e) => 'proposalId' in e.args).map((e) => String(e.args.proposalId))),
  ].filter((id) => !gone.has(id));

  const accounts = [...new Set(deleted.filter((e) => TOKEN_EVENT_NAMES.includes(e.event)).flatMap(touchedAccounts))];
  written += await rederiveAccounts(tx, daoId, accounts, decimals);
  return { refresh, written };
}
