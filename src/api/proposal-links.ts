import type { Db } from '../db/client.ts';
import { proposalCreatedTx } from '../db/queries/chain.ts';
import type { ProposalRow } from '../db/queries/governance.ts';
import { explorerTxUrl } from '../sources/evm/chains.ts';

/**
 * The proposal at its source, for the analyst to check what the portal shows: its Snapshot page,
 * or the transaction that created an on-chain proposal on the chain's block explorer. Null when
 * the source has no public page (an import without a Snapshot space, an unknown chain).
 */
export async function proposalSourceUrl(
  db: Db,
  row: Pick<ProposalRow, 'source' | 'snapshotSpace' | 'externalId' | 'daoId' | 'daoChain'>,
): Promise<string | null> {
  if (row.source === 'snapshot' && row.snapshotSpace) {
    return `https://snapshot.org/#/${encodeURIComponent(row.snapshotSpace)}/proposal/${encodeURIComponent(row.externalId)}`;
  }
  if (row.source === 'onchain') {
    const txHash = await proposalCreatedTx(db, row.daoId, row.externalId);
    return txHash ? explorerTxUrl(row.daoChain, txHash) : null;
  }
  return null;
}
