import type { Db } from './client.ts';
import * as chain from './queries/chain.ts';
import * as governance from './queries/governance.ts';
import { saveCursor } from './queries/sync-state.ts';
import * as treasury from './queries/treasury.ts';

/**
 * What a sync source may do with the database: the statements of the aggregates it feeds,
 * bound to one connection or one transaction (Ponder's sync-store: fetchers hand rows to a store
 * that owns the SQL). The sync engine hands each run a store for its reads and, through
 * `transaction`, one bound to a transaction that also saves the run's cursor, so a page of rows
 * and the cursor that covers it commit together. Sources import only these types.
 */
export function sourceStore(db: Db) {
  return {
    governance: {
      upsertProposals: <R extends governance.ProposalWrite>(rows: R[]) => governance.upsertProposals(db, rows),
      upsertVotes: <R extends governance.VoteWrite>(rows: R[]) => governance.upsertVotes(db, rows),
      proposalIds: (daoId: number, externalIds: string[]) => governance.proposalIdsByExternalId(db, daoId, externalIds),
      proposalStates: (daoId: number, externalIds: string[]) => governance.proposalStates(db, daoId, externalIds),
      proposalsInStates: (daoId: number, source: string, states: Parameters<typeof governance.proposalsInStates>[3]) =>
        governance.proposalsInStates(db, daoId, source, states),
      deleteProposals: (daoId: number, source: string, externalIds: string[]) =>
        governance.deleteProposals(db, daoId, source, externalIds),
      countVotes: (daoId: number) => governance.countVotes(db, daoId),
    },
    chain: {
      insertEvents: (daoId: number, events: chain.ChainEvent[]) => chain.insertEvents(db, daoId, events),
      proposalEvents: (daoId: number, events: readonly string[], proposalIds: string[]) =>
        chain.proposalEvents(db, daoId, events, proposalIds),
      voteWeights: (daoId: number, voteEvents: readonly string[], proposalIds: string[]) =>
        chain.voteWeights(db, daoId, voteEvents, proposalIds),
      eventsTouching: (daoId: number, events: readonly string[], addresses: string[]) =>
        chain.eventsTouching(db, daoId, events, addresses),
      keptBlocks: (daoId: number) => chain.keptBlocks(db, daoId),
      storeBlocks: (daoId: number, blocks: Array<{ number: number; hash: string }>) =>
        chain.storeBlocks(db, daoId, blocks),
      pruneBlocks: (daoId: number, finalBelow: number, cursorBlock: number) =>
        chain.pruneBlocks(db, daoId, finalBelow, cursorBlock),
      deleteAbove: (daoId: number, block: number) => chain.deleteAbove(db, daoId, block),
      deleteUnbackedVotes: (
        daoId: number,
        voteEvents: readonly string[],
        pairs: Array<{ proposal: string; voter: string }>,
      ) => chain.deleteUnbackedVotes(db, daoId, voteEvents, pairs),
      tokenAccounts: (daoId: number, addresses: string[]) => chain.tokenAccounts(db, daoId, addresses),
      upsertTokenAccounts: (daoId: number, accounts: chain.TokenAccountRow[]) =>
        chain.upsertTokenAccounts(db, daoId, accounts),
      recountDelegators: (daoId: number, delegates: string[]) => chain.recountDelegators(db, daoId, delegates),
      deleteTokenAccounts: (daoId: number, addresses: string[]) => chain.deleteTokenAccounts(db, daoId, addresses),
    },
    treasury: {
      upsertBalances: (rows: treasury.TreasuryBalanceWrite[]) => treasury.upsertTreasuryBalances(db, rows),
      storePrices: (prices: Map<string, treasury.PriceWrite>) => treasury.storePrices(db, prices),
      lastPrices: (coins: string[]) => treasury.lastPrices(db, coins),
    },
  };
}

export type SourceStore = ReturnType<typeof sourceStore>;

/** A store bound to one transaction, which also saves the run's cursor in it. */
export interface SourceTransaction extends SourceStore {
  /** Replaces the (DAO, source)'s cursor; it commits with the rows written in this transaction, or not at all. */
  saveCursor(cursor: Record<string, unknown>): Promise<void>;
}

/** Runs `fn` in one transaction with a store bound to it; the cursor it saves belongs to (daoId, source). */
export function inSourceTransaction<T>(
  db: Db,
  daoId: number,
  source: string,
  fn: (tx: SourceTransaction) => Promise<T>,
): Promise<T> {
  return db.transaction((tx) =>
    fn({ ...sourceStore(tx), saveCursor: (cursor) => saveCursor(tx, daoId, source, cursor) }),
  );
}

export type { ChainEvent, JsonArg, TokenAccountRow } from './queries/chain.ts';
export type { ProposalWrite, VoteWrite } from './queries/governance.ts';
export type { PriceWrite, TreasuryBalanceWrite } from './queries/treasury.ts';
export type { Upserted, WriteCounts } from './queries/upserts.ts';
