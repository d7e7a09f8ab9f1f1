import type { DaoRow } from '../db/queries/daos.ts';

/** Database rows (camelCase, Dates) to API objects (snake_case, ISO times); one place for the mapping. */
export function daoToApi(row: DaoRow) {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    chain: row.chain,
    token_symbol: row.tokenSymbol,
    governance_token: row.governanceToken,
    snapshot_space: row.snapshotSpace,
    governor_address: row.governorAddress,
    token_address: row.tokenAddress,
    treasury_addresses: row.treasuryAddresses,
    treasury_tokens: row.treasuryTokens,
    treasury_value: row.treasuryValue,
    total_members: row.totalMembers,
    active_proposals: row.activeProposals,
    total_proposals: row.totalProposals,
    total_votes: row.totalVotes,
    participation_rate: row.participationRate,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function proposalToApi(row: {
  id: number;
  daoId: number;
  daoSlug: string;
  externalId: string;
  source: string;
  votingType: string;
  title: string;
  author: string | null;
  choices: string[];
  start: Date;
  end: Date;
  state: string;
  quorum: string | null;
  snapshotBlock: number | null;
  scores: string[] | null;
  scoresTotal: string | null;
  votesCount: number;
  createdAt: Date;
  updatedAt: Date;
}) {
  return {
    id: row.id,
    dao_id: row.daoId,
    dao_slug: row.daoSlug,
    external_id: row.externalId,
    source: row.source,
    voting_type: row.votingType,
    title: row.title,
    author: row.author,
    choices: row.choices,
    start: row.start.toISOString(),
    end: row.end.toISOString(),
    state: row.state,
    quorum: row.quorum,
    snapshot_block: row.snapshotBlock,
    scores: row.scores,
    scores_total: row.scoresTotal,
    votes_count: row.votesCount,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function paginate(page: number, perPage: number, total: number) {
  return { page, per_page: perPage, total, pages: Math.ceil(total / perPage) };
}
